"""Over HTTP: a digest's parts reach the inbox below the day's reports, and each says which post it came from.

Every text here is written for these tests.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from mobrief.newsroom import ingest, processing
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.schema import items, story_items

pytestmark = pytest.mark.anyio

DAY = dt.datetime(2024, 6, 3, tzinfo=dt.UTC)
DIGEST = (
    "Главное за день\n\n"
    "▪️ Военкомат Перми начал рассылать повестки выпускникам колледжей через портал госуслуг.\n"
    "▪️ Суд в Уфе арестовал двух подростков по делу о поджоге релейного шкафа на железной дороге.\n"
    "▪️ Мэрия открыла после ремонта мост через реку в центре города.\n"
    "▪️ Синоптики обещают похолодание и снегопад к выходным."
)


def _stream(store: Store) -> None:
    posts = [
        Item(
            source="svodka",
            external_id="100",
            url="https://t.me/svodka/100",
            published_at=DAY + dt.timedelta(hours=20),
            text=DIGEST,
        ),
        Item(
            source="mediazona",
            external_id="m-9",
            url="https://zona.media/news/9",
            published_at=DAY + dt.timedelta(hours=9),
            text="Суд в Калуге приговорил студента к шести годам колонии за попытку поджечь военкомат.",
        ),
    ]
    ingest.ingest_items(store, posts, kind="jsonl")
    processing.process_pending(store, settings=Settings(database_url=str(store.engine.url)), draft=False)


async def test_a_digests_parts_sit_below_the_days_report_and_name_their_post(browser, newsroom, web_store) -> None:
    _stream(web_store)
    await browser.sign_in("editor")
    inbox = (await browser.get("/inbox")).text
    assert "Главное за день" not in inbox  # the post is told by its parts
    report, perm, ufa = (inbox.index(s) for s in ("Суд в Калуге", "Военкомат Перми", "Суд в Уфе"))
    assert report < min(perm, ufa)
    assert "Синоптики" not in inbox and "Мэрия" not in inbox  # parts off the beat stay off it
    assert inbox.count(">from a digest<") == 2 and inbox.index(">from a digest<") > report  # the two parts
    with web_store.engine.connect() as conn:
        story_id = conn.execute(
            sa.select(story_items.c.story_id).join(items).where(items.c.external_id == "100#part-1")
        ).scalar_one()
    page = (await browser.get(f"/stories/{story_id}")).text
    assert re.search(r'class="badge digest"[^>]*>part 1 of a digest post<', page)
    assert 'href="https://t.me/svodka/100"' in page  # the whole post, where the part was read


async def test_a_part_its_post_no_longer_tells_says_so_on_the_story_page(browser, newsroom, web_store) -> None:
    _stream(web_store)
    with web_store.engine.connect() as conn:
        story_id = conn.execute(
            sa.select(story_items.c.story_id).join(items).where(items.c.external_id == "100#part-2")
        ).scalar_one()
    await browser.sign_in("editor")
    assert "deleted upstream" not in (await browser.get(f"/stories/{story_id}")).text
    edited = Item(  # the channel cut its digest down to one story: the Ufa arrest is no longer in the post
        source="svodka",
        external_id="100",
        url="https://t.me/svodka/100",
        published_at=DAY + dt.timedelta(hours=20),
        text="Военкомат Перми начал рассылать повестки выпускникам колледжей через портал госуслуг.",
    )
    ingest.ingest_items(web_store, [edited], kind="jsonl")
    page = (await browser.get(f"/stories/{story_id}")).text
    assert "Суд в Уфе" in page  # still citable
    assert re.search(r'class="badge deleted"[^>]*>deleted upstream<', page)
