"""The README documents every command, the exit codes and the two set-up commands."""

import re
from pathlib import Path

import click

from crmbridge.cli import main
from crmbridge.errors import ExitCode

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "crmbridge") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix} {name}"))
    return found


def test_every_command_has_help_and_appears_in_the_readme():
    for name, command in commands(main):
        assert command.help, f"{name} has no help text"
        assert f"`{name}" in README, f"{name} is not documented in README.md"


def test_every_exit_code_is_documented():
    for code in ExitCode:
        assert re.search(rf"\| {int(code)} \|", README), f"exit code {code} missing"


def test_the_readme_starts_with_what_it_is_then_two_setup_commands():
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", README, re.S)
    assert "crmbridge sync" in blocks[0]
    assert "pytest" in blocks[1]
