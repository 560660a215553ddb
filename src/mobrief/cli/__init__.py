"""The `mobrief` command line: thin commands over the same functions the web app and the tasks use."""

from __future__ import annotations

import sys

import click

from mobrief.cli import (
    archive,
    brief,
    demo,
    draft,
    enrich,
    glossary,
    ingest,
    items,
    rates,
    sources,
    stories,
    style,
    web,
    workers,
)
from mobrief.cli.context import AppContext, json_option
from mobrief.errors import MobriefError
from mobrief.settings import Settings

__all__ = ["AppContext", "json_option", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", metavar="URL", help="Database URL (default: MOBRIEF_DATABASE_URL or sqlite:///mobrief.db).")
@click.version_option(package_name="mobrief")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """mobrief: from Russian-language reports to an English brief in house style."""
    import os

    ctx.obj = AppContext(Settings.from_env(os.environ, db=db))
    ctx.call_on_close(ctx.obj.close)


for module in (
    ingest,
    items,
    sources,
    archive,
    glossary,
    rates,
    style,
    enrich,
    draft,
    stories,
    brief,
    demo,
    web,
    workers,
):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Entry point: run the CLI and turn mobrief's own errors into one clear line and exit status 1."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except MobriefError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
