"""The JSON API and its OpenAPI page (both backends)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_items_api(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    items = (await browser.get("/api/items", params={"limit": 2})).json()
    assert [i["external_id"] for i in items] == ["post-5", "m-4"]
    assert items[0]["published_at"].startswith("2024-06-03T13:00:00")
    only = (await browser.get("/api/items", params={"source": "mediazona"})).json()
    assert {i["source"] for i in only} == {"mediazona"}
    found = (await browser.get("/api/items", params={"q": "военкоматы"})).json()
    assert {i["external_id"] for i in found} >= {"post-1", "m-2"}
    one = (await browser.get(f"/api/items/{newsroom.items['post-3']}")).json()
    assert one["text"].startswith("<script>")  # JSON carries the text as it is; pages escape it
    assert (await browser.get("/api/items/9999")).status_code == 404
    assert (await browser.get("/api/items", params={"limit": 0})).status_code == 422


async def test_stories_api(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    stories = (await browser.get("/api/stories")).json()
    assert {s["id"] for s in stories} == set(newsroom.stories.values())
    payments = next(s for s in stories if s["id"] == newsroom.stories["payments"])
    assert payments["item_count"] == 2 and payments["places"] == ["the Belgorod region"]
    assert payments["amounts"][0]["currency"] == "RUB"
    relevant = (await browser.get("/api/stories", params={"relevant_only": "true", "section": "legal"})).json()
    assert {s["id"] for s in relevant} == {newsroom.stories["hostile"], newsroom.stories["sentence"]}
    detail = (await browser.get(f"/api/stories/{newsroom.stories['sentence']}")).json()
    assert detail["reports"][0]["entities"][0]["latin"] == "Alexei Pushkaryov"


async def test_briefs_api(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    assert (await browser.get("/api/briefs")).json() == []
    drafts = (await browser.get("/api/briefs", params={"status": "draft"})).json()
    assert [d["id"] for d in drafts] == [newsroom.draft_id]
    brief = (await browser.get(f"/api/briefs/{newsroom.draft_id}")).json()
    assert brief["title"] == "Mobilization in Russia for June 2–3, 2024" and brief["sections"] == []
    assert (await browser.get("/api/briefs", params={"status": "deleted"})).status_code == 422


async def test_openapi_documents_the_api(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    schema = (await browser.get("/openapi.json")).json()
    assert {
        "/api/items",
        "/api/items/{item_id}",
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/briefs",
        "/api/briefs/{brief_id}",
    } <= set(schema["paths"])
    assert not any(path.startswith("/inbox") for path in schema["paths"])  # pages are not API
    docs = await browser.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    policy = docs.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy  # no inline script, no CDN


async def test_search_api_pages_links_and_marks(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    first = (await browser.get("/api/search", params={"q": "военкоматы", "limit": 1})).json()
    assert (first["kind"], first["offset"], first["limit"], first["has_more"]) == ("reports", 0, 1, True)
    hit = first["hits"][0]
    assert hit["kind"] == "report" and hit["item_id"] in newsroom.items.values()
    start, end = hit["snippet"]["marks"][0]
    assert hit["snippet"]["text"][start:end].lower().startswith("военкомат")
    second = (await browser.get("/api/search", params={"q": "военкоматы", "limit": 1, "offset": 1})).json()
    assert second["hits"][0]["item_id"] != hit["item_id"]
    latin = (await browser.get("/api/search", params={"q": "Pushkaryov"})).json()
    assert [h["item_id"] for h in latin["hits"]] == [newsroom.items["post-5"]]
    assert latin["hits"][0]["story_id"] == newsroom.stories["sentence"]
    stories = (await browser.get("/api/search", params={"q": "Пушкарев", "kind": "stories"})).json()
    assert [(h["kind"], h["story_id"]) for h in stories["hits"]] == [("story", newsroom.stories["sentence"])]
    assert stories["hits"][0]["item_ids"] == [newsroom.items["post-5"]]
    paragraphs = (await browser.get("/api/search", params={"q": "Pushkaryov", "kind": "paragraphs"})).json()
    assert paragraphs["hits"] == [] and paragraphs["has_more"] is False
    assert (await browser.get("/api/search", params={"q": "x", "kind": "everything"})).status_code == 422
