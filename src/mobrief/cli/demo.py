"""Command: `demo`, the whole main job on a folder of sample sources described by its `sources.toml`."""

from __future__ import annotations

import datetime as dt
import sys
import tomllib
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from mobrief.brief import formats
from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.cli.ingest import run_ingest
from mobrief.errors import ConfigError
from mobrief.newsroom import archive as newsroom_archive
from mobrief.newsroom import compose, processing
from mobrief.newsroom import ingest as ingesting
from mobrief.store import Store


def read_manifest(folder: Path) -> dict[str, Any]:
    """`folder/sources.toml`: `[[source]]` (kind, location relative to the folder, options), `[[archive]]`
    (earlier published briefs) and `[brief]` (the period to compose)."""
    path = folder / "sources.toml"
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the sample manifest: {exc}") from exc
    for n, entry in enumerate(manifest.get("source", [])):
        if "kind" not in entry or "location" not in entry:
            raise ConfigError(f"{path}: [[source]] #{n + 1} needs `kind` and `location`")
    for n, entry in enumerate(manifest.get("archive", [])):
        if "location" not in entry:
            raise ConfigError(f"{path}: [[archive]] #{n + 1} needs `location`")
    brief = manifest.get("brief", {})
    if brief and not (isinstance(brief.get("from"), dt.date) and isinstance(brief.get("to"), dt.date)):
        raise ConfigError(f"{path}: [brief] needs `from` and `to` dates (YYYY-MM-DD, unquoted)")
    return manifest


def source_summary(store: Store, duplicates: dict[str, int]) -> list[dict[str, Any]]:
    """Per source: items, languages seen, time span, and duplicates skipped in this run."""
    rows: dict[str, dict[str, Any]] = {}
    for found in store.items.by_source_and_language():
        name, first, last = found.source, found.first, found.last
        row = rows.setdefault(name, {"source": name, "items": 0, "languages": [], "first": first, "last": last})
        row["items"] += found.items
        if found.lang:
            row["languages"].append(found.lang)
        row["first"], row["last"] = min(row["first"], first), max(row["last"], last)
    for row in rows.values():
        row["duplicates_skipped"] = duplicates.get(row["source"], 0)
        row["first"] = row["first"].strftime("%Y-%m-%d %H:%M")
        row["last"] = row["last"].strftime("%Y-%m-%d %H:%M")
        row["languages"] = sorted(row["languages"])
    return list(rows.values())


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), default="examples")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"), show_default=True)
@json_option
@pass_app
def demo(app: AppContext, folder: Path, out: Path, as_json: bool) -> None:
    """The main job on sample data: import the earlier briefs, ingest every source in FOLDER/sources.toml,
    enrich and cluster, compose the brief and write it to --out as Markdown, HTML and Telegram messages."""
    manifest = read_manifest(folder)
    archive_files = [folder / entry["location"] for entry in manifest.get("archive", [])]
    imported = None
    if archive_files:

        def failed(message: str) -> None:
            app.console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)

        imported = newsroom_archive.import_files(app.store, archive_files, None, failed=failed)
    reports: list[ingesting.IngestReport] = []
    for entry in manifest.get("source", []):
        location = str(folder / entry["location"]) if entry["kind"] != "telegram-channel" else entry["location"]
        reports.append(run_ingest(app, entry["kind"], location, dict(entry.get("options", {}))))
    duplicates: dict[str, int] = {}
    for report in reports:
        for name in report.sources_seen or {report.source: 0}:
            duplicates.setdefault(name, 0)
        duplicates[report.source] = duplicates.get(report.source, 0) + report.counts.unchanged
    processed = processing.process_pending(app.store, settings=app.settings, draft=False)
    enriched, clustered = processed.enriched, processed.clustered
    summary = source_summary(app.store, duplicates)
    composed = None
    files: dict[str, Path] = {}
    if manifest.get("brief"):
        composed = compose.compose_brief(app.store, manifest["brief"]["from"], manifest["brief"]["to"])
        out.mkdir(parents=True, exist_ok=True)
        for fmt in ("markdown", "html", "telegram", "json"):
            files[fmt] = out / f"brief{formats.get(fmt).suffix}"
            files[fmt].write_text(composed.render(fmt), encoding="utf-8")
    if as_json:
        print_json({
            "sources": summary,
            "ingest": [r.as_dict() for r in reports],
            "archive": None if imported is None else {"briefs": imported.briefs, "errors": imported.errors},
            "enrich": enriched.as_dict(),
            "stories": clustered.as_dict(),
            "brief": None if composed is None else composed.as_dict(),
            "files": {k: str(v) for k, v in files.items()},
        })  # fmt: skip
        return
    table = Table(title=f"Sample sources in {folder}")
    for column in ("source", "items", "languages", "from (UTC)", "to (UTC)", "duplicates skipped"):
        table.add_column(column, justify="right" if column in ("items", "duplicates skipped") else "left")
    for row in summary:
        table.add_row(row["source"], str(row["items"]), ", ".join(row["languages"]) or "—", row["first"],
                      row["last"], str(row["duplicates_skipped"]))  # fmt: skip
    app.console.print(table)
    bad = sum(len(r.bad) for r in reports)
    app.console.print(
        f"{sum(r['items'] for r in summary)} items from {len(summary)} sources; {bad} bad records skipped; "
        f"{enriched.relevant} of {enriched.enriched} enriched items on the beat.",
        highlight=False,
    )
    if composed is not None:
        app.out.print(files["markdown"].read_text(encoding="utf-8"), markup=False, highlight=False)
        written = ", ".join(str(p) for p in files.values())
        app.console.print(f"Wrote {written}", highlight=False)
    demo_editor(app)


DEMO_EDITOR = ("editor@demo.example", "demo-editor-password")


def demo_editor(app: AppContext) -> None:
    """Create the demo editor account (once) and print how to open the app on the demo data."""
    from mobrief.web import auth

    email, password = DEMO_EDITOR
    if app.store.users.by_email(email) is None:
        app.store.users.add(email, auth.hash_password(password), "editor")
    app.console.print(
        "\nOpen the editors' app on this data:\n"
        f"  MOBRIEF_SECRET_KEY=demo-only-secret {sys.argv[0]} --db {app.settings.database_url} serve\n"
        f"  then http://127.0.0.1:8000/login as {email} / {password}",
        highlight=False,
        markup=False,
    )


COMMANDS: list[click.Command] = [demo]
