"""``crmbridge rules``: try the case rules on messages before a sync acts on them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crmbridge.cli import config_option, handles_errors, json_option
from crmbridge.config import load_config
from crmbridge.errors import ExitCode


def _rules() -> None:
    """Case rules: conditions on each message, actions on its conversation.

    Rules live under 'rules:' in crmbridge.yaml (or in the file it names) and are data:
    conditions such as platform, intent, sentiment, keywords, vip, identity or
    conversation_age; actions such as case, escalate, sla, tag, notify, no_response.
    """


# Typed explicitly: cli.py imports this module at its bottom, a cycle mypy cannot infer.
rules_group: click.Group = click.group("rules")(_rules)


@rules_group.command("test")
@click.option(
    "--interaction",
    "interaction",
    required=True,
    metavar="JSON|-",
    help="One interaction record (crmbridge.interaction/1) as JSON, or - to read "
    "one record per line from stdin.",
)
@config_option
@json_option
@handles_errors
def rules_test(interaction: str, config_path: Path, as_json: bool) -> None:
    r"""Show which rules fire on a message, and why; nothing is written anywhere.

    Each rule prints FIRED (with the conditions that held), no (with the first condition
    that failed and the values compared) or skipped (an earlier rule with stop: true
    fired), then the merged decision: case and priority, escalation, SLA, tags, webhooks.
    Sentiment and intents are computed on the fly; identity and conversation come from
    the state store when it exists.

    \b
    crmbridge rules test --interaction '{"schema": "crmbridge.interaction/1", ...}'
    crmbridge rules test --interaction - --json < messages.jsonl
    """
    from crmbridge.rules.trial import render_text, trial

    config = load_config(config_path)
    lines = sys.stdin if interaction == "-" else [interaction]
    results = list(trial(config, lines))
    if as_json:
        click.echo(json.dumps(results if interaction == "-" else results[0], default=str))
    else:
        for result in results:
            for line in render_text(result):
                click.echo(line)
    if any("error" in result for result in results):
        sys.exit(int(ExitCode.PARTIAL))  # a message it could not read: not a clean pass
