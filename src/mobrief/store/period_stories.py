"""What composing reads: the relevant stories of a period, their reports and the briefs they continue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mobrief.records import EarlierBrief, PeriodItem, PeriodStory, PublishedParagraph, utc
from mobrief.store import id_lists, json_columns, relevance
from mobrief.store.database import reading
from mobrief.store.schema import (
    brief_paragraphs,
    brief_sections,
    briefs,
    item_enrichments,
    items,
    sources,
    stories,
    story_items,
    story_links,
)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00 UTC, day after end 00:00 UTC): an item exactly at midnight belongs to the day it opens."""
    low = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return low, high


def story_items_query(story_ids: Sequence[int], dialect: str) -> sa.Select[Any]:
    """The kept reports of stories with what enrichment found in them, oldest first (rows for `period_items`,
    which reads the columns in this order); `dialect` is the name of the engine's."""
    return _reports(items.join(story_items, story_items.c.item_id == items.c.id)).where(
        id_lists.among(story_items.c.story_id, story_ids, dialect)
    )


def period_reports_query(start: dt.date, end: dt.date) -> sa.Select[Any]:
    """The kept reports published in a period of the stories an editor has not skipped, as `story_items_query`
    reads them: the stories that have one are the period's (read from the reports, not asked first)."""
    low, high = _bounds(start, end)
    joined = items.join(story_items, story_items.c.item_id == items.c.id).join(
        stories, stories.c.id == story_items.c.story_id
    )
    return _reports(joined).where(items.c.published_at >= low, items.c.published_at < high, stories.c.status != "skip")


def _reports(joined: sa.Join) -> sa.Select[Any]:
    """Kept reports from `joined` (items with the stories they are in), with their outlet and enrichment."""
    return (
        sa.select(
            story_items.c.story_id,
            items.c.id,
            sources.c.name.label("outlet"),
            items.c.url,
            items.c.published_at,
            items.c.title,
            items.c.text,
            sa.func.coalesce(item_enrichments.c.lang, items.c.lang).label("lang"),
            item_enrichments.c.relevance,
            item_enrichments.c.is_relevant,
            sa.func.coalesce(item_enrichments.c.editor_section, item_enrichments.c.section).label("section"),
            # as text, decoded below: most items have no places or amounts, and "[]" needs no parser
            json_columns.as_text(item_enrichments.c.entities),
            json_columns.as_text(item_enrichments.c.places),
            json_columns.as_text(item_enrichments.c.amounts),
        )
        .select_from(
            joined.join(sources, sources.c.id == items.c.source_id).join(
                item_enrichments, item_enrichments.c.item_id == items.c.id
            )
        )
        .where(relevance.kept())
        .order_by(items.c.published_at, items.c.id)
    )


def period_items(rows: Sequence[Any]) -> list[tuple[int, PeriodItem]]:
    """Rows of `story_items_query` as (story id, PeriodItem): the rows unpacked by position and their JSON lists
    decoded in one call (per-row attribute access and 30,000 separate decodes cost a third of loading a period)."""
    lists = json_columns.decode_lists([text for row in rows for text in row[-3:]])
    found = []
    for at, row in enumerate(rows):
        story_id, item_id, outlet, url, published_at, title, text, lang, relevance, is_relevant, section = row[:-3]
        found.append(
            (
                story_id,
                PeriodItem(
                    id=item_id,
                    outlet=outlet,
                    url=url,
                    published_at=utc(published_at),
                    title=title,
                    text=text,
                    lang=lang,
                    relevance=relevance,
                    is_relevant=is_relevant,
                    section=section,
                    entities=lists[3 * at],
                    places=lists[3 * at + 1],
                    amounts=lists[3 * at + 2],
                ),
            )
        )
    return found


def _unique_briefs(found: Sequence[EarlierBrief]) -> tuple[EarlierBrief, ...]:
    seen: dict[int, EarlierBrief] = {}
    for brief in found:
        seen.setdefault(brief.brief_id, brief)
    return tuple(seen.values())


class PeriodRepository:
    """What composing and the brief editor read about periods: a period's relevant stories with their kept
    reports and the briefs they continue, the published paragraphs a story may continue, and which briefs meet a
    period."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def relevant_story_ids(self, start: dt.date, end: dt.date) -> list[int]:
        """Stories not skipped by an editor with a kept report published inside the period."""
        low, high = _bounds(start, end)
        query = (
            sa.select(story_items.c.story_id)
            .select_from(
                items.join(story_items, story_items.c.item_id == items.c.id)
                .join(item_enrichments, item_enrichments.c.item_id == items.c.id)
                .join(stories, stories.c.id == story_items.c.story_id)
            )
            .where(
                items.c.published_at >= low, items.c.published_at < high, relevance.kept(), stories.c.status != "skip"
            )
            .group_by(story_items.c.story_id)
            .order_by(story_items.c.story_id)
        )
        with reading(self.engine) as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def load_period_stories(self, start: dt.date, end: dt.date) -> list[PeriodStory]:
        """Relevant stories of a period, each with its kept reports in the period and the briefs it continues."""
        dialect = self.engine.dialect.name
        story_items_of: dict[int, list[PeriodItem]] = {}
        with reading(self.engine) as conn:
            for story_id, item in period_items(conn.execute(period_reports_query(start, end)).all()):
                story_items_of.setdefault(story_id, []).append(item)
            ids = sorted(story_items_of)
            # only what an entry needs: a story's JSON columns (outlets, places, its clustering signature) are
            # not decoded for each of 10,000 stories
            story_query = sa.select(
                stories.c.id,
                stories.c.title,
                stories.c.section,
                stories.c.pinned,
                stories.c.entry_text,
                stories.c.last_seen,
            ).where(id_lists.among(stories.c.id, ids, dialect))
            story_rows = {row[0]: row for row in conn.execute(story_query).all()}
            earlier_query = (
                sa.select(
                    story_links.c.story_id,
                    story_links.c.earlier_story_id,
                    story_links.c.score,
                    briefs.c.id.label("brief_id"),
                    briefs.c.title,
                    briefs.c.url,
                    briefs.c.period_end,
                )
                .select_from(
                    story_links.join(brief_paragraphs, brief_paragraphs.c.story_id == story_links.c.earlier_story_id)
                    .join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id)
                    .join(briefs, briefs.c.id == brief_sections.c.brief_id)
                )
                .where(id_lists.among(story_links.c.story_id, ids, dialect), briefs.c.status == "published")
                .order_by(story_links.c.score.desc(), briefs.c.period_end.desc())
            )
            earlier_of: dict[int, list[EarlierBrief]] = {}
            for link in conn.execute(earlier_query):
                earlier_of.setdefault(link.story_id, []).append(
                    EarlierBrief(
                        brief_id=link.brief_id,
                        title=link.title,
                        url=link.url,
                        period_end=link.period_end,
                        story_id=link.earlier_story_id,
                        score=float(link.score),
                    )
                )
        found = []
        for story_id in ids:
            row = story_rows.get(story_id)
            if row is None:
                continue
            _, title, section, pinned, entry_text, last_seen = row
            found.append(
                PeriodStory(
                    id=story_id,
                    title=title,
                    section=section,
                    pinned=bool(pinned),
                    entry_text=entry_text,
                    last_seen=utc(last_seen),
                    items=tuple(story_items_of[story_id]),
                    earlier=_unique_briefs(earlier_of.get(story_id, ())),
                )
            )
        return found

    def draft_for_period(self, start: dt.date, end: dt.date) -> int | None:
        """The draft of exactly this period, if one exists (the newest when several do)."""
        query = (
            sa.select(briefs.c.id)
            .where(
                briefs.c.status == "draft",
                briefs.c.period_start == start,
                briefs.c.period_end == end,
                briefs.c.corrects_brief_id.is_(None),  # a correction of a published brief is not the period's draft
            )
            .order_by(briefs.c.id.desc())
        )
        with reading(self.engine) as conn:
            value = conn.execute(query).scalar()
        return None if value is None else int(value)

    def published_paragraphs_between(self, low: dt.date, high: dt.date) -> list[PublishedParagraph]:
        """Paragraphs of briefs published for periods ending in [low, high), newest brief first."""
        query = (
            sa.select(briefs.c.id, briefs.c.title, briefs.c.url, briefs.c.period_end, brief_paragraphs.c.text)
            .select_from(
                briefs.join(brief_sections, brief_sections.c.brief_id == briefs.c.id).join(
                    brief_paragraphs, brief_paragraphs.c.section_id == brief_sections.c.id
                )
            )
            .where(briefs.c.status == "published", briefs.c.period_end >= low, briefs.c.period_end < high)
            .order_by(
                briefs.c.period_end.desc(),
                briefs.c.id.desc(),
                brief_sections.c.position,
                brief_paragraphs.c.position,
            )
        )
        with reading(self.engine) as conn:
            return [
                PublishedParagraph(brief_id=r.id, title=r.title, url=r.url, period_end=r.period_end, text=r.text)
                for r in conn.execute(query)
            ]

    def latest_unpublished_day(self) -> dt.date | None:
        """The day of the newest report of a story on the beat that no published brief tells yet (skipped stories
        aside): where a new draft's period should end."""
        told = (
            sa.select(brief_paragraphs.c.story_id)
            .join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id)
            .join(briefs, briefs.c.id == brief_sections.c.brief_id)
            .where(briefs.c.status == "published", brief_paragraphs.c.story_id.is_not(None))
        )
        kept = (
            sa.select(sa.literal(1))
            .select_from(story_items.join(item_enrichments, item_enrichments.c.item_id == story_items.c.item_id))
            .where(story_items.c.story_id == stories.c.id, relevance.kept())
        )
        query = (
            sa.select(stories.c.last_seen)
            .where(stories.c.status != "skip", kept.exists(), stories.c.id.not_in(told))
            .order_by(stories.c.last_seen.desc())
            .limit(1)
        )
        with reading(self.engine) as conn:
            value = conn.execute(query).scalar()
        return None if value is None else utc(value).date()

    def last_published_end(self) -> dt.date | None:
        """The last day covered by a published brief."""
        with reading(self.engine) as conn:
            value = conn.execute(
                sa.select(sa.func.max(briefs.c.period_end)).where(briefs.c.status == "published")
            ).scalar()
        return value

    def overlapping_briefs(self, start: dt.date, end: dt.date) -> list[tuple[int, str, str, dt.date, dt.date]]:
        """Drafts and published briefs whose period meets [start, end]: (id, title, status, period start, end)."""
        query = (
            sa.select(briefs.c.id, briefs.c.title, briefs.c.status, briefs.c.period_start, briefs.c.period_end)
            .where(
                briefs.c.status.in_(["draft", "published"]),
                briefs.c.corrects_brief_id.is_(None),
                briefs.c.period_start <= end,
                briefs.c.period_end >= start,
            )
            .order_by(briefs.c.period_end.desc(), briefs.c.id.desc())
        )
        with reading(self.engine) as conn:
            return [(r.id, r.title, r.status, r.period_start, r.period_end) for r in conn.execute(query)]
