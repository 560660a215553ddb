"""Run the enrichment stages over one item, re-running only the stages whose version changed.

Each stage (language, relevance, entities, places, money, sections) has a version built from its code, its
data and its model, recorded per item in `stage_versions`; an item whose every stage is current is left
alone.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mobrief.enrich import archive_names, digests, entities, features, language, money, places, relevance, sections
from mobrief.item_limits import DEFAULT_MAX_TEXT_CHARS
from mobrief.records import DIGEST_OF, DIGEST_PARTS, Amount, Enrichment, Item

STAGES: tuple[str, ...] = ("language", "relevance", "entities", "places", "money", "sections")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrichOptions:
    """Everything the stages need, loaded once per run: languages, models, exchange rates, name overrides."""

    languages: tuple[str, ...] = ("ru", "uk", "en")
    relevance_model: relevance.RelevanceModel = field(default_factory=relevance.default_model)
    section_model: sections.SectionModel = field(default_factory=sections.default_model)
    rates: Any = None  # a style.rates.RateTable; None leaves `usd` of ruble amounts empty
    overrides: Mapping[str, str] = field(default_factory=dict)
    # people the archive printed, in its spelling; applied as found (an archive that grows does not re-run
    # the entities of every item)
    archive_names: archive_names.ArchiveNames = field(default_factory=archive_names.shipped)
    max_chars: int = DEFAULT_MAX_TEXT_CHARS  # of an item's text read; the store cuts longer texts at ingest

    def versions(self) -> dict[str, str]:
        """The current version of every stage."""
        return {
            "language": f"{language.VERSION}:{','.join(sorted(self.languages))}",
            "relevance": f"relevance-2:{self.relevance_model.version}:{digests.VERSION}",
            "entities": entities.version(),
            "places": places.version(),
            "money": money.VERSION + (":rates" if self.rates is not None else ""),
            "sections": f"sections-1:{self.section_model.version}",
        }


def default_rates() -> Any:
    """The shipped Bank of Russia table (a store adds the rows it fetched; see `newsroom.enrichment.enrich_options`)."""
    from mobrief.style import rates

    return rates.RateTable.shipped()


def _text(item: Item, max_chars: int = DEFAULT_MAX_TEXT_CHARS) -> str:
    """Title and text, as far as `max_chars`: an item stored before the size limit existed (or with a larger
    one) cannot make a stage's memory grow past what the limit allows."""
    text = f"{item.title}\n{item.text}".strip() if item.title else item.text
    return text[:max_chars]


def _amounts(item: Item, text: str, options: EnrichOptions) -> tuple[Amount, ...]:
    found = money.parse_amounts(text)
    if options.rates is None or not any(a.currency in ("RUB", "EUR") for a in found):
        return tuple(found)
    day = item.published_at.date()
    try:
        usd = options.rates.rate_on(day, "USD")
    except Exception as exc:  # RateUnavailable: outside the table; keep the amounts without dollars
        log.debug("no USD rate for %s: %s", day, exc)
        return tuple(found)
    try:
        eur = options.rates.rate_on(day, "EUR")
    except Exception:
        eur = None
    return tuple(money.with_usd(a, usd, eur) for a in found)


def enrich_item(item: Item, options: EnrichOptions, previous: Enrichment | None = None) -> Enrichment:
    """The enrichment of `item`: stages current in `previous` are kept, the others (re)computed."""
    if item.id is None:
        raise ValueError("only stored items (with an id) can be enriched")
    versions = options.versions()
    done = dict(previous.stage_versions) if previous is not None else {}
    stale = {name for name in STAGES if done.get(name) != versions[name]}
    result = previous or Enrichment(item_id=item.id)
    text = _text(item, options.max_chars)
    changes: dict[str, Any] = {}
    if "language" in stale:
        changes["lang"] = language.detect_language(text, languages=options.languages, declared=item.lang)
    lang = changes.get("lang", result.lang)
    feats = features.text_features(text) if stale & {"relevance", "sections"} else {}
    if "relevance" in stale:
        model = options.relevance_model
        score, decision = model.decide_features(feats)
        parts = digests.parts(text)
        if parts:
            # a digest of several stories is on the beat when one of its parts is, and never tops the inbox; one
            # whose parts ingest stored as reports of their own is told by them, and a recap by the reports it
            # names in passing, so neither lists a story itself (a recap drafted alone read as an event of its own)
            score = max(model.score(part) for part in parts)
            told_elsewhere = bool(item.raw.get(DIGEST_PARTS)) or digests.is_recap(parts)
            decision = score >= model.threshold and not told_elsewhere
            score = min(score, model.threshold)
        elif DIGEST_OF in item.raw:
            score = min(score, model.threshold)  # a digest's part is a lead: below the day's reports of their own
        changes["relevance"], changes["is_relevant"] = round(score, 4), decision
    if "entities" in stale:
        found = entities.find_entities(text, lang=lang, overrides=options.overrides)
        changes["entities"] = tuple(options.archive_names.respell(found))
    if "places" in stale:
        changes["places"] = tuple(places.find_places(text))
    if "money" in stale:
        changes["amounts"] = _amounts(item, text, options)
    if "sections" in stale:
        key, confidence = options.section_model.classify_features({**feats, **sections.layout_features(text)})
        editor = result.editor_section
        changes["section"], changes["section_confidence"] = (editor, 1.0) if editor else (key, confidence)
    changes["stage_versions"] = {name: versions[name] for name in STAGES}
    return dataclasses.replace(result, **changes)
