"""``crmbridge forget``: erase one person's data (GDPR), in the CRM and in the state store."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crmbridge.cli import config_option, handles_errors, json_option
from crmbridge.config import load_config


@click.option("--persona", help="The social identity to erase, as PLATFORM:AUTHOR_ID (x:1234).")
@click.option(
    "--contact",
    "contact_id",
    help="A CRM contact id: every persona linked to it and every activity written on it.",
)
@click.option(
    "--mode",
    type=click.Choice(["delete", "anonymise"]),
    help="Delete the activities crmbridge wrote, or keep them with body and author erased "
    "(default: privacy.erase_mode in the config, else delete).",
)
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
@config_option
@json_option
@handles_errors
def _forget(
    persona: str | None,
    contact_id: str | None,
    mode: str | None,
    dry_run: bool,
    config_path: Path,
    as_json: bool,
) -> None:
    """Erase a person: activities, cases and roll-ups in the CRM, spool, then state store.

    The CRM goes first (delete, or anonymise: body and subject become "[erased]", author
    fields blank), with the cases the rules opened on their conversations and the roll-up
    fields on their contacts; their webhook lines not yet synced are blanked in the spool;
    then the ledger rows are emptied (their keys stay,
    status "erased", so a later sync never writes those messages again) and the persona,
    its links, review items and parked records deleted. A failure leaves the state as it
    was: run the command again. The erasure is recorded in the runs, as counts only.
    """
    config = load_config(config_path)
    from crmbridge.forget import forget

    report = forget(config, persona=persona, contact_id=contact_id, mode=mode, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(report))
        return
    verb = "would erase" if dry_run else "erased"
    crm = report["crm"]
    objects = ", ".join(f"{k}={v}" for k, v in crm["objects"].items()) or "-"
    click.echo(
        f"{verb} ({report['mode']}): {report['personas']} persona(s); "
        f"{crm['activities']} CRM activit(ies) ({objects}), {crm.get('cases', 0)} case(s), "
        f"roll-ups of {crm.get('rollups', 0)} contact(s)"
    )
    click.echo("state: " + ", ".join(f"{k}={v}" for k, v in report["state"].items()))


# Declared, not inferred: cli.py imports this module back, and mypy needs the type here.
forget_command: click.Command = click.command("forget")(_forget)
