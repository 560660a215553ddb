"""Commands: `source add/list/remove`, the sources `mobrief fetch` polls."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.errors import ConfigError
from mobrief.sources import registry


@click.group()
def source() -> None:
    """Configured sources to poll with `mobrief fetch`."""


@source.command("add")
@click.argument("kind", type=click.Choice(sorted(k for k in registry.load_builtin_sources() if k != "note")))
@click.argument("location")
@click.option("--name", default=None, help="Name to store items under (default: derived from the location).")
@click.option(
    "--option",
    "-o",
    "raw_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Adapter option, e.g. channel=mychan.",
)
@json_option
@pass_app
def add_source(
    app: AppContext, kind: str, location: str, name: str | None, raw_options: tuple[str, ...], as_json: bool
) -> None:
    """Add (or update) a source: `mobrief source add feed https://example.org/rss`."""
    adapter_cls = registry.load_builtin_sources()[kind]
    known = {opt.name: opt for opt in adapter_cls.options}
    options: dict[str, Any] = {}
    for raw in raw_options:
        key, sep, value = raw.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in known:
            raise ConfigError(f"--option {raw!r}: expected KEY=VALUE with KEY one of {', '.join(known) or '(none)'}")
        options[key] = True if known[key].is_flag else known[key].type(value)
    from mobrief.newsroom import ingest as ingesting

    adapter, _ = ingesting.make_adapter(kind, settings=app.settings, options=options)
    stored = app.store.sources.add(name or adapter.source_name(location), kind, location, options)
    if as_json:
        print_json({"name": stored.name, "kind": kind, "location": location, "options": options})
    else:
        app.out.print(f"Source {stored.name!r} ({kind}) will be polled by `mobrief fetch`.", markup=False)


@source.command("list")
@json_option
@pass_app
def list_sources(app: AppContext, as_json: bool) -> None:
    """Every source, polled or seen in imported files."""
    sources = app.store.sources.list()
    if as_json:
        print_json(
            [
                {
                    "name": s.name,
                    "kind": s.stream,
                    "location": s.url or None,
                    "enabled": s.enabled,
                    "poll_interval": s.poll_interval,
                    "next_poll_at": s.next_poll_at.isoformat() if s.next_poll_at else None,
                    "last_polled_at": s.last_polled_at.isoformat() if s.last_polled_at else None,
                    "failures": s.failures,
                    "last_error": s.last_error,
                    "disabled_reason": s.disabled_reason,
                }
                for s in sources
            ]
        )
        return
    table = Table()
    for column in ("name", "kind", "location", "polled", "every", "next poll", "failures"):
        table.add_column(column)
    for s in sources:
        polled = "yes" if s.enabled else (f"no: {s.disabled_reason}" if s.disabled_reason else "no")
        every = f"{s.poll_interval / 60:.0f} min" if s.poll_interval else "—"
        next_poll = s.next_poll_at.strftime("%Y-%m-%d %H:%M") if s.next_poll_at and s.enabled else "—"
        failures = f"{s.failures} ({s.last_error})" if s.failures else "0"
        table.add_row(s.name, s.stream, s.url or "—", polled, every, next_poll, failures)
    app.out.print(table)


@source.command("remove")
@click.argument("name")
@click.option("--delete-items", is_flag=True, help="Also delete every item stored from it.")
@pass_app
def remove_source(app: AppContext, name: str, delete_items: bool) -> None:
    """Stop polling a source (its items stay unless --delete-items)."""
    app.store.sources.remove(name, keep_items=not delete_items)
    app.out.print(f"Source {name!r} removed.", markup=False)


COMMANDS: list[click.Command] = [source]
