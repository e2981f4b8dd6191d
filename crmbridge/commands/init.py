"""``crmbridge init``: a commented starter config, mapping and rules file, and what next.

The starter is built from the registry, so each source block lists the options its
connector really takes (required ones filled in or marked, secrets as ``${VAR}``), and the
mapping is the CRM's own preset, copied so the admin can edit it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import click
from pydantic import SecretStr

from crmbridge import registry
from crmbridge.errors import ConfigError

CRMS = ("local", "salesforce", "hubspot")
PLACEHOLDER = "CHANGE-ME"

_HEADER = """\
# crmbridge.yaml, written by `crmbridge init`. Relative paths start at this file's folder.
# Secrets come only from the environment: ${VAR} is read when a command runs, and a
# command needs only the variables of what it uses (a sync does not need serve's).
# Reference: the README's "Config reference" and "Your first hour".
# The state store keeps cursors, ledger and links; postgresql+psycopg://… for many workers.
state: sqlite:///.crmbridge/state.db
"""

_CRM_BLOCKS = {
    "local": """\
crm:
  kind: local                            # a CRM in a SQLite file, no credentials
  path: .crmbridge/crm.db
  contacts_csv: contacts.csv             # id, first_name, last_name, email, phone, city,
                                         # country, and optional x_handle, instagram_handle…
""",
    "salesforce": """\
crm:
  kind: salesforce                       # pip install 'crmbridge[salesforce]'
  username: integration@example.com      # the integration user
  password: ${SALESFORCE_PASSWORD}
  security_token: ${SALESFORCE_SECURITY_TOKEN}
  domain: login                          # login, test (sandbox), or your My Domain (acme.my)
  # Other logins (docs/salesforce.md): auth: jwt | client_credentials | session
""",
    "hubspot": """\
crm:
  kind: hubspot                          # pip install 'crmbridge[hubspot]'
  access_token: ${HUBSPOT_TOKEN}         # a private app's token (crm.objects.* scopes)
""",
}

_CRM_ENV = {
    "local": [],
    "salesforce": ["SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN"],
    "hubspot": ["HUBSPOT_TOKEN"],
}
_CRM_TODO = {"salesforce": ["crm: username: the integration user's login"]}

_RULES = """\
# rules.yaml, written by `crmbridge init`: case rules, checked in order (README "Cases,
# escalation and SLAs"). Try one message without writing anything:
#   crmbridge rules test --interaction '{"platform": "x", "text": "your app is down", ...}'
- name: urgent            # outages, legal threats, safety: a High case, an hour to reply
  when: {direction: inbound, intent: [outage, legal, safety]}
  then:
    case: {priority: High}
    sla: 1h
    tag: urgent
  stop: true
- name: complaint         # a complaint that reads negative: a Medium case, 4 hours
  when: {direction: inbound, intent: complaint, sentiment: {label: negative}}
  then:
    case: {priority: Medium}
    sla: 4h
    tag: complaint
- name: praise            # thanks and praise: tagged, no reply needed
  when: {direction: inbound, intent: praise, sentiment: {label: positive}}
  then: {tag: praise, no_response: true}
"""

_FILE_SOURCES = {"jsonl": "inbox", "csv": "inbox-csv"}


@dataclass
class Starter:
    """What ``init`` wrote, and what the admin still has to do."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)


def _env_name(description: str, source: str, option: str) -> str:
    """The variable a secret option's description names (``${X_BEARER_TOKEN}``), or one."""
    start = description.find("${")
    if start >= 0 and "}" in description[start:]:
        return description[start + 2 : description.index("}", start)]
    return f"{source}_{option}".upper().replace("-", "_")


def source_block(connector: str, starter: Starter) -> str:
    """A source entry with every option its connector takes, required ones first."""
    cls = registry.connector(connector)
    name = connector if connector not in _FILE_SOURCES else "exports"
    lines = [f"  - name: {name}", f"    connector: {connector}"]
    optional = []
    for option, info in cls.Config.model_fields.items():
        note = (info.description or "").replace("\n", " ")
        if info.is_required() and option == "path":
            folder = _FILE_SOURCES.get(connector, connector)
            lines.append(f"    path: {folder}/                     # {note}")
        elif info.is_required() and info.annotation is SecretStr:
            var = _env_name(note, connector, option)
            starter.env.append(var)
            lines.append(f"    {option}: ${{{var}}}")
        elif info.is_required():
            starter.todo.append(f"sources ({name}): {option}: {note}")
            lines.append(f'    {option}: "{PLACEHOLDER}"                # REQUIRED: {note}')
        elif info.annotation is not SecretStr and not option.startswith(("api_", "attempts")):
            default = info.get_default(call_default_factory=True)
            comment = f"    # {note}" if note else ""
            optional.append(f"    # {option}: {json.dumps(default, default=str)}{comment}")
    return "\n".join(lines + optional) + "\n"


def starter_files(crm: str, connectors: list[str], starter: Starter) -> dict[str, str]:
    """The text of each file ``init`` writes, by name."""
    adapter = registry.crm_adapter(crm)
    starter.env += _CRM_ENV[crm]
    starter.todo += _CRM_TODO.get(crm, [])
    preset = resources.files("crmbridge.mappings") / f"{adapter.default_mapping}.yaml"
    mapping = (
        f"# mapping.yaml, written by `crmbridge init` from the {adapter.default_mapping!r} "
        'preset.\n# Each field is a template (README "Mapping presets"): i (the interaction), '
        "contact,\n# link, key, c (classification), conv (conversation), rules. "
        "`crmbridge check` renders them all.\n" + preset.read_text(encoding="utf-8")
    )
    sources = "".join(source_block(c, starter) for c in connectors)
    config = (
        _HEADER
        + _CRM_BLOCKS[crm]
        + "sources:                                 # each keeps its own cursor\n"
        + sources
        + "identity:\n  default_region: US    # for phone numbers without +country\n"
        + "mapping: mapping.yaml                    # or a preset by name: "
        + f"{adapter.default_mapping}\n"
        + "rules: rules.yaml\n"
    )
    files = {"crmbridge.yaml": config, "mapping.yaml": mapping, "rules.yaml": _RULES}
    if crm == "local":
        files["contacts.csv"] = "id,first_name,last_name,email,phone,city,country,x_handle\n"
    return files


def write_starter(folder: Path, crm: str, connectors: list[str], *, force: bool = False) -> Starter:
    """Write the starter files into ``folder``; existing files are kept unless ``force``."""
    if crm not in CRMS:
        raise ConfigError(f"init: unknown CRM {crm!r} (choose one of {', '.join(CRMS)})")
    starter = Starter()
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in starter_files(crm, connectors, starter).items():
        path = folder / name
        if path.exists() and not force:
            starter.kept.append(path)
            continue
        path.write_text(text, encoding="utf-8")
        starter.written.append(path)
    for connector in connectors:
        if connector in _FILE_SOURCES:
            (folder / _FILE_SOURCES[connector]).mkdir(exist_ok=True)
    starter.next = _next_steps(folder, crm, connectors, starter)
    return starter


def _next_steps(folder: Path, crm: str, connectors: list[str], starter: Starter) -> list[str]:
    config = folder / "crmbridge.yaml"
    steps = []
    if crm != "local":
        steps.append(f"pip install 'crmbridge[{crm}]'")
    if starter.todo:
        steps.append(f"edit {config}: fill in what is marked above")
    steps += [f"export {var}=..." for var in dict.fromkeys(starter.env)]
    if crm == "local":
        steps.append(f"add your contacts to {folder / 'contacts.csv'}")
    for connector in connectors:
        if connector in _FILE_SOURCES:
            steps.append(f"put {connector} exports into {folder / _FILE_SOURCES[connector]}/")
    steps.append(f"crmbridge check --config {config}")
    if crm != "local":
        steps.append(f"crmbridge setup --config {config}")
    steps += [
        f"crmbridge sync --dry-run --config {config}",
        f"crmbridge sync --json --config {config}   # then schedule it (README: Your first hour)",
    ]
    return steps


@click.command("init")
@click.option(
    "--crm",
    type=click.Choice(CRMS),
    default="local",
    show_default=True,
    help="The CRM to write to (local: a SQLite file, no credentials).",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    default=("jsonl",),
    show_default=True,
    help="A source connector (repeat for several): jsonl, csv, x, facebook, …",
)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write crmbridge.yaml, mapping.yaml and rules.yaml into.",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document for machines.")
def init_command(
    crm: str, sources: tuple[str, ...], folder: Path, force: bool, as_json: bool
) -> None:
    """Write a commented starter config, mapping and rules file, then say what to run next.

    Existing files are kept (use --force to overwrite). Example:
    `crmbridge init --crm hubspot --source x --source jsonl --dir ./crm-sync`.
    """
    from crmbridge.cli import _fail

    try:
        starter = write_starter(folder, crm, list(dict.fromkeys(sources)), force=force)
    except ConfigError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        data: dict[str, Any] = {
            "written": [str(p) for p in starter.written],
            "kept": [str(p) for p in starter.kept],
            "todo": starter.todo,
            "env": starter.env,
            "next": starter.next,
        }
        click.echo(json.dumps(data))
        return
    for path in starter.written:
        click.echo(f"wrote {path}")
    for path in starter.kept:
        click.echo(f"kept  {path} (exists; --force overwrites)")
    for item in starter.todo:
        click.echo(f"to fill in: {item}")
    click.echo("next:")
    for number, step in enumerate(starter.next, start=1):
        click.echo(f"  {number}. {step}")
