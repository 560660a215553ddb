"""Commands: `brief compose/list/show/publish` and `entry write`, the main job and its editing by hand."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.table import Table

from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.newsroom import compose, publish

FORMATS = ["markdown", "html", "telegram", "json", "text"]  # the order `--format` lists them in
DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group("brief")
def brief_group() -> None:
    """Compose, show and publish briefs."""


@brief_group.command("compose")
@click.option("--from", "start", type=DAY, required=True, help="First day of the period (UTC).")
@click.option("--to", "end", type=DAY, required=True, help="Last day of the period (UTC).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="markdown", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@pass_app
def compose_command(app: AppContext, start: dt.datetime, end: dt.datetime, fmt: str, as_json: bool) -> None:
    """Build (or update) the draft brief of a period and print it; editors' texts and order are kept."""
    composed = compose.compose_brief(app.store, start.date(), end.date())
    click.echo(composed.render("json" if as_json else fmt), nl=False)
    entries = [e for s in composed.sections for e in s.entries]
    left = sum(e.status == "to-write" for e in entries)
    app.console.print(f"Draft #{composed.id}: {len(entries)} entries, {left} still to write.", highlight=False)


@brief_group.command("list")
@click.option("--status", type=click.Choice(["draft", "published"]), default=None)
@json_option
@pass_app
def list_command(app: AppContext, status: str | None, as_json: bool) -> None:
    """Drafts and published briefs, newest period first."""
    rows = [r for s in ([status] if status else ["draft", "published"]) for r in app.store.drafts.listing(s)]
    rows.sort(key=lambda r: (r.period_end or dt.date.min, r.id), reverse=True)
    if as_json:
        print_json([{"id": r.id, "title": r.title, "status": r.status, "period_start": r.period_start,
                     "period_end": r.period_end, "entries": r.entries} for r in rows])  # fmt: skip
        return
    table = Table()
    for column in ("id", "status", "title", "entries"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r.id), r.status, r.title, str(r.entries))
    app.out.print(table)


@brief_group.command("show")
@click.argument("brief_id", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="markdown", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@pass_app
def show_command(app: AppContext, brief_id: int, fmt: str, as_json: bool) -> None:
    """One draft or published brief in any format."""
    click.echo(compose.load_composed(app.store, brief_id).render("json" if as_json else fmt), nl=False)


@brief_group.command("publish")
@click.argument("brief_id", type=int)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("published"), show_default=True)
@click.option(
    "--base-url",
    default=None,
    help="Where the files are served (default: MOBRIEF_PUBLIC_URL, else https://example.org/briefs).",
)
@click.option("--leave-out", "leave_out", type=int, multiple=True, help="An unfinished entry (id) not to publish.")
@click.option("--note", default=None, help="What a correction changes (required when publishing a correction).")
@json_option
@pass_app
def publish_command(
    app: AppContext, brief_id: int, out: Path, base_url: str | None, leave_out: tuple[int, ...], note: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Freeze a draft, write its HTML, Markdown, Telegram, JSON and text files and the Atom feed.

    Refused while an entry is unfinished (a scaffold, a fact-guard failure, a style finding, Russian text)
    unless it is left out with --leave-out.
    """
    base = base_url or app.settings.public_url or "https://example.org/briefs"
    done = publish.publish_brief(app.store, brief_id, out, base_url=base, leave_out=leave_out, note=note, client="cli")
    if as_json:
        print_json({"id": done.brief_id, "title": done.title, "files": done.files, "feed": done.feed})
        return
    app.out.print(f"Published #{done.brief_id} {done.title}", markup=False)
    for fmt, path in done.files.items():
        app.out.print(f"  {fmt:<9} {path}", markup=False)
    app.out.print(f"  feed      {done.feed}", markup=False)


@brief_group.command("correct")
@click.argument("brief_id", type=int)
@json_option
@pass_app
def correct_command(app: AppContext, brief_id: int, as_json: bool) -> None:
    """Start correcting a published brief: a draft copy to edit, then `brief publish DRAFT --note …`."""
    draft_id = publish.start_correction(app.store, brief_id)
    if as_json:
        print_json({"brief_id": brief_id, "draft_id": draft_id})
        return
    app.out.print(f"Correction draft #{draft_id} of brief #{brief_id}: edit it, then publish it with --note.")


@brief_group.command("withdraw")
@click.argument("brief_id", type=int)
@click.option("--note", required=True, help="Why it is withdrawn (readers see it).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Rewrite the feed there.")
@click.option("--base-url", default="https://example.org/briefs", show_default=True, help="Where the files are served.")
@pass_app
def withdraw_command(app: AppContext, brief_id: int, note: str, out: Path | None, base_url: str) -> None:
    """Withdraw a published brief: its page and the feed say so."""
    publish.withdraw_brief(app.store, brief_id, note, editor="cli", client="cli")  # the audit log says so
    if out is not None:
        publish.write_feed(app.store, out, base_url)
    app.out.print(f"Withdrew brief #{brief_id}.")


@click.group("entry")
def entry_group() -> None:
    """The English entry text of a story."""


@entry_group.command("write")
@click.argument("story_id", type=int)
@click.option("--text", default=None, help="The English text (default: read standard input).")
@pass_app
def write_entry(app: AppContext, story_id: int, text: str | None) -> None:
    """Set the editor's English text of a story; composing uses it and keeps it."""
    value = text if text is not None else sys.stdin.read()
    compose.write_entry_text(app.store, story_id, value)
    app.out.print(f"Entry of story {story_id} saved; compose the brief again to see it in place.")


COMMANDS: list[click.Command] = [brief_group, entry_group]
