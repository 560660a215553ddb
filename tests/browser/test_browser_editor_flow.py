"""The editors' desk in a real chromium against a real `mobrief serve` (one server and one browser for the module):
keyboard triage, entries that save themselves without losing a keystroke, safe publishing, corrections and
withdrawals, merging and splitting stories, a phone's screen; hostile source text never runs.

Screenshots of each main page go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from factories import store_unchecked_draft
from mobrief.records import Amount, Enrichment, Item, Mention, Place
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
# (key, outlet, text, section, extras); every report is its own story unless grouped below
REPORTS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("payment", "vyorstka", "В Белгородской области военкомат выплатил 3 млн рублей семье мобилизованного.",
     "recruitment", {"places": "belgorod", "money": 3_000_000.0}),
    ("hostile", "mediazona", HOSTILE, "legal", {"url": "javascript:alert(1)"}),
    ("sentence", "mediazona", "Суд в Перми приговорил дезертира к шести годам колонии.", "legal", {}),
    ("picket", "sibir", "В Новосибирске жёны мобилизованных вышли на пикет у здания правительства.", "authorities", {}),
    ("picket-en", "siberian-times", "Wives of mobilized soldiers picketed the government building in Novosibirsk.",
     "authorities", {"lang": "en"}),
    ("arson", "uralsky", "В Екатеринбурге подожгли дверь военкомата, задержан студент.", "legal", {}),
    ("football", "uralsky", "Матч по футболу прошёл в Екатеринбурге при полных трибунах.", "legal", {}),
    ("kaluga", "mediazona", "Суд в Калуге приговорил студента Алексея Пушкарёва к шести годам колонии.", "legal",
     {"person": True}),
    ("conscripts", "mobi", "Матери срочников из Курской области обратились к омбудсмену.", "authorities", {}),
    ("contract", "mobi", "В Татарстане выплату семьям погибших добровольцев увеличили до 1 млн рублей.",
     "recruitment", {"money": 1_000_000.0}),
]  # fmt: skip
GROUPS = {"arson": ["arson", "football"]}  # one wrong story: a football report clustered with the arson
FILLER = 16  # more new stories, so the inbox fills a laptop's screen


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
        for role in ("volunteer", "editor"):
            store.users.add(f"{role}@example.org", auth.hash_password(PASSWORD), role)
        batch = [
            Item(
                source=outlet,
                external_id=key,
                url=extras.get("url", f"https://{outlet}.example/{key}"),
                published_at=DAY + dt.timedelta(minutes=10 * n),
                text=text,
                lang=extras.get("lang"),
            )
            for n, (key, outlet, text, _, extras) in enumerate(REPORTS)
        ]
        batch += [
            Item(
                source="svodka",
                external_id=f"filler-{n}",
                url=f"https://svodka.example/filler-{n}",
                published_at=DAY - dt.timedelta(hours=2 + n),
                text=f"Сводка {n}: в регионе {n} открыли пункт отбора на контракт, выплата {n} млн рублей.",
            )
            for n in range(FILLER)
        ]
        store.items.upsert(batch, kind="jsonl")
        ids = {i.external_id: int(i.id or 0) for i in store.items.page(limit=100)}
        belgorod = Place(key="belgorod-region", name="the Belgorod region", text="Белгородской области")
        person = Mention(
            kind="person", text="Алексея Пушкарёва", normalized="Алексей Пушкарёв", latin="Alexei Pushkaryov"
        )
        enrichments = []
        for key, _, _, section, extras in REPORTS:
            money = extras.get("money")
            enrichments.append(
                Enrichment(
                    item_id=ids[key],
                    lang=extras.get("lang", "ru"),
                    relevance=0.9,
                    is_relevant=key != "football",
                    section=section,
                    places=(belgorod,) if extras.get("places") else (),
                    amounts=(Amount(currency="RUB", value=money, text="млн рублей", usd=money / 90),) if money else (),
                    entities=(person,) if extras.get("person") else (),
                )
            )
        enrichments += [
            Enrichment(item_id=ids[f"filler-{n}"], lang="ru", relevance=0.6, is_relevant=True, section="recruitment")
            for n in range(FILLER)
        ]
        store.enrichments.save_many(enrichments)
        grouped = {k for keys in GROUPS.values() for k in keys}
        out: dict[str, int] = {}
        with store.engine.begin() as conn:
            for n, (key, _, text, section, _) in enumerate(REPORTS):
                if key in grouped and key not in GROUPS:
                    continue
                keys = GROUPS.get(key, [key])
                out[key] = _story(conn, text[:60], [ids[k] for k in keys], section, DAY + dt.timedelta(minutes=10 * n))
            for n in range(FILLER):
                when = DAY - dt.timedelta(hours=2 + n)
                out[f"filler-{n}"] = _story(conn, f"Сводка {n}", [ids[f"filler-{n}"]], "recruitment", when)
        out |= {f"item:{k}": v for k, v in ids.items()}
        store_unchecked_draft(store, out[f"filler-{FILLER - 1}"])  # (June 2) its machine draft failed the guard
        return out
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """A real `mobrief serve` subprocess on a free port, over a seeded SQLite store, for the whole module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    ids = _seed(url)
    port = _free_port()
    env = {
        **os.environ,
        "MOBRIEF_SECRET_KEY": "browser-test-secret-0123456789",
        "MOBRIEF_PUBLIC_URL": f"http://127.0.0.1:{port}",  # the feed's links start here
    }
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
        yield base, ids
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Watch:
    """What the page must never do: open a dialog nobody expected, break the CSP, fail a script."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.watch = Watch(page)
    yield page
    context.close()


def sign_in(page: Any, base: str, role: str = "editor") -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", f"{role}@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(base + "/inbox")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_keyboard_triage_bulk_and_a_dense_inbox(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    visible = page.evaluate(
        "[...document.querySelectorAll('.story-row')].filter(r => r.getBoundingClientRect().bottom <= innerHeight)"
        ".length"
    )
    assert visible >= 13  # a laptop screen holds a day's triage at a glance
    shot(page, "inbox")
    assert page.locator("#story-{} .gist".format(ids["payment"])).inner_text().startswith("the Belgorod region")

    page.goto(base + "/inbox?source=svodka")  # triage the filler stories: the other tests need theirs
    rows = page.locator(".story-row")
    first_id = rows.nth(0).get_attribute("id")
    assert page.locator(".story-row.current").get_attribute("id") == first_id
    page.keyboard.press("j")
    second_id = rows.nth(1).get_attribute("id")
    assert page.locator(".story-row.current").get_attribute("id") == second_id
    page.keyboard.press("x")  # skip it, and move on
    page.wait_for_selector(f"#{second_id}.status-skip")
    assert page.locator(".story-row.current").get_attribute("id") == rows.nth(2).get_attribute("id")
    third_id = rows.nth(2).get_attribute("id")
    page.keyboard.press("a")
    page.wait_for_selector(f"#{third_id}.status-brief")
    page.keyboard.press("k")
    page.keyboard.press("s")  # the section picker of the current row takes the focus
    assert page.evaluate("document.activeElement.name") == "section"
    page.select_option(f"#{third_id} select[name=section]", "children")
    page.wait_for_function(f"() => document.querySelector('#{third_id} select[name=section]').value === 'children'")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    assert page.locator("dialog#keys").is_visible()
    page.keyboard.press("Escape")

    # select two rows with the space key, then skip both at once
    page.goto(base + "/inbox?source=svodka")
    page.keyboard.press("j")
    page.keyboard.press(" ")
    page.keyboard.press("j")
    page.keyboard.press(" ")
    assert page.inner_text("#bulk .selected-count") == "2 selected"
    page.click("#bulk button.bulk-skip")
    page.wait_for_load_state()
    assert "Skipped" in page.inner_text("nav.tabs")
    assert re.search(r"Skipped (\d+)", page.inner_text("nav.tabs")).group(1) == "3"
    assert page.watch.dialogs == [] and page.watch.errors == []


def test_entries_save_themselves_and_nothing_typed_is_lost(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    page.goto(base + "/drafts")
    page.fill("input[name=start]", "2024-06-03")
    page.fill("input[name=end]", "2024-06-03")
    page.click("button:has-text('Compose draft')")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    draft_url = page.url
    shot(page, "draft")

    def box(story: str) -> Any:
        return page.locator("article.entry", has=page.locator(f"a[href='/stories/{ids[story]}']"))

    one, two, three = box("payment"), box("sentence"), box("conscripts")
    one.locator("textarea").click()
    page.keyboard.press("Control+A")  # the machine draft is in the box: the editor writes over it
    page.keyboard.type("The Vyorstka media outlet reported that an enlistment office paid a family.")
    two.locator("textarea").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("A court in Perm sentenced a deserter to six years, Mediazona reported.")
    three.locator("textarea").fill("Mothers of conscripts wrote that the voenkomat ignored them.")
    three.locator("textarea").dispatch_event("change")
    apply = three.locator("li.code-untranslated button.apply")
    apply.wait_for()
    apply.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('military enlistment office'))"
    )
    # the fix in the third entry swapped that entry only: the text typed in the first two is still there
    assert one.locator("textarea").input_value().startswith("The Vyorstka media outlet reported")
    assert two.locator("textarea").input_value().startswith("A court in Perm sentenced a deserter")
    for entry in (one, two):
        entry.locator(".save-state .idle", has_text="Saved at").wait_for()
    page.reload()
    texts = page.locator("textarea").evaluate_all("(ts) => ts.map(t => t.value)")
    assert any(t.startswith("The Vyorstka media outlet reported") for t in texts)
    assert any(t.startswith("A court in Perm sentenced a deserter") for t in texts)
    assert any("military enlistment office ignored them" in t for t in texts)

    # unsaved text: leaving the page asks first (the watcher dismisses the question: we stay)
    box("payment").locator("textarea").press("End")
    box("payment").locator("textarea").type(" More.")
    assert page.evaluate("document.querySelectorAll('[data-entry-box].dirty').length") == 1
    page.watch.dialogs.clear()
    page.click("header.top a[href='/inbox']", no_wait_after=True)
    page.wait_for_function("() => true")
    deadline = time.monotonic() + 5
    while not page.watch.dialogs and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert [d.split(":")[0] for d in page.watch.dialogs] == ["beforeunload"]
    assert page.url == draft_url


def test_publish_is_refused_with_an_unchecked_draft_then_corrected_and_withdrawn(
    server: tuple[str, dict[str, int]], page: Any
) -> None:
    base, _ = server
    sign_in(page, base)
    page.goto(base + "/drafts")
    page.fill("input[name=start]", "2024-06-02")
    page.fill("input[name=end]", "2024-06-02")
    page.click("button:has-text('Compose draft')")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    draft_id = page.url.rsplit("/", 1)[1]
    page.click("#review")
    page.wait_for_url(f"**/drafts/{draft_id}/review")
    assert page.locator(".review-list li.unfinished").count() >= 1
    assert "check the facts" in page.inner_text(".review-list")
    shot(page, "review")
    page.click("#publish")
    page.wait_for_load_state()
    assert "Not published." in page.inner_text("main")  # refused while a draft fails the guard

    # write one entry, leave the others out explicitly, publish
    page.goto(base + f"/drafts/{draft_id}")
    first = page.locator("article.entry").first
    first.locator("textarea").fill("A regional office opened a recruitment point, a Telegram channel reported.")
    first.locator("textarea").dispatch_event("change")
    first.locator(".save-state .idle", has_text="Saved at").wait_for()
    page.goto(base + f"/drafts/{draft_id}/review")
    for checkbox in page.locator("input[name=leave_out]").all():
        checkbox.check()
    page.click("#publish")
    page.wait_for_url(re.compile(r".*/briefs/\d+/mobilization-in-russia-for-june-2-2024$"))
    public = page.url
    assert "[To write]" not in page.inner_text("article.brief")
    assert "recruitment point" in page.inner_text("article.brief")

    # correct it: a new version with a visible note, and the feed entry follows
    page.click("button.correct")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    entry = page.locator("article.entry").first
    entry.locator("textarea").fill("A regional office opened two recruitment points, a Telegram channel reported.")
    entry.locator("textarea").dispatch_event("change")
    entry.locator(".save-state .idle", has_text="Saved at").wait_for()
    page.click("#review")
    page.fill("textarea[name=note]", "An earlier version said one recruitment point.")
    page.click("#publish")
    page.wait_for_url(public)
    assert "Corrected on" in page.inner_text("article.brief")
    assert "two recruitment points" in page.inner_text("article.brief")
    feed = httpx.get(base + "/feed.atom").text
    assert "Corrected on" in feed and "An earlier version said one recruitment point." in feed

    # withdraw it: the page and the feed say so
    page.click("summary:has-text('Withdraw this brief')")
    page.fill("form[action$='/withdraw'] textarea[name=note]", "The channel deleted the post as false.")
    page.click("button.withdraw")
    page.wait_for_url(public)
    assert "Withdrawn on" in page.inner_text("article.brief")
    feed = httpx.get(base + "/feed.atom").text
    assert "Withdrawn: Mobilization in Russia for June 2, 2024" in feed
    anonymous = httpx.get(public).text
    assert "The channel deleted the post as false." in anonymous and "two recruitment points" not in anonymous
    assert [e for e in page.watch.errors if "409 (Conflict)" not in e] == []  # the refusal answered 409


def test_merge_and_split_stories(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    # split the football report off the arson story
    page.goto(base + f"/stories/{ids['arson']}")
    page.check(f"#item-{ids['item:football']} input[name=item_ids]")
    page.click("button.split")
    page.wait_for_url(re.compile(r".*/stories/\d+$"))
    split_off = int(page.url.rsplit("/", 1)[1])
    assert split_off != ids["arson"]
    assert page.locator("article.report").count() == 1 and "футболу" in page.inner_text("article.report")
    # merge the English report of the picket into the Russian one
    page.goto(base + f"/stories/{ids['picket']}")
    page.click("summary:has-text('Merge another story')")
    page.select_option("select[name=other]", str(ids["picket-en"]))
    page.click("button.merge")
    page.wait_for_url(base + f"/stories/{ids['picket']}")
    assert page.locator("article.report").count() == 2
    assert "merged story" in page.inner_text(".story-tools")
    shot(page, "story")
    page.goto(base + f"/stories/{ids['picket-en']}")
    assert page.url == base + f"/stories/{ids['picket']}"  # the merged story lives on in the other
    assert page.watch.errors == []


def test_a_phone_sees_every_page_without_sideways_scrolling(server: tuple[str, dict[str, int]], chromium: Any) -> None:
    base, ids = server
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, base)
        for path in ("/inbox", f"/stories/{ids['kaluga']}", "/drafts", "/archive", "/search?q=суд"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
            for link in page.locator("header.top nav a").all():
                box = link.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, link.inner_text())
            assert page.locator("header.top button:has-text('Sign out')").is_visible()
        page.goto(base + "/drafts")
        draft = page.locator("ul.listing a").first
        draft.click()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "draft-phone")
    finally:
        context.close()


def test_hostile_source_text_is_shown_never_run(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    page.goto(base + f"/stories/{ids['hostile']}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1;" in page.inner_text(".source-text")
    assert page.locator(".report a[href^='javascript:']").count() == 0
    assert page.locator(".source-text img").count() == 0
    assert page.watch.dialogs == []
    assert not [e for e in page.watch.errors if "Content Security Policy" in e]
