"""The machine interface DESIGN.md promises (and the evaluation kit drives) exists, with its options."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from mobrief.cli import cli

# command → options its help must list (`--json` wherever the command prints a summary)
INTERFACE = {
    ("ingest", "telegram-export"): ["--channel", "--json"],
    ("ingest", "telegram-channel"): ["--base-url", "--max-pages", "--json"],
    ("ingest", "feed"): ["--json"],
    ("ingest", "url"): ["--json"],
    ("ingest", "jsonl"): ["--json"],
    ("enrich",): ["--defer", "--json"],
    ("fetch",): ["--defer", "--watch", "--json"],
    ("draft",): ["--defer", "--json"],
    ("db", "upgrade"): ["--json"],
    ("worker",): ["--queue", "--concurrency", "--until-idle", "--json"],
    ("jobs",): ["--json"],
    ("items", "export"): ["--format"],
    ("items", "list"): ["--json"],
    ("items", "search"): ["--json"],
    ("archive", "import"): ["--json"],
    ("archive", "export"): ["--format"],
    ("sections", "classify"): [],
    ("sections", "train"): ["--json"],
    ("style", "apply"): ["--date"],
    ("style", "check"): ["--json"],
    ("brief", "compose"): ["--from", "--to", "--format", "--json"],
    ("brief", "list"): ["--json"],
    ("brief", "publish"): ["--json"],
    ("source", "list"): ["--json"],
    ("stories", "list"): ["--json"],
    ("glossary", "mine"): [],
    ("rates", "show"): ["--json"],
    ("serve",): ["--host", "--port"],
    ("user", "add"): ["--role", "--password-stdin"],
}


@pytest.mark.parametrize("command", sorted(INTERFACE), ids=" ".join)
def test_interface_command_exists_with_its_options(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    for option in INTERFACE[command]:
        assert option in result.output, f"mobrief {' '.join(command)} lacks {option}"


def test_global_db_option() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "--db URL" in result.output


def _commands_in(text: str) -> list[list[str]]:
    """The first two words of each `mobrief …` command line in a text (a shell line or a unit's ExecStart)."""
    pattern = re.compile(r"^(?:ExecStart=\S*/)?mobrief ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", re.MULTILINE)
    return [[w for w in match.groups() if w] for match in pattern.finditer(text)]


def test_the_team_server_section_and_units_name_commands_that_exist() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Team server", 1)[1].split("\n## ", 1)[0]
    units = "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "deploy").glob("*.service")))
    commands = _commands_in(section.split("```sh", 1)[1].split("```", 1)[0]) + _commands_in(units)
    assert len(commands) >= 12
    for words in commands:
        group = CliRunner().invoke(cli, [words[0], "--help"])
        assert group.exit_code == 0, f"mobrief {words[0]}: {group.output}"
        if "Commands:" in group.output:  # a group: its subcommand must exist too
            result = CliRunner().invoke(cli, [*words[:2], "--help"])
            assert result.exit_code == 0, f"mobrief {' '.join(words)}: {result.output}"
