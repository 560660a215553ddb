"""Import the briefs a newsroom published before into its archive: each file on its own, so one that fails is
reported and the others still go in; importing the same file again changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobrief.brief import archive_import
from mobrief.errors import BadRecord, MobriefError
from mobrief.store import Store

IMPORTABLE_SUFFIXES = archive_import.HTML_SUFFIXES | archive_import.MARKDOWN_SUFFIXES | {".txt", ".text"}


@dataclass
class ImportSummary:
    """What one import did, counted over all its files."""

    files: int = 0
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    sections: int = 0
    paragraphs: int = 0
    briefs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def line(self) -> str:
        """ "2 briefs (1 new, 1 replaced, 0 unchanged), 9 paragraphs": what an import did, in a line."""
        briefs = self.new + self.replaced + self.unchanged
        counts = f"{self.new} new, {self.replaced} replaced, {self.unchanged} unchanged"
        return f"{briefs} brief{'s' if briefs != 1 else ''} ({counts}), {self.paragraphs} paragraphs"


def import_files(
    store: Store,
    files: Sequence[Path],
    hint: dt.date | None,
    *,
    starting: Callable[[Path], None] | None = None,
    failed: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import every file (`hint`: the publication day when a file does not say); `starting` hears of each file
    before it is read, `failed` of each file's error, as it happens."""
    summary = ImportSummary()
    for path in files:
        if starting:
            starting(path)
        try:
            for brief in archive_import.read_briefs(path, hint=hint):
                brief_id, outcome = store.briefs.upsert(brief)
                setattr(summary, outcome, getattr(summary, outcome) + 1)
                summary.sections += len(brief.sections)
                summary.paragraphs += sum(len(s.paragraphs) for s in brief.sections)
                summary.briefs.append({"id": brief_id, "file": str(path), "title": brief.title, "outcome": outcome})
            summary.files += 1
        except MobriefError as exc:
            summary.errors.append({"file": str(path), "error": str(exc)})
            if failed:
                failed(str(exc))
    return summary


def import_upload(
    store: Store,
    name: str,
    data: bytes,
    *,
    hint: dt.date | None = None,
    progress: Callable[[str, int | None, int | None], None] | None = None,
) -> ImportSummary:
    """Import one uploaded file (its bytes and the name the editor's computer gave it): every brief in it, or,
    when the file is bad, none, with an error naming the file and the line at fault. A brief whose title names
    no day that exists is such an error here, where `archive import` stores it undated."""
    tell = progress or (lambda _stage, _done, _total: None)
    tell("reading the file", None, None)
    briefs = archive_import.read_data(data, name, hint=hint)
    for brief in briefs:
        if brief.period_start is None or brief.period_end is None:
            reason = f"the title {brief.title!r} names no day that exists (check its dates)"
            raise BadRecord(name, archive_import.line_of(data, brief.title), None, reason)
    summary = ImportSummary(files=1)
    for done, brief in enumerate(briefs, 1):
        tell("storing the briefs", done - 1, len(briefs))
        brief_id, outcome = store.briefs.upsert(brief)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.sections += len(brief.sections)
        summary.paragraphs += sum(len(s.paragraphs) for s in brief.sections)
        summary.briefs.append({"id": brief_id, "file": name, "title": brief.title, "outcome": outcome})
    return summary
