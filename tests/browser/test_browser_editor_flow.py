"""An editor's day in a real chromium against a real `mobrief serve`: sign in, triage, write, lint, publish.

Also proves in the browser that hostile source text never runs: no dialog opens and no injected script sets
its marker. Screenshots of each main page go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mobrief.records import Amount, Enrichment, Item, Place
from mobrief.store import open_store
from mobrief.store.schema import stories, story_items
from mobrief.web import auth

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery"
DAY = dt.datetime(2024, 6, 3, 8, 0, tzinfo=dt.UTC)
HOSTILE = (
    "<script>window.__pwned = 1; alert('xss')</script> Военкомат "
    '<img src=x onerror="window.__pwned = 2; alert(2)"> '
    '<a href="javascript:window.__pwned = 3">click</a> <b>broken <i>html'
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must install it (apt-get install chromium; pip install playwright)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _story(conn: Any, title: str, item_ids: list[int], section: str | None, first: dt.datetime) -> int:
    result = conn.execute(
        stories.insert().values(
            title=title,
            first_seen=first,
            last_seen=first,
            outlets=[],
            places=[],
            section=section,
            status="new",
            pinned=False,
            updated_at=dt.datetime.now(dt.UTC),
        )
    )
    story_id = int(result.inserted_primary_key[0])
    conn.execute(
        story_items.insert(),
        [{"item_id": i, "story_id": story_id, "method": "new", "score": 1.0} for i in item_ids],
    )
    return story_id


def _seed(url: str) -> dict[str, int]:
    store = open_store(url)
    try:
        store.users.add("editor@example.org", auth.hash_password(PASSWORD), "editor")
        batch = [
            Item(
                source="vyorstka",
                external_id="1",
                url="https://t.me/vyorstka/1",
                published_at=DAY,
                text="В Белгородской области военкомат выплатил 3 млн рублей семье мобилизованного.",
            ),
            Item(
                source="mediazona",
                external_id="2",
                url="javascript:alert(1)",
                published_at=DAY + dt.timedelta(hours=1),
                text=HOSTILE,
            ),
            Item(
                source="mediazona",
                external_id="3",
                url="https://zona.media/3",
                published_at=DAY + dt.timedelta(hours=2),
                text="Суд в Перми приговорил дезертира к шести годам колонии.",
            ),
        ]
        store.items.upsert(batch, kind="jsonl")
        ids = {i.external_id: int(i.id or 0) for i in store.items.page(limit=10)}
        place = Place(key="belgorod-region", name="the Belgorod region", text="Белгородской области")
        money = Amount(currency="RUB", value=3_000_000.0, text="3 млн рублей", usd=33_600.0)
        store.enrichments.save_many(
            [
                Enrichment(
                    item_id=ids["1"],
                    lang="ru",
                    relevance=0.9,
                    is_relevant=True,
                    section="recruitment",
                    places=(place,),
                    amounts=(money,),
                ),
                Enrichment(item_id=ids["2"], lang="ru", relevance=0.6, is_relevant=True, section="legal"),
                Enrichment(item_id=ids["3"], lang="ru", relevance=0.95, is_relevant=True, section="legal"),
            ]
        )
        with store.engine.begin() as conn:
            return {
                "payment": _story(conn, "Военкомат выплатил 3 млн рублей", [ids["1"]], "recruitment", DAY),
                "hostile": _story(
                    conn, "<script>alert('title')</script>", [ids["2"]], "legal", DAY + dt.timedelta(hours=1)
                ),
                "sentence": _story(conn, "Суд приговорил дезертира", [ids["3"]], "legal", DAY + dt.timedelta(hours=2)),
            }
    finally:
        store.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """A real `mobrief serve` subprocess on a free port, over a seeded SQLite store."""
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    story_ids = _seed(url)
    port = _free_port()
    env = {**os.environ, "MOBRIEF_SECRET_KEY": "browser-test-secret-0123456789"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mobrief", "--db", url, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"mobrief serve did not start: {output}")
            time.sleep(0.2)
        yield base, story_ids
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture
def page() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def test_editor_flow_from_inbox_to_feed(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    csp_errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_default_timeout(15_000)

    # sign in
    page.goto(base + "/inbox")
    assert page.url.startswith(base + "/login")
    page.fill("input[name=email]", "editor@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(base + "/inbox")
    page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)

    # triage: a section, two stories for the brief, one skipped — all through htmx, no reload
    row = f"#story-{ids['payment']}"
    page.select_option(f"{row} select[name=section]", "authorities")
    page.click(f"{row} button.set-section")
    page.wait_for_selector(f"{row} .badge.section:has-text('Authorities')")
    page.click(f"{row} button.status-brief")
    page.wait_for_selector(f"#story-{ids['payment']}.status-brief")
    page.click(f"#story-{ids['sentence']} button.status-brief")
    page.wait_for_selector(f"#story-{ids['sentence']}.status-brief")
    page.click(f"#story-{ids['hostile']} button.status-skip")
    page.wait_for_selector(f"#story-{ids['hostile']}.status-skip")

    # hostile text is shown, never run
    page.goto(base + f"/stories/{ids['hostile']}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1;" in page.inner_text(".source-text")
    assert page.locator(".report a[href^='javascript:']").count() == 0
    assert page.locator(".source-text img").count() == 0
    page.screenshot(path=str(ARTIFACTS / "story-hostile.png"), full_page=True)

    # write an entry on the story page
    page.goto(base + f"/stories/{ids['payment']}")
    page.fill(
        "textarea[name=entry_text]",
        "The Vyorstka media outlet reported that the military enlistment office "
        "in the Belgorod region paid 3 million rubles to a soldier's family.",
    )
    page.click("button:has-text('Save entry')")
    page.wait_for_selector("#entry-box .saved")
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)

    # compose a draft for the period
    page.goto(base + "/drafts")
    page.fill("input[name=start]", "2024-06-02")
    page.fill("input[name=end]", "2024-06-03")
    page.click("button:has-text('Compose draft')")
    page.wait_for_url("**/drafts/*")
    draft_url = page.url
    assert page.locator("article.entry").count() == 2

    # rewrite the other entry: the lint flags the unconverted rubles; one click applies the suggestion
    sentence = page.locator("article.entry", has=page.locator("a", has_text=f"story {ids['sentence']}"))
    sentence.locator("textarea").fill(
        "Mediazona reported that a court in Perm sentenced a deserter to six years and fined him 50,000 rubles."
    )
    sentence.locator("button.save-text").click()
    page.wait_for_selector("li.code-missing-conversion button.apply")
    page.click("li.code-missing-conversion button.apply")
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea[name=text]')].some(t => t.value.includes('50,000 rubles [$'))"
    )
    assert page.locator("li.code-missing-conversion").count() == 0
    page.screenshot(path=str(ARTIFACTS / "draft.png"), full_page=True)

    # move it to another section
    moved = page.locator("article.entry", has=page.locator("a", has_text=f"story {ids['sentence']}"))
    moved.locator("select[name=section]").select_option("soldiers")
    moved.locator("button.move-section").click()
    page.wait_for_selector("section.draft-section[data-section=soldiers] article.entry")
    headings = page.locator("section.draft-section h2").all_inner_texts()
    assert headings == [
        "Authorities and Relatives of Mobilized Soldiers",
        "Mobilized Soldiers, Volunteer Fighters and Contract Soldiers",
    ]

    # publish, then find the brief in the feed
    page.click("#publish")
    page.wait_for_url("**/briefs/*/mobilization-in-russia-for-june-2-3-2024")
    published_text = page.inner_text("article.brief")
    assert "50,000 rubles [$" in published_text and "Belgorod" in published_text
    page.screenshot(path=str(ARTIFACTS / "published.png"), full_page=True)
    published_url = page.url
    page.goto(base + "/archive")
    page.screenshot(path=str(ARTIFACTS / "archive.png"), full_page=True)
    feed = httpx.get(base + "/feed.atom").text
    assert "Mobilization in Russia for June 2–3, 2024" in feed
    assert published_url in feed
    assert draft_url != published_url

    assert dialogs == []
    assert csp_errors == []
