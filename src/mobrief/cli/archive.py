"""Commands: `archive import/list/export/show` over the published briefs kept in the store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mobrief.brief import formats
from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.newsroom import archive as newsroom_archive
from mobrief.records import Brief


def expand_paths(paths: tuple[str, ...]) -> list[Path]:
    """The files to import: each file given, and the importable files inside each folder given (sorted)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in newsroom_archive.IMPORTABLE_SUFFIXES
                )
            )
        else:
            files.append(path)
    return files


def import_files(app: AppContext, files: list[Path], hint: dt.date | None) -> newsroom_archive.ImportSummary:
    """Import every file with a progress bar (`newsroom.archive.import_files`), each error printed as it comes."""
    progress = Progress(
        TextColumn("[bold]importing briefs"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[name]}"),
        console=app.console,
        transient=True,
        disable=not app.console.is_terminal,
    )
    with progress:
        task = progress.add_task("import", total=len(files), name="")
        done: list[Path] = []

        def starting(path: Path) -> None:
            if done:
                progress.advance(task)
            done.append(path)
            progress.update(task, name=path.name)

        def failed(message: str) -> None:
            progress.console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)

        summary = newsroom_archive.import_files(app.store, files, hint, starting=starting, failed=failed)
        if done:
            progress.advance(task)
    return summary


@click.group()
def archive() -> None:
    """The archive of published briefs: import, list, export, show."""


@archive.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH…")
@click.option(
    "--published",
    "published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Publication date to infer the year from when a title prints none (default: the page's own date).",
)
@json_option
@pass_app
def import_archive(app: AppContext, paths: tuple[str, ...], published: dt.datetime | None, as_json: bool) -> None:
    """Import published briefs from saved HTML pages, Markdown or plain text, one or many per file.

    Folders are searched for .html, .htm, .md and .txt files. Re-importing changes nothing; a brief whose text
    changed replaces the stored one. A file that cannot be read is reported and the others are still imported.
    """
    files = expand_paths(paths)
    summary = import_files(app, files, published.date() if published else None)
    if as_json:
        print_json(
            {
                "files": summary.files,
                "new": summary.new,
                "replaced": summary.replaced,
                "unchanged": summary.unchanged,
                "sections": summary.sections,
                "paragraphs": summary.paragraphs,
                "briefs": summary.briefs,
                "errors": summary.errors,
            }
        )
    else:
        click.echo(
            f"{summary.new + summary.replaced + summary.unchanged} brief(s) from {summary.files} file(s): "
            f"{summary.new} new, {summary.replaced} replaced, {summary.unchanged} unchanged; "
            f"{summary.sections} sections, {summary.paragraphs} paragraphs"
            + (f"; {len(summary.errors)} file(s) failed" if summary.errors else ""),
            err=True,
        )
    if summary.errors:
        raise click.exceptions.Exit(1)


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None or end is None:
        return "—"
    return start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"


@archive.command("list")
@json_option
@pass_app
def list_archive(app: AppContext, as_json: bool) -> None:
    """Every stored brief, oldest period first."""
    listing = app.store.briefs.list()
    if as_json:
        print_json(
            [
                {
                    "id": b.id,
                    "title": b.title,
                    "period_start": b.period_start.isoformat() if b.period_start else None,
                    "period_end": b.period_end.isoformat() if b.period_end else None,
                    "status": b.status,
                    "url": b.url,
                    "sections": b.sections,
                    "paragraphs": b.paragraphs,
                }
                for b in listing
            ]
        )
        return
    table = Table()
    for column in ("id", "period", "title", "sections", "paragraphs"):
        table.add_column(column, justify="right" if column in ("id", "sections", "paragraphs") else "left")
    for b in listing:
        table.add_row(str(b.id), _period(b.period_start, b.period_end), b.title, str(b.sections), str(b.paragraphs))
    app.out.print(table)
    app.out.print(f"{len(listing)} brief(s)", markup=False)


@archive.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@pass_app
def export_archive(app: AppContext, fmt: str) -> None:
    """Every brief, one JSON object a line: title, period_start, period_end, sections [{heading, key, …}]."""
    for row in app.store.briefs.export():
        click.echo(json.dumps(row, ensure_ascii=False))


def render(brief: Brief, fmt: str) -> str:
    """A stored brief in one of the `archive show` formats; a brief sent as several messages shows each under a
    numbered rule."""
    form = formats.get(fmt)
    messages = form.messages(brief) if form.messages is not None else []
    if len(messages) > 1:
        return "\n\n".join(f"----- message {i} of {len(messages)} -----\n{m}" for i, m in enumerate(messages, 1)) + "\n"
    return formats.as_file(form.render(brief))


@archive.command("show")
@click.argument("brief_id", type=int, metavar="ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html", "telegram", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file.",
)
@pass_app
def show_brief(app: AppContext, brief_id: int, fmt: str, output: Path | None) -> None:
    """One stored brief as text, Markdown, a standalone HTML page, Telegram messages or JSON."""
    rendered = render(app.store.briefs.get(brief_id), fmt)
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(rendered, nl=False)


COMMANDS: list[click.Command] = [archive]
