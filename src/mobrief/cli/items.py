"""Commands: `items list/show/export/search` over stored items."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click
from rich.table import Table

from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.records import Item


def item_dict(item: Item) -> dict[str, Any]:
    """An item as JSON-ready data."""
    return {
        "id": item.id,
        "source": item.source,
        "external_id": item.external_id,
        "url": item.url,
        "published_at": item.published_at.isoformat(),
        "title": item.title,
        "text": item.text,
        "lang": item.lang,
        "author": item.author,
        "links": list(item.links),
        "edited_at": item.edited_at.isoformat() if item.edited_at else None,
        "edited": item.edited,
        "author_id": item.author_id,
        "forwarded_from": item.forwarded_from,
        "forwarded_from_id": item.forwarded_from_id,
        "reply_to": item.reply_to,
        "views": item.views,
        "truncated": item.truncated,
        "deleted_at": item.deleted_at.isoformat() if item.deleted_at else None,
    }


def _excerpt(item: Item, width: int = 90) -> str:
    text = " ".join((item.title or item.text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def items_table(rows: list[tuple[Item, float | None]]) -> Table:
    table = Table(show_lines=False)
    for column in ("id", "published (UTC)", "source", "text"):
        table.add_column(column, overflow="fold" if column == "text" else "ellipsis")
    for item, _ in rows:
        table.add_row(str(item.id), item.published_at.strftime("%Y-%m-%d %H:%M"), item.source, _excerpt(item))
    return table


@click.group()
def items() -> None:
    """Stored items: list, show, export, search."""


@items.command("list")
@click.option("--source", default=None, help="Only items of this source.")
@click.option("--since", type=click.DateTime(), default=None, help="Published at or after (UTC).")
@click.option("--until", type=click.DateTime(), default=None, help="Published before (UTC).")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--offset", type=int, default=0)
@json_option
@pass_app
def list_items(
    app: AppContext,
    source: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Newest items first."""
    page = app.store.items.page(source=source, since=since, until=until, limit=limit, offset=offset)
    if as_json:
        print_json([item_dict(i) for i in page])
    else:
        app.out.print(items_table([(i, None) for i in page]))
        app.out.print(f"{len(page)} of {app.store.items.count()} items")


@items.command("show")
@click.argument("item_id", type=int)
@json_option
@pass_app
def show_item(app: AppContext, item_id: int, as_json: bool) -> None:
    """One item with its text, links, revisions and snapshot."""
    item = app.store.items.get(item_id)
    revisions = app.store.items.revisions(item_id)
    data = item_dict(item)
    data["revisions"] = [
        {"title": r.title, "text": r.text, "replaced_at": r.replaced_at.isoformat()} for r in revisions
    ]
    data["snapshot"] = (
        {
            "url": item.snapshot.url,
            "content_type": item.snapshot.content_type,
            "sha256": item.snapshot.sha256,
            "bytes": len(item.snapshot.body),
            "fetched_at": item.snapshot.fetched_at.isoformat(),
        }
        if item.snapshot
        else None
    )
    if as_json:
        print_json(data)
        return
    app.out.print(f"[bold]#{item.id}[/] {item.source} · {item.published_at:%Y-%m-%d %H:%M} UTC")
    if item.url:
        app.out.print(item.url, markup=False)
    if item.title:
        app.out.print(item.title, markup=False, style="bold")
    app.out.print(item.text, markup=False)
    for link in item.links:
        app.out.print(f"  → {link}", markup=False)
    if revisions:
        app.out.print(f"{len(revisions)} earlier revision(s) kept")
    if data["snapshot"]:
        snap = data["snapshot"]
        app.out.print(f"snapshot: {snap['bytes']} bytes {snap['content_type']} sha256 {snap['sha256'][:12]}…")


@items.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@pass_app
def export_items(app: AppContext, fmt: str) -> None:
    """Every item, one JSON object a line, with what enrichment and clustering found."""
    for row in app.store.items.export_rows():
        click.echo(json.dumps(row, ensure_ascii=False))


@items.command("search")
@click.argument("query")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--offset", type=int, default=0)
@json_option
@pass_app
def search_items(app: AppContext, query: str, limit: int, offset: int, as_json: bool) -> None:
    """Full-text search in any inflection: «военкомат» finds «военкоматы» and «военкомата»."""
    hits = app.store.items.search(query, limit=limit, offset=offset)
    if as_json:
        print_json([{**item_dict(item), "score": score} for item, score in hits])
    else:
        app.out.print(items_table([(i, s) for i, s in hits]))
        app.out.print(f"{len(hits)} hit(s)")


COMMANDS: list[click.Command] = [items]
