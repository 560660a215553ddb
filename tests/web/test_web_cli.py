"""`mobrief user add/list/remove` and `mobrief serve --help`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mobrief.cli import cli
from mobrief.store import open_store
from mobrief.web import auth


def test_user_add_list_remove(db_url: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["--db", db_url, "user", "add", "Ed@Example.org", "--role", "editor", "--password-stdin"],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    store = open_store(db_url)
    try:
        user = store.users.by_email("ed@example.org")
        assert user is not None and user.role == "editor"
        assert user.password_hash.startswith("$argon2id$")
        assert auth.verify_password(user.password_hash, "a long enough password")
    finally:
        store.close()
    listed = runner.invoke(cli, ["--db", db_url, "user", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["email"], r["role"]) for r in rows] == [("ed@example.org", "editor")]
    assert "password_hash" not in rows[0]
    again = runner.invoke(
        cli,
        ["--db", db_url, "user", "add", "ed@example.org", "--role", "admin", "--password-stdin"],
        input="another long password\n",
    )
    assert again.exit_code != 0 and "already exists" in str(again.exception)
    changed = runner.invoke(
        cli, ["--db", db_url, "user", "password", "ed@example.org", "--password-stdin"], input="a new long password\n"
    )
    assert changed.exit_code == 0, changed.output
    store = open_store(db_url)
    try:
        user = store.users.by_email("ed@example.org")
        assert user is not None and auth.verify_password(user.password_hash, "a new long password")
        assert [(e.action, e.client) for e in reversed(store.audit.list())] == [
            ("user.added", "cli"),
            ("auth.password_reset", "cli"),
        ]
    finally:
        store.close()
    removed = runner.invoke(cli, ["--db", db_url, "user", "remove", "ed@example.org"])
    assert removed.exit_code == 0, removed.output
    assert json.loads(runner.invoke(cli, ["--db", db_url, "user", "list", "--json"]).output) == []


def test_user_add_refuses_a_short_password_and_a_bad_role(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'u.db'}"
    runner = CliRunner()
    short = runner.invoke(
        cli,
        ["--db", db, "user", "add", "a@example.org", "--role", "editor", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least 12 characters" in str(short.exception)
    role = runner.invoke(
        cli,
        ["--db", db, "user", "add", "a@example.org", "--role", "boss", "--password-stdin"],
        input="a long enough password\n",
    )
    assert role.exit_code == 2 and "boss" in role.output


def test_serve_help_names_its_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output
