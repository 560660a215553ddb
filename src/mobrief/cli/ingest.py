"""Commands: `ingest <kind>` (built from the source registry), `fetch` and `note add`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from mobrief.cli import workers
from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.errors import MobriefError
from mobrief.newsroom import ingest as ingesting
from mobrief.sources import registry


def _progress(app: AppContext) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=app.console,
        transient=True,
        disable=not app.console.is_terminal,
    )


def run_ingest(app: AppContext, kind: str, location: str, options: dict[str, Any]) -> ingesting.IngestReport:
    """Ingest one location with a progress bar; shared by `ingest <kind>` and `fetch`."""
    with _progress(app) as bar:
        task = bar.add_task(f"{kind} {location}", total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        return ingesting.ingest(app.store, kind, location, settings=app.settings, options=options, progress=advance)


def summary_table(reports: list[ingesting.IngestReport]) -> Table:
    """Items per source: read, new, edited, unchanged, skipped."""
    table = Table(title="Ingest summary", show_lines=False)
    for column in ("source", "kind", "read", "new", "edited", "unchanged", "skipped"):
        table.add_column(column, justify="right" if column not in ("source", "kind") else "left")
    for r in reports:
        table.add_row(
            Text(r.source),
            Text(r.kind),
            str(r.read),
            str(r.counts.inserted),
            str(r.counts.updated),
            str(r.counts.unchanged + r.counts.refreshed),
            str(len(r.bad)),
        )
    return table


def _line(label: str, style: str, text: str) -> Text:
    """A label in colour and a message as plain text: no `[field]` in it is read as rich markup."""
    return Text.assemble((label, style), " ", text)


def _grouped(title: str, causes: dict[str, int]) -> list[str]:
    lines = [title]
    for cause, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {n:>6,}  {cause}")
    return lines


def unusable_summary(report: ingesting.IngestReport) -> list[str]:
    """What an input held that could not be used, grouped by cause with counts, then what was stored after
    cleaning; empty when everything was used as it came."""
    lines: list[str] = []
    if report.unusable:
        total = sum(report.unusable.values())
        lines += _grouped(f"{report.location}: could not use {total:,} record{'s' * (total != 1)}:", report.unusable)
    if report.cleaned:
        total = sum(report.cleaned.values())
        lines += _grouped(f"{report.location}: stored after {total:,} change{'s' * (total != 1)}:", report.cleaned)
    return lines


def print_report(app: AppContext, reports: list[ingesting.IngestReport], as_json: bool) -> None:
    """Skipped records, changes and warnings on stderr (one line each), then the summary as a table or JSON,
    ending with what could not be used, grouped by cause."""
    for r in reports:
        for line in r.bad:
            app.console.print(_line("skipped", "yellow", line), highlight=False, soft_wrap=True)
        for line in r.fixes:
            app.console.print(_line("cleaned", "cyan", line), highlight=False, soft_wrap=True)
        for line in r.warnings:
            app.console.print(_line("warning", "yellow", line), highlight=False, soft_wrap=True)
    if as_json:
        print_json([r.as_dict() for r in reports] if len(reports) != 1 else reports[0].as_dict())
        return
    app.out.print(summary_table(reports))
    for r in reports:
        extras = [f"{n} {what}" for what, n in sorted(r.counters.items())]
        if r.counts.refreshed:
            extras.append(f"{r.counts.refreshed} unchanged in text, their time or views corrected")
        if r.bad:
            extras.append(f"{len(r.bad)} bad records skipped (see warnings above)")
        if extras:
            app.out.print(Text(f"{r.source}: " + "; ".join(extras)))
        for line in unusable_summary(r):
            app.out.print(Text(line))


def stored_nothing_usable(report: ingesting.IngestReport) -> bool:
    """An input that held records, none of which could be stored: the run failed, whatever it printed."""
    return report.stored == 0 and bool(report.unusable)


def _ingest_command(kind: str, adapter: type[registry.SourceAdapter]) -> click.Command:
    params: list[click.Parameter] = [click.Argument(["location"], metavar=adapter.location_help)]
    for opt in adapter.options:
        flag = "--" + opt.name.replace("_", "-")
        if opt.is_flag:
            params.append(click.Option([flag, opt.name], is_flag=True, default=bool(opt.default), help=opt.help))
        else:
            params.append(click.Option([flag, opt.name], type=opt.type, default=opt.default, help=opt.help))
    params.append(click.Option(["--json", "as_json"], is_flag=True, help="Print machine-readable JSON."))

    @click.pass_context
    def callback(ctx: click.Context, /, location: str, as_json: bool, **options: Any) -> None:
        app = ctx.find_object(AppContext)
        assert app is not None
        report = run_ingest(app, kind, location, options)
        print_report(app, [report], as_json)
        if stored_nothing_usable(report):
            app.console.print(
                _line("error", "red", f"{location}: nothing stored, no record of it could be used"),
                highlight=False,
                soft_wrap=True,
            )
            raise click.exceptions.Exit(1)

    return click.Command(kind, params=params, callback=callback, help=adapter.summary)


@click.group()
def ingest() -> None:
    """Read a source once and store its items (re-running changes nothing)."""


for _kind, _adapter in sorted(registry.load_builtin_sources().items()):
    if _kind != "note":
        ingest.add_command(_ingest_command(_kind, _adapter))


@click.command()
@click.option("--defer", is_flag=True, help="Queue a poll of each enabled source for `mobrief worker` (PostgreSQL).")
@click.option("--watch", is_flag=True, help="Keep polling each source when it is due, at intervals that adapt.")
@click.option("--rounds", type=click.IntRange(min=1), default=None, help="With --watch: stop after this many rounds.")
@json_option
@pass_app
def fetch(app: AppContext, defer: bool, watch: bool, rounds: int | None, as_json: bool) -> None:
    """Poll every enabled source once; with --watch, poll each again whenever it is due.

    Under --watch a source that brings news is polled sooner, one that brings none later, one that fails
    less often still, and one that fails hard three times in a row is disabled (`mobrief source list` says
    why; `mobrief source add` enables it again).
    """
    if watch:
        _watch(app, rounds, as_json)
        return
    if defer:
        queued = workers.defer_with(app, lambda tasks: tasks.defer_polls(app.store))
        if as_json:
            print_json({"queued": queued})
        else:
            app.console.print(f"queued {queued} poll{'s' * (queued != 1)} for `mobrief worker`")
        return
    sources = app.store.sources.list(enabled_only=True)
    reports: list[ingesting.IngestReport] = []
    failures: list[str] = []
    for source in sources:
        try:
            reports.append(run_ingest(app, source.stream, source.url, app.store.sources.options(source.name)))
        except MobriefError as exc:
            failures.append(f"{source.name}: {exc}")
            app.console.print(_line("failed", "red", f"{source.name}: {exc}"), highlight=False)
    if as_json:
        print_json({"sources": [r.as_dict() for r in reports], "failed": failures})
    elif reports:
        print_report(app, reports, as_json=False)
    elif not failures:
        app.out.print("No enabled sources: add one with `mobrief source add`.")
    if failures and not reports:
        raise click.exceptions.Exit(1)


def _watch(app: AppContext, rounds: int | None, as_json: bool) -> None:
    """Poll the due sources, sleep until the next is due (a minute at most), again, until Ctrl-C or `rounds`."""
    import time

    done = 0
    while rounds is None or done < rounds:
        for result in ingesting.poll_due(app.store, settings=app.settings):
            if as_json:
                click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
                continue
            outcome = result.outcome
            if result.report is not None:
                news = result.report.counts.inserted + result.report.counts.updated
                line = f"{result.source}: {news} new or edited; next poll in {outcome.interval:.0f} s"
                app.console.print(_line("polled", "green", line), highlight=False)
            else:
                what = f"{result.source}: {outcome.error}; " + (
                    f"disabled: {outcome.disabled_reason}"
                    if outcome.disabled_reason
                    else f"next in {outcome.interval:.0f} s"
                )
                app.console.print(_line("failed", "red", what), highlight=False)
        done += 1
        if rounds is not None and done >= rounds:
            break
        next_at = app.store.sources.next_due_at()
        wait = 60.0 if next_at is None else (next_at - dt.datetime.now(dt.UTC)).total_seconds()
        time.sleep(min(60.0, max(1.0, wait)))


@click.group()
def note() -> None:
    """Manual notes: a tip, a phone call, a post seen elsewhere."""


@note.command("add")
@click.option("--text", required=True, help="What the note says.")
@click.option("--url", default=None, help="Where it comes from.")
@click.option("--title", default="", help="A short title.")
@click.option("--published-at", default=None, help="ISO 8601 time (default: now).")
@json_option
@pass_app
def note_add(app: AppContext, text: str, url: str | None, title: str, published_at: str | None, as_json: bool) -> None:
    """Store a manual note as an item."""
    from mobrief.sources import manual_note

    when = dt.datetime.fromisoformat(published_at) if published_at else None
    item = manual_note.make_note(text, url=url, published_at=when, title=title)
    counts = ingesting.ingest_items(app.store, [item], kind="note")
    if as_json:
        print_json({"external_id": item.external_id, "inserted": counts.inserted, "unchanged": counts.unchanged})
    else:
        app.out.print("Note stored." if counts.inserted else "Note already stored.")


COMMANDS: list[click.Command] = [ingest, fetch, note]
