"""Command: `draft` — write the English draft of every story that needs one."""

from __future__ import annotations

import click
from rich.text import Text

from mobrief.brief import draft_stories
from mobrief.brief.drafting import backends
from mobrief.cli import workers
from mobrief.cli.context import AppContext, json_option, pass_app, print_json, progress_bar
from mobrief.newsroom import drafting


@click.command("draft")
@click.option("--story", "story_ids", type=int, multiple=True, help="Draft this story (again), even if drafted.")
@click.option("--redraft", is_flag=True, help="Also draft again stories whose draft an older backend version wrote.")
@click.option(
    "--backend",
    default=None,
    help="Drafting backend (default: MOBRIEF_DRAFT_BACKEND, else frames): frames, openai-compatible.",
)
@click.option("--defer", is_flag=True, help="Queue the drafting of recent stories for `mobrief worker` (PostgreSQL).")
@json_option
@pass_app
def draft_command(
    app: AppContext, story_ids: tuple[int, ...], redraft: bool, backend: str | None, defer: bool, as_json: bool
) -> None:
    """Draft every story that has no draft yet, or gained reports since (batched, resumable; never a story an
    editor has written). `mobrief enrich` runs this after clustering; `brief compose` drafts what it needs."""
    if defer:
        queued = workers.defer_with(app, lambda tasks: int(tasks.defer_drafting()))
        if as_json:
            print_json({"queued": queued})
        else:
            app.console.print("queued drafting for `mobrief worker`" if queued else "drafting is already queued")
        return
    chosen = backends.get_backend(backend)
    for story_id in story_ids:
        app.store.stories.get(story_id)  # NotFound names the id
    with progress_bar(app, "drafting") as update:
        run = drafting.draft_pending(
            app.store,
            backend=chosen,
            story_ids=list(story_ids) or None,
            redraft=redraft,
            force=bool(story_ids),
            progress=update,
        )
    if as_json:
        found = app.store.story_drafts.get_many(run.story_ids)
        print_json(run.as_dict() | {"drafts": [found[i].as_dict() for i in run.story_ids if i in found]})
        return
    if story_ids:
        for d in app.store.story_drafts.get_many(run.story_ids).values():
            app.out.print(Text(f"#{d.story_id} [{d.status}, {d.backend}] {d.text}"))
            for f in d.findings:
                app.out.print(Text(f"    {f.kind}: {f.message}"))
    app.console.print(draft_stories.summary_line(run))


COMMANDS: list[click.Command] = [draft_command]
