"""The records drafting reads: a story's reports and the house knowledge a draft is written with (the draft
itself, `StoryDraft`, is a shared record: the store keeps it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mobrief.records import DRAFTED, NEEDS_CHECK, DraftSentence, Finding, StoryDraft

__all__ = ["DRAFTED", "NEEDS_CHECK", "DraftContext", "DraftSentence", "Finding", "Report", "StoryDraft", "StoryReports"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """One report of a story, with what enrichment found in it (offsets are into `text`)."""

    item_id: int
    outlet: str
    text: str
    published_at: dt.datetime
    title: str = ""
    url: str | None = None
    lang: str | None = None
    relevance: float | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    places: tuple[Mapping[str, Any], ...] = ()
    amounts: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryReports:
    """What a backend drafts from: a story and its reports."""

    story_id: int
    reports: tuple[Report, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftContext:
    """House knowledge a draft is written with: how outlets and names are spelled, and the glossary."""

    outlet_names: Mapping[str, str] = field(default_factory=dict)  # outlet as stored → as the brief names it
    namer: Callable[[str], str] | None = None  # or a function that names it (the brief's outlet names)
    overrides: Mapping[str, str] = field(default_factory=dict)  # Russian spelling → house spelling
    glossary_terms: tuple[str, ...] = ()  # house spellings of glossed names ("Rosgvardia", "State Duma")

    def outlet(self, name: str) -> str:
        return self.namer(name) if self.namer is not None else self.outlet_names.get(name, name)


def without_aside(outlet: str) -> str:
    """An outlet's name as an attribution gives it, without a bracketed aside ("Dzen (citing RIA Novosti)" → "Dzen")."""
    return re.sub(r"\s*\([^)]*\)", "", outlet).strip() or outlet
