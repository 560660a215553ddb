"""The newsroom the desk's browser tests work in (reports, stories, an editor and a volunteer), and what every
such test does: a real `mobrief serve` over it (fixture `server`, one per module), one chromium per module
(`chromium`), a fresh 1366 x 768 page per test that watches for dialogs and script errors (`page`), signing in
and screenshots. A test module imports the fixtures it uses (a conftest.py here would shadow tests/web's when
both folders run together: they import names from theirs).

Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
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

from factories import store_unchecked_draft
from mobrief.records import Amount, Enrichment, Item, Mention, Place
from mobrief.store import open_store
from mobrief.store.schema import stories, story_items
from mobrief.web import auth

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


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must install it (apt-get install chromium; pip install playwright)")
    pytest.skip(reason)


def free_port() -> int:
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


def seed_newsroom(url: str) -> dict[str, int]:
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


class Watch:
    """What the page must never do: open a dialog nobody expected, break the CSP, fail a script."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def sign_in(page: Any, base: str, role: str = "editor") -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", f"{role}@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(base + "/inbox")


def composed(page: Any) -> None:
    """Wait until the draft's page says its compose has finished (the page polls, then reloads itself)."""
    page.wait_for_selector("#compose-job[data-state=done]", timeout=60_000)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@contextlib.contextmanager
def serving(url: str, port: int, env: dict[str, str]) -> Iterator[str]:
    """A real `mobrief serve` subprocess on `port` over the store at `url`, until the block ends: its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mobrief", "--db", url, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # the machine may be shared and loaded
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()  # a server still starting would keep its output open: reading it would never end
                output = process.communicate()[0].decode()
                pytest.fail(f"mobrief serve did not start: {output}")
            time.sleep(0.2)
        yield base
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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """A real `mobrief serve` subprocess on a free port, over a seeded SQLite store, for the whole module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    ids = seed_newsroom(url)
    port = free_port()
    env = {
        **os.environ,
        "MOBRIEF_SECRET_KEY": "browser-test-secret-0123456789",
        "MOBRIEF_PUBLIC_URL": f"http://127.0.0.1:{port}",  # the feed's links start here
    }
    with serving(url, port, env) as base:
        yield base, ids


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.watch = Watch(page)
    yield page
    context.close()
