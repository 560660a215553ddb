"""The machine interface DESIGN.md promises (and the evaluation kit drives) exists, with its options."""

from __future__ import annotations

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
    ("enrich",): ["--json"],
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
