"""Commands: `serve` (the editors' web app through uvicorn) and `user add/list/remove/password` (accounts)."""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import TYPE_CHECKING

import click

from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.errors import ConfigError
from mobrief.newsroom import background
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.users import ROLES
from mobrief.web import auth

if TYPE_CHECKING:
    from fastapi import FastAPI

CLI_CLIENT = "cli"  # where the audit log says a command-line change came from


WEB_JOBS = ("auto", "queue", "in-process")


def queue_runner(settings: Settings, store: Store) -> background.JobRunner | None:
    """Where the web app sends long work (MOBRIEF_WEB_JOBS): `queue` for `mobrief worker` (PostgreSQL), or
    `in-process` (None: a thread of the web process, the app's default); `auto` (the default) takes the queue
    when the database holds it (PostgreSQL after `mobrief db upgrade`)."""
    choice = settings.extra.get("MOBRIEF_WEB_JOBS", "").strip().lower() or "auto"
    if choice not in WEB_JOBS:
        raise ConfigError(f"MOBRIEF_WEB_JOBS must be one of {', '.join(WEB_JOBS)}, not {choice!r}")
    if choice == "in-process" or (choice == "auto" and store.dialect != "postgresql"):
        return None
    from mobrief import tasks

    if tasks.queue_ready(store):
        return tasks.QueueRunner(settings)
    if choice == "queue":
        raise ConfigError("MOBRIEF_WEB_JOBS=queue needs the task queue: run `mobrief db upgrade` on PostgreSQL")
    return None


def app_from_env() -> FastAPI:
    """The app built from MOBRIEF_* variables, with its job runner: what each uvicorn worker calls
    (`serve --workers N`)."""
    from mobrief.store import open_store
    from mobrief.web.app import create_app

    settings = Settings.from_env(os.environ)
    store = open_store(settings.database_url, migrate=False)
    try:
        runner = queue_runner(settings, store)
    finally:
        store.close()
    return create_app(settings, runner=runner)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32), help="Worker processes.")
@pass_app
def serve(app: AppContext, host: str, port: int, workers: int) -> None:
    """Serve the editors' web app (inbox, stories, brief editor, archive) on the same store as the CLI.

    Composing runs outside the requests: on the task queue for `mobrief worker` when the database holds it
    (PostgreSQL after `mobrief db upgrade`), else in a thread of the server (MOBRIEF_WEB_JOBS chooses)."""
    import uvicorn

    from mobrief.store import open_store
    from mobrief.web import worker_processes
    from mobrief.web.app import create_app
    from mobrief.web.config import WebConfig

    WebConfig.from_settings(app.settings)  # a bad MOBRIEF_* value stops here, before any worker starts
    open_store(app.settings.database_url).close()  # migrate once, before any worker starts
    if not app.settings.public_url and host not in ("127.0.0.1", "localhost", "::1"):
        app.console.print(
            "[yellow]MOBRIEF_PUBLIC_URL is not set: the feed and published briefs have no canonical address.[/]"
        )
    if not app.settings.secret_key:
        if workers > 1:
            raise ConfigError("set MOBRIEF_SECRET_KEY to run more than one worker (they must share it)")
        app.console.print("[yellow]MOBRIEF_SECRET_KEY is not set: sign-ins last until the server stops.[/]")
    runner = queue_runner(app.settings, app.store)
    app.console.print(f"mobrief serving {app.settings.database_url} on http://{host}:{port}/")
    if runner is not None:
        app.console.print("Composing runs on the task queue: keep at least one `mobrief worker` running.")
    if workers == 1:
        # proxy_headers off: uvicorn would believe X-Forwarded-For from any loopback peer; the app decides
        # instead, from MOBRIEF_TRUSTED_PROXIES (web/proxies.py)
        uvicorn.run(
            create_app(app.settings, runner=runner),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            server_header=False,
        )
        return
    os.environ["MOBRIEF_DATABASE_URL"] = app.settings.database_url
    config = uvicorn.Config(
        "mobrief.cli.web:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    if worker_processes.reuse_port_balances():
        worker_processes.run_workers(config, workers)  # a listening socket each: the kernel spreads the editors
    else:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()


@click.group()
def user() -> None:
    """Manage the newsroom's accounts (volunteer, editor, admin)."""


def _read_password(password_stdin: bool, email: str) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    auth.check_new_password(password, email=email)
    return password


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@json_option
@pass_app
def user_add(app: AppContext, email: str, role: str, password_stdin: bool, as_json: bool) -> None:
    """Create an account; the password is prompted for (or read from standard input)."""
    password = _read_password(password_stdin, email)
    created = app.store.users.add(email, auth.Passwords.from_settings(app.settings).hash(password), role)
    app.store.audit.record(
        "user.added",
        client=CLI_CLIENT,
        target=("user", created.id),
        detail={"email": created.email, "role": created.role},
    )
    if as_json:
        print_json({"id": created.id, "email": created.email, "role": created.role})
    else:
        app.console.print(f"added {created.email} ({created.role})")


@user.command("list")
@json_option
@pass_app
def user_list(app: AppContext, as_json: bool) -> None:
    """List accounts with their roles."""
    accounts = app.store.users.list()
    if as_json:
        print_json(
            [
                {
                    k: v
                    for k, v in dataclasses.asdict(u).items()
                    if k != "password_hash"  # never printed
                }
                for u in accounts
            ]
        )
        return
    for account in accounts:
        click.echo(f"{account.email}\t{account.role}")


@user.command("remove")
@click.argument("email")
@pass_app
def user_remove(app: AppContext, email: str) -> None:
    """Remove an account (its sessions stop working at once)."""
    found = app.store.users.by_email(email)
    app.store.users.remove(email)
    if found is not None:
        detail = {"email": found.email, "role": found.role}
        app.store.audit.record("user.removed", client=CLI_CLIENT, target=("user", found.id), detail=detail)
    app.console.print(f"removed {email}")


@user.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_app
def user_password(app: AppContext, email: str, password_stdin: bool) -> None:
    """Set an account's password (e.g. the only admin's, forgotten); every session of the account ends."""
    found = app.store.users.by_email(email)
    if found is None:
        raise ConfigError(f"no user {email}")
    password = _read_password(password_stdin, found.email)
    app.store.users.set_password_hash(found.id, auth.Passwords.from_settings(app.settings).hash(password))
    detail = {"email": found.email}
    app.store.audit.record("auth.password_reset", client=CLI_CLIENT, target=("user", found.id), detail=detail)
    app.console.print(f"password set for {found.email}; its sessions have ended")


COMMANDS: list[click.Command] = [serve, user]
