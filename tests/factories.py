"""Record factories for tests: make_item(**overrides)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mobrief.records import Item

BASE_TIME = dt.datetime(2024, 6, 2, 9, 0, tzinfo=dt.UTC)


def make_item(n: int = 1, **overrides: Any) -> Item:
    """An item with plausible defaults; `n` varies the id, time and text."""
    values: dict[str, Any] = {
        "source": "test-channel",
        "external_id": str(n),
        "url": f"https://t.me/test_channel/{n}",
        "published_at": BASE_TIME + dt.timedelta(minutes=n),
        "title": "",
        "text": f"Сообщение номер {n}: в военкомате прошла проверка.",
        "raw": {"id": n},
    }
    values.update(overrides)
    return Item(**values)


def write_telegram_export(path: Path, messages: int, *, name: str = "Тестовый канал") -> None:
    """A single-chat Telegram Desktop export of `messages` posts, streamed to disk (plain and mixed text)."""
    import json

    base = int(BASE_TIME.timestamp())
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"name": name, "type": "public_channel", "id": 1001})[:-1] + ', "messages": [\n')
        for n in range(1, messages + 1):
            words = (
                f"Сообщение {n}: в военкомате №{n % 97} раздали {n % 13} повесток, матери мобилизованных недовольны."
            )
            message: dict[str, Any] = {
                "id": n,
                "type": "message",
                "date": "2024-06-02T12:00:00",
                "date_unixtime": str(base + n * 30),
                "from": name,
                "text": [
                    words,
                    {"type": "text_link", "text": " источник", "href": f"https://example.test/{n}"},
                ]
                if n % 3 == 0
                else words,
            }
            out.write(("," if n > 1 else "") + json.dumps(message, ensure_ascii=False) + "\n")
        out.write("]}\n")


def add_story(
    store: Any,
    items: list[Item],
    *,
    relevant: bool = True,
    section: str | None = "legal",
    lang: str = "ru",
    entities: tuple[dict[str, Any], ...] = (),
    places: tuple[dict[str, Any], ...] = (),
    amounts: tuple[dict[str, Any], ...] = (),
    title: str = "",
) -> int:
    """Store `items` as one enriched story (as `mobrief enrich` would leave them) and return the story id."""
    import sqlalchemy as sa

    from mobrief.store import stories as story_store
    from mobrief.store.schema import item_enrichments, sources
    from mobrief.store.schema import items as items_table

    store.items.upsert(items, kind="test")
    now = BASE_TIME
    with store.engine.begin() as conn:
        ids = []
        for item in items:
            item_id = conn.execute(
                sa.select(items_table.c.id)
                .join(sources, sources.c.id == items_table.c.source_id)
                .where(sources.c.name == item.source, items_table.c.external_id == item.external_id)
            ).scalar_one()
            ids.append(item_id)
            conn.execute(sa.delete(item_enrichments).where(item_enrichments.c.item_id == item_id))
            conn.execute(
                item_enrichments.insert().values(
                    item_id=item_id,
                    lang=item.lang or lang,
                    relevance=0.9 if relevant else 0.1,
                    is_relevant=relevant,
                    section=section,
                    section_confidence=0.8,
                    entities=list(entities),
                    places=list(places),
                    amounts=list(amounts),
                    stage_versions={},
                    updated_at=now,
                )
            )
        times = [i.published_at for i in items]
        story_id = story_store.insert_story(
            conn,
            {
                "title": title or items[0].text[:60],
                "first_seen": min(times),
                "last_seen": max(times),
                "outlets": sorted({i.source for i in items}),
                "places": [],
                "section": section,
            },
        )
        story_store.insert_story_items(
            conn, [{"item_id": i, "story_id": story_id, "method": "test", "score": 1.0} for i in ids]
        )
    return int(story_id)


def store_unchecked_draft(
    store: Any, story_id: int, text: str = "According to a report, 99 people were detained."
) -> None:
    """Give a story a machine draft the fact guard found fault with (as a backend's invented number would)."""
    from mobrief.records import NEEDS_CHECK, DraftSentence, Finding, StoryDraft

    item_ids = tuple(i.item_id for i in store.stories.items_of(story_id))
    store.story_drafts.save_many(
        [
            StoryDraft(
                story_id=story_id,
                text=text,
                status=NEEDS_CHECK,
                backend="frames",
                backend_version="test",
                sentences=(DraftSentence(text=text, item_id=item_ids[0], start=0, end=10, source_text="…"),),
                findings=(Finding(kind="number", text="99", message="99 is not in the reports"),),
                item_ids=item_ids,
            )
        ]
    )
