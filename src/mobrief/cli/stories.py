"""Commands: `stories list/show/cluster/threads/merge/move/split`: one story per event, the stories it continues,
and editors' fixes to the clustering."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.newsroom import story_edits
from mobrief.records import Story, utc
from mobrief.store.stories import StoryItem, StoryLink


def story_dict(story: Story, size: int | None = None) -> dict[str, Any]:
    """A story as JSON-ready data."""
    data: dict[str, Any] = {
        "id": story.id,
        "title": story.title,
        "first_seen": story.first_seen.isoformat(),
        "last_seen": story.last_seen.isoformat(),
        "outlets": list(story.outlets),
        "places": list(story.places),
        "section": story.section,
        "items": size if size is not None else len(story.item_ids),
    }
    return data


def _item_dict(item: StoryItem) -> dict[str, Any]:
    return {
        "id": item.item_id,
        "source": item.source,
        "url": item.url,
        "published_at": item.published_at.isoformat(),
        "title": item.title,
        "excerpt": _excerpt(item.title or item.text, 200),
        "method": item.method,
        "score": round(item.score, 3),
        "is_relevant": item.is_relevant,
    }


def _link_dict(link: StoryLink, story_id: int) -> dict[str, Any]:
    other = link.earlier_story_id if link.story_id == story_id else link.story_id
    return {
        "story_id": other,
        "title": link.title,
        "first_seen": link.first_seen.isoformat() if link.first_seen else None,
        "last_seen": link.last_seen.isoformat() if link.last_seen else None,
        "score": round(link.score, 3),
        "reasons": list(link.reasons),
    }


def _excerpt(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _reasons_text(reasons: list[Any]) -> str:
    parts = []
    for reason in reasons:
        if not isinstance(reason, dict):
            continue
        if reason.get("kind") == "topic":
            parts.append(f"topic {reason.get('score', 0):.2f}")
        else:
            parts.append(f"{reason.get('kind')}: {reason.get('label') or reason.get('key')}")
    return ", ".join(parts)


def _progress(app: AppContext) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=app.console,
        transient=True,
    )


@click.group()
def stories() -> None:
    """Stories: the items that tell one event, and the earlier stories it continues."""


@stories.command("list")
@click.option("--since", type=click.DateTime(), default=None, help="Stories last seen at or after (UTC).")
@click.option("--until", type=click.DateTime(), default=None, help="Stories first seen at or before (UTC).")
@click.option("--section", default=None, help="Only stories of this section key.")
@click.option("--all", "show_all", is_flag=True, help="Include stories with no item on the beat.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--offset", type=int, default=0)
@json_option
@pass_app
def list_stories(
    app: AppContext,
    since: dt.datetime | None,
    until: dt.datetime | None,
    section: str | None,
    show_all: bool,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Stories, most recently seen first (by default only those with an item on the beat)."""
    rows = app.store.stories.recent(
        since=utc(since) if since else None,
        until=utc(until) if until else None,
        section=section,
        relevant_only=not show_all,
        limit=limit,
        offset=offset,
    )
    if as_json:
        print_json([story_dict(story, size) for story, size in rows])
        return
    table = Table()
    for column in ("id", "last seen (UTC)", "items", "section", "outlets", "title"):
        table.add_column(column, overflow="fold" if column == "title" else "ellipsis")
    for story, size in rows:
        table.add_row(
            str(story.id),
            story.last_seen.strftime("%Y-%m-%d %H:%M"),
            str(size),
            story.section or "",
            _excerpt(", ".join(story.outlets), 40),
            _excerpt(story.title),
        )
    app.out.print(table)
    app.out.print(f"{len(rows)} stories")


@stories.command("show")
@click.argument("story_id", type=int)
@json_option
@pass_app
def show_story(app: AppContext, story_id: int, as_json: bool) -> None:
    """One story: its items and how each joined, and the earlier stories it may continue."""
    story = app.store.stories.get(story_id)
    members = app.store.stories.items_of(story_id)
    earlier = app.store.stories.links(story_id)
    later = app.store.stories.later_links(story_id)
    if as_json:
        data = story_dict(story)
        data["status"] = app.store.stories.status(story_id)
        data["items"] = [_item_dict(x) for x in members]
        data["previously_reported"] = [_link_dict(x, story_id) for x in earlier]
        data["continued_by"] = [_link_dict(x, story_id) for x in later]
        drafted = app.store.story_drafts.get(story_id)
        data["draft"] = None if drafted is None else drafted.as_dict()
        print_json(data)
        return
    out = app.out
    out.print(f"[bold]Story {story.id}[/bold]: {story.title}")
    out.print(
        f"{story.first_seen:%Y-%m-%d %H:%M} – {story.last_seen:%Y-%m-%d %H:%M} UTC · "
        f"section: {story.section or '—'} · places: {', '.join(story.places) or '—'}"
    )
    out.print(f"outlets: {', '.join(story.outlets)}")
    table = Table(title=f"{len(members)} items")
    for column in ("id", "published (UTC)", "source", "joined by", "text"):
        table.add_column(column, overflow="fold" if column == "text" else "ellipsis")
    for member in members:
        how = member.method if member.method == "new" else f"{member.method} {member.score:.2f}"
        table.add_row(
            str(member.item_id),
            member.published_at.strftime("%Y-%m-%d %H:%M"),
            member.source,
            how,
            _excerpt(member.title or member.text),
        )
    out.print(table)
    if earlier:
        out.print("[bold]Previously reported[/bold] (candidates):")
        for link in earlier:
            when = f"{link.first_seen:%Y-%m-%d}" if link.first_seen else ""
            out.print(f"  #{link.earlier_story_id} {when} ({link.score:.2f}: {_reasons_text(list(link.reasons))})")
            out.print(f"      {_excerpt(link.title)}")
    if later:
        out.print("[bold]Continued by[/bold]:")
        for link in later:
            when = f"{link.first_seen:%Y-%m-%d}" if link.first_seen else ""
            out.print(f"  #{link.story_id} {when} {_excerpt(link.title)}")
    drafted = app.store.story_drafts.get(story_id)
    if drafted is not None:
        out.print(f"[bold]Draft[/bold] ({drafted.status}, {drafted.backend}):")
        sentences = Table(show_header=True)
        sentences.add_column("English", overflow="fold")
        sentences.add_column("rests on (item, characters: Russian)", overflow="fold")
        for sentence in drafted.sentences:
            if not sentence.item_id:
                where = ""
            elif sentence.start < 0:  # a sentence about the report as a whole ("X has reported on this story.")
                where = f"#{sentence.item_id} (the whole report)"
            else:
                where = f"#{sentence.item_id} [{sentence.start}:{sentence.end}] "
            sentences.add_row(Text(sentence.text), Text(where + sentence.source_text))
        out.print(sentences)
        for finding in drafted.findings:
            out.print(Text(f"  {finding.kind}: {finding.message}"))


@stories.command("cluster")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Forget every story (status, sections, links), cluster again; editors' merges, moves and splits are kept.",
)
@click.option("--unenriched", is_flag=True, help="Also cluster items enrichment has not seen yet.")
@click.option("--yes", is_flag=True, help="Do not ask before --rebuild.")
@json_option
@pass_app
def cluster_stories(app: AppContext, rebuild: bool, unenriched: bool, yes: bool, as_json: bool) -> None:
    """Give every item without a story its story (`mobrief enrich` does this after enriching)."""
    from mobrief.newsroom import processing

    if rebuild and not yes and not as_json:
        click.confirm("Forget all stories, their status and links, and cluster every item again?", abort=True)
    with _progress(app) as bar:
        task = bar.add_task("clustering", total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        report, replayed = processing.cluster_stories(
            app.store, settings=app.settings, rebuild=rebuild, unenriched=unenriched, progress=advance
        )
    if as_json:
        print_json(report.as_dict() | {"decisions_replayed": replayed})
        return
    methods = ", ".join(f"{k} {v}" for k, v in sorted(report.methods.items())) or "nothing pending"
    app.console.print(
        f"{report.items} items: {report.stories_created} new stories, {report.stories_updated} updated "
        f"({methods}); {report.links} links to earlier stories"
        + (f"; {replayed} editors' decisions applied again" if replayed else "")
    )


@stories.command("threads")
@click.argument("story_id", type=int)
@click.option("--days", type=int, default=365, show_default=True, help="How far back to look.")
@click.option("--save", is_flag=True, help="Store the links found (replacing the story's earlier ones).")
@json_option
@pass_app
def story_threads(app: AppContext, story_id: int, days: int, save: bool, as_json: bool) -> None:
    """Earlier stories this one may continue, found afresh."""
    from mobrief.newsroom import clustering

    app.store.stories.get(story_id)  # a clear error for an unknown id
    links = clustering.thread_links(app.store, story_id, lookback=dt.timedelta(days=days), save=save)
    titles = {s.story_id: s for s in app.store.stories.signatures_of(x.earlier_story_id for x in links)}
    if as_json:
        print_json(
            [
                {
                    "story_id": link.earlier_story_id,
                    "title": titles[link.earlier_story_id].title if link.earlier_story_id in titles else "",
                    "first_seen": titles[link.earlier_story_id].first_seen.isoformat()
                    if link.earlier_story_id in titles
                    else None,
                    "score": link.score,
                    "reasons": list(link.reasons),
                }
                for link in links
            ]
        )
        return
    if not links:
        app.out.print("no earlier story found")
    for link in links:
        earlier = titles.get(link.earlier_story_id)
        when = f"{earlier.first_seen:%Y-%m-%d}" if earlier else ""
        why = _reasons_text(list(link.reasons))
        app.out.print(f"#{link.earlier_story_id} {when} ({link.score:.2f}: {why})")
        app.out.print(f"    {_excerpt(earlier.title if earlier else '')}")


COMMANDS: list[click.Command] = [stories]


def _edit_summary(app: AppContext, verb: str, edit: story_edits.StoryEdit, as_json: bool) -> None:
    if as_json:
        print_json({"story_id": edit.story_id, "changed": list(edit.changed), "removed": list(edit.removed),
                    "drafts_composed": list(edit.composed)})  # fmt: skip
        return
    gone = f"; story {', '.join(map(str, edit.removed))} is gone" if edit.removed else ""
    again = f"; drafts composed again: {', '.join(map(str, edit.composed))}" if edit.composed else ""
    app.console.print(f"{verb} story {edit.story_id}{gone}{again}", highlight=False)


@stories.command("merge")
@click.argument("keep", type=int)
@click.argument("others", type=int, nargs=-1, required=True)
@json_option
@pass_app
def merge_command(app: AppContext, keep: int, others: tuple[int, ...], as_json: bool) -> None:
    """Merge stories OTHERS into story KEEP (one event told twice); the drafts follow."""
    edit = story_edits.merge_stories(app.store, keep, others, editor="cli")
    _edit_summary(app, "Merged into", edit, as_json)


@stories.command("move")
@click.argument("item_ids", type=int, nargs=-1, required=True)
@click.option("--to", "target", type=int, required=True, help="The story the reports belong to.")
@json_option
@pass_app
def move_command(app: AppContext, item_ids: tuple[int, ...], target: int, as_json: bool) -> None:
    """Move reports (item ids) to another story; the drafts follow."""
    edit = story_edits.move_reports(app.store, item_ids, target, editor="cli")
    _edit_summary(app, "Moved to", edit, as_json)


@stories.command("split")
@click.argument("story_id", type=int)
@click.argument("item_ids", type=int, nargs=-1, required=True)
@json_option
@pass_app
def split_command(app: AppContext, story_id: int, item_ids: tuple[int, ...], as_json: bool) -> None:
    """Split reports (item ids) out of a story into a new one; the drafts follow."""
    edit = story_edits.split_story(app.store, story_id, item_ids, editor="cli")
    _edit_summary(app, "Split into", edit, as_json)
