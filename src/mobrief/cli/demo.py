"""Command: `demo`, the main job on a folder of sample sources described by its `sources.toml`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from rich.table import Table

from mobrief import pipeline
from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.cli.ingest import run_ingest
from mobrief.errors import ConfigError
from mobrief.store import Store
from mobrief.store.schema import item_enrichments, items, sources


def read_manifest(folder: Path) -> list[dict[str, Any]]:
    """The `[[source]]` entries of `folder/sources.toml`: kind, location (relative to the folder), options."""
    path = folder / "sources.toml"
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the sample manifest: {exc}") from exc
    entries = manifest.get("source", [])
    for n, entry in enumerate(entries):
        if "kind" not in entry or "location" not in entry:
            raise ConfigError(f"{path}: [[source]] #{n + 1} needs `kind` and `location`")
    return list(entries)


def source_summary(store: Store, duplicates: dict[str, int]) -> list[dict[str, Any]]:
    """Per source: items, languages seen, time span, and duplicates skipped in this run."""
    lang = sa.func.coalesce(item_enrichments.c.lang, items.c.lang)
    query = (
        sa.select(sources.c.name, lang.label("lang"), sa.func.count(), sa.func.min(items.c.published_at),
                  sa.func.max(items.c.published_at))
        .select_from(items.join(sources, sources.c.id == items.c.source_id)
                     .outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id))
        .group_by(sources.c.name, lang)
        .order_by(sources.c.name)
    )  # fmt: skip
    rows: dict[str, dict[str, Any]] = {}
    with store.engine.connect() as conn:
        for name, language, count, first, last in conn.execute(query):
            row = rows.setdefault(
                name, {"source": name, "items": 0, "languages": [], "first": first, "last": last}
            )
            row["items"] += count
            if language:
                row["languages"].append(language)
            row["first"], row["last"] = min(row["first"], first), max(row["last"], last)
    for row in rows.values():
        row["duplicates_skipped"] = duplicates.get(row["source"], 0)
        row["first"] = row["first"].strftime("%Y-%m-%d %H:%M")
        row["last"] = row["last"].strftime("%Y-%m-%d %H:%M")
        row["languages"] = sorted(row["languages"])
    return list(rows.values())


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), default="examples")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"))
@json_option
@pass_app
def demo(app: AppContext, folder: Path, out: Path, as_json: bool) -> None:
    """Ingest every sample source listed in FOLDER/sources.toml and summarise what was stored."""
    reports: list[pipeline.IngestReport] = []
    for entry in read_manifest(folder):
        location = (
            str(folder / entry["location"]) if entry["kind"] != "telegram-channel" else entry["location"]
        )
        reports.append(run_ingest(app, entry["kind"], location, dict(entry.get("options", {}))))
    duplicates: dict[str, int] = {}
    for report in reports:
        skipped = report.counts.unchanged + max(report.read - sum(report.sources_seen.values()), 0)
        duplicates[report.source] = duplicates.get(report.source, 0) + skipped
    summary = source_summary(app.store, duplicates)
    if as_json:
        print_json({"sources": summary, "ingest": [r.as_dict() for r in reports]})
        return
    table = Table(title=f"Sample sources in {folder}")
    for column in ("source", "items", "languages", "from (UTC)", "to (UTC)", "duplicates skipped"):
        table.add_column(column, justify="right" if column in ("items", "duplicates skipped") else "left")
    for row in summary:
        table.add_row(row["source"], str(row["items"]), ", ".join(row["languages"]) or "—", row["first"],
                      row["last"], str(row["duplicates_skipped"]))  # fmt: skip
    app.out.print(table)
    bad = sum(len(r.bad) for r in reports)
    app.out.print(
        f"{sum(r['items'] for r in summary)} items from {len(summary)} sources; {bad} bad records skipped."
    )


COMMANDS: list[click.Command] = [demo]
