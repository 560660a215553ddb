"""Pages a signed-in editor reads: inbox, story, drafts, archive, search, entity pages (both backends)."""

from __future__ import annotations

import pytest

from conftest import _item
from mobrief.store import open_store

pytestmark = pytest.mark.anyio


async def test_inbox_lists_relevant_new_stories_newest_first(browser, newsroom) -> None:
    await browser.sign_in("editor")
    response = await browser.get("/inbox")
    assert response.status_code == 200
    html = response.text
    assert "Суд приговорил Пушкарёва" in html
    assert "Военкомат выплатил 200 тыс. рублей" in html
    assert "Матч по футболу" not in html  # off the beat: hidden by default
    assert html.index("Суд приговорил Пушкарёва") < html.index("Военкомат выплатил")  # newest first
    assert "vyorstka, mediazona" in html or "mediazona, vyorstka" in html
    assert "the Belgorod region" in html
    assert "200 тыс. рублей" in html and "$2,240" in html


async def test_inbox_filters(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    everything = (await browser.get("/inbox", params={"relevant": "0"})).text
    assert "Матч по футболу" in everything
    legal = (await browser.get("/inbox", params={"section": "legal"})).text
    assert "Суд приговорил Пушкарёва" in legal and "Военкомат выплатил" not in legal
    by_source = (await browser.get("/inbox", params={"source": "mediazona"})).text
    assert "Военкомат выплатил" in by_source and "Суд приговорил" not in by_source
    searched = (await browser.get("/inbox", params={"q": "военкоматы"})).text
    assert "Военкомат выплатил" in searched and "Суд приговорил" not in searched
    dated = (await browser.get("/inbox", params={"since": "2024-06-04"})).text
    assert "No stories match" in dated
    by_lang = (await browser.get("/inbox", params={"lang": "en"})).text
    assert "No stories match" in by_lang
    partial = await browser.get(
        "/inbox", params={"section": "legal"}, headers={"HX-Request": "true", "HX-Target": "inbox-rows"}
    )
    assert partial.text.lstrip().startswith('<section id="inbox-rows"')


async def test_inbox_refuses_a_bad_date(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    response = await browser.get("/inbox", params={"since": "yesterday"})
    assert response.status_code == 400
    assert "not a date" in response.text


async def test_story_page_shows_every_report_and_extractions(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    response = await browser.get(f"/stories/{newsroom.stories['payments']}")
    assert response.status_code == 200
    html = response.text
    assert html.count('class="report"') == 2
    assert 'href="https://zona.media/news/2"' in html
    assert f'href="/snapshots/{newsroom.snapshot_id}"' in html
    assert "the Belgorod region" in html and "$2,240" in html
    sentence = (await browser.get(f"/stories/{newsroom.stories['sentence']}")).text
    assert "Alexei Pushkaryov" in sentence
    assert "/entities/person/" in sentence


async def test_missing_story_is_404(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    response = await browser.get("/stories/99999")
    assert response.status_code == 404
    assert "no story with id 99999" in response.text


async def test_entity_page_lists_mentions(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    response = await browser.get("/entities/person/Алексей Пушкарёв", params={"latin": "Alexei Pushkaryov"})
    assert response.status_code == 200
    assert "2024-06" in response.text
    assert "Перми" in response.text
    place = await browser.get("/entities/place/the Belgorod region", params={"q": "Белгородской области"})
    assert place.status_code == 200 and "vyorstka" in place.text
    assert (await browser.get("/entities/spaceship/x")).status_code == 404


async def test_search_finds_items_in_any_inflection(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    response = await browser.get("/search", params={"q": "военкоматы"})
    assert response.status_code == 200
    html = response.text
    assert f'href="/stories/{newsroom.stories["payments"]}#item-{newsroom.items["post-1"]}"' in html  # to the report
    assert f'href="/stories/{newsroom.stories["payments"]}"' in html  # and to its story
    assert '<mark class="fact fact-match" title="">военкомат</mark>' in html  # the matched word, marked
    latin = (await browser.get("/search", params={"q": "Pushkaryov", "kind": "reports"})).text
    assert f"#item-{newsroom.items['post-5']}" in latin  # a Latin name finds the Cyrillic report
    empty = await browser.get("/search")
    assert empty.status_code == 200 and "No report matches" not in empty.text


async def test_a_story_found_links_to_its_entry_in_each_draft(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    await browser.recompose(newsroom.draft_id)
    story = newsroom.stories["payments"]
    entry = web_store.drafts.story_entry(newsroom.draft_id, story)
    assert entry is not None
    html = (await browser.get("/search", params={"q": "военкомат", "kind": "stories"})).text
    assert f'href="/drafts/{newsroom.draft_id}#entry-{entry}">its entry in Mobilization in Russia' in html
    places = web_store.drafts.entries_telling_each([story, newsroom.stories["hostile"], 10**6])
    assert [p.entry_id for p in places[story]] == [entry] and 10**6 not in places


async def test_drafts_and_archive_pages(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    drafts = await browser.get("/drafts")
    assert drafts.status_code == 200
    assert "Mobilization in Russia for June 2–3, 2024" in drafts.text
    assert "Compose draft" not in drafts.text  # volunteers do not compose
    editor_view = await browser.get(f"/drafts/{newsroom.draft_id}")
    assert editor_view.status_code == 200 and "No entries yet" in editor_view.text
    archive = await browser.get("/archive")
    assert archive.status_code == 200 and "Nothing published yet" in archive.text


async def test_a_search_kept_while_nothing_is_committed_finds_what_another_process_ingests(
    browser, newsroom, web_store
) -> None:
    """The search page keeps what a search found while nothing is committed: an item another process ingests (the
    command line, a worker) is found at the next search."""
    await browser.sign_in("editor")
    before = (await browser.get("/search", params={"q": "дезертир"})).text
    assert (await browser.get("/search", params={"q": "дезертир"})).text == before  # kept: the same page
    assert "задержали" not in before
    other = open_store(web_store.engine.url.render_as_string(hide_password=False), migrate=False)
    try:
        other.items.upsert([_item(77, text="В Казани задержали дезертира с повесткой.")], kind="jsonl")
    finally:
        other.close()
    assert "задержали" in (await browser.get("/search", params={"q": "дезертир"})).text
