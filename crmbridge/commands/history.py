"""``crmbridge history LOOKUP``: one contact's social history, as an agent needs it."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import click

from crmbridge.cli import config_option, handles_errors, json_option
from crmbridge.config import load_config
from crmbridge.state.store import StateStore


@click.argument("lookup", metavar="CONTACT")
@config_option
@click.option("--limit", default=200, show_default=True, help="Newest messages to show.")
@json_option
@handles_errors
def _history(lookup: str, config_path: Path, limit: int, as_json: bool) -> None:
    """One contact's details, profile from every channel, and conversations, newest first.

    CONTACT is a CRM contact id, an email, a phone, a handle (@name) or a persona
    (platform:author_id); several matches are listed so you can pick an id, none is an
    error (exit 2). Messages are grouped by conversation across channels, each with its
    channel, public or DM, author, full text, link, mood and intents; cases and SLA due
    times with their conversation. --json adds "conversations" (each message with its
    "conversation" key) beside the CRM's own "activities", "cases" and "profile".
    """
    from crmbridge.ops import contact_history
    from crmbridge.views.contact import contact_view
    from crmbridge.views.decide import crm_fetch
    from crmbridge.views.search import find_contact

    config = load_config(config_path)
    store = StateStore(config.state_url, read_only=True)
    fetch = crm_fetch(config)
    try:
        with store.engine.connect() as conn:
            contact_id = find_contact(conn, lookup, fetch)
            view = contact_view(
                conn, contact_id, window=config.conversations.window, limit=limit, fetch=fetch
            )
    finally:
        store.close()
    activities, cases = contact_history(config, contact_id, limit)
    if as_json:
        click.echo(json.dumps(view | {"activities": activities, "cases": cases}, default=str))
        return
    width = max(40, min(shutil.get_terminal_size((100, 20)).columns, 160))
    click.echo("\n".join(history_lines(view, width, cases)))


# Declared, not inferred: cli.py imports this module back, and mypy needs the type here.
history_command: click.Command = click.command("history")(_history)


def history_lines(
    view: dict[str, Any], width: int, cases: list[dict[str, Any]] | None = None
) -> list[str]:
    """The contact view as text wrapped to ``width`` columns (with the CRM's cases)."""
    from crmbridge.conversations.show import profile_lines

    c = view["contact"]
    details = ", ".join(v for v in (c["email"], c["phone"], c["city"], c["country"]) if v)
    lines = [f"{c['name'] or '(no name)'}  {c['id']}" + (f"  {details}" if details else "")]
    lines += profile_lines(view["profile"])[:-1]
    for p in view["channels_profile"]:
        shown = ", ".join(f"{k}: {v}" for k, v in p["profile"].items() if k != "name")
        lines += _wrap(f"{p['platform']:>16}: {shown or '-'}", width, 18, first=0)
    for case in cases or []:
        lines.append(
            f"case {case.get('priority', ''):<7} {case.get('subject', '')} ({case['status']})"
        )
    lines.append(f"{view['messages_shown']} of {view['messages_total']} message(s), newest first")
    for t in view["conversations"]:
        lines.append("")
        head = f"== {t['key']}  {' > '.join(t['channels'])}  {t['status'] or ''}".rstrip()
        case = t["case"]
        if case:
            head += f"  case {case['crm_id'] or '(pending)'} {case['priority'] or ''}".rstrip()
            if case["sla_due_at"]:
                head += f", SLA due {case['sla_due_at'][:16].replace('T', ' ')}"
        lines += _wrap(head, width, 3, first=0)
        for m in t["messages"]:
            lines += _message_lines(m, width)
    return lines


def _message_lines(m: dict[str, Any], width: int) -> list[str]:
    who = m["author"]["name"] or (f"@{m['author']['handle']}" if m["author"]["handle"] else "?")
    role = "agent" if m["author"]["role"] == "agent" else "customer"
    mood = f" {m['mood']['label']} {m['mood']['score']:+.2f}" if m["mood"] else ""
    intents = f" [{', '.join(m['intents'])}]" if m["intents"] else ""
    head = (
        f"{m['at'][:16].replace('T', ' ')}  {m['channel']} {m['visibility']}  "
        f"{who} ({role}){mood}{intents}"
    )
    out = _wrap(head, width, 2)
    out += _wrap(m["text"] or "(no text)", width, 6, first=6)
    if m["url"]:
        out.append(f"      {m['url']}")
    return out


def _wrap(text: str, width: int, indent: int, first: int | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=" " * (indent if first is None else first),
        subsequent_indent=" " * indent,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [""]
