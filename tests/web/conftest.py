"""Fixtures for the web app: a seeded newsroom (users, items, stories, a draft) and signed-in clients."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from mobrief.records import Amount, Enrichment, Item, Mention, Place, Snapshot
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.store.schema import items, stories, story_items
from mobrief.web import auth
from mobrief.web.app import create_app

PASSWORD = "correct horse battery"
SECRET = "test-secret-key-0123456789"
# tests hash with argon2's cheapest parameters (production keeps the strong default; timing tests use it)
TEST_ENV = {"MOBRIEF_SECRET_KEY": SECRET, "MOBRIEF_ARGON2_PROFILE": "cheapest"}
CHEAP = auth.Passwords("cheapest")
DAY = dt.datetime(2024, 6, 3, 8, 0, tzinfo=dt.UTC)

HOSTILE_TEXT = (
    "<script>window.__pwned = 1; alert('xss')</script> Военкомат <img src=x onerror=\"window.__pwned=2\"> "
    '<a href="javascript:window.__pwned=3">click</a> <b>broken <i>html'
)


@dataclass
class Newsroom:
    """Ids of what `seed_newsroom` stored."""

    users: dict[str, int] = field(default_factory=dict)
    stories: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    snapshot_id: int | None = None
    draft_id: int | None = None


def _item(n: int, **values: Any) -> Item:
    base: dict[str, Any] = {
        "source": "vyorstka",
        "external_id": f"post-{n}",
        "url": f"https://t.me/vyorstka/{n}",
        "published_at": DAY + dt.timedelta(hours=n),
        "title": "",
        "text": f"Сообщение {n}: в Белгородской области военкомат выплатил 200 тыс. рублей.",
    }
    base.update(values)
    return Item(**base)


def add_story(store: Store, title: str, item_ids: list[int], *, section: str | None, status: str = "new") -> int:
    with store.engine.begin() as conn:
        rows = conn.execute(
            sa.select(sa.func.min(items.c.published_at), sa.func.max(items.c.published_at)).where(
                items.c.id.in_(item_ids)
            )
        ).first()
        assert rows is not None
        first, last = rows
        result = conn.execute(
            stories.insert().values(
                title=title,
                first_seen=first,
                last_seen=last,
                outlets=[],
                places=[],
                section=section,
                status=status,
                pinned=False,
                entry_text=None,
                signature=None,
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
        story_id = int(result.inserted_primary_key[0])
        conn.execute(
            story_items.insert(),
            [{"item_id": i, "story_id": story_id, "method": "new", "score": 1.0} for i in item_ids],
        )
    return story_id


def seed_newsroom(store: Store) -> Newsroom:
    """Three users, five items from two outlets (one hostile), their enrichments, three stories, a draft."""
    room = Newsroom()
    password_hash = CHEAP.hash(PASSWORD)
    for role in ("volunteer", "editor", "admin"):
        room.users[role] = store.users.add(f"{role}@example.org", password_hash, role).id
    snapshot = Snapshot(
        url="https://example.org/page",
        content_type="text/html; charset=utf-8",
        body="<html><script>alert('snap')</script><p>Страница</p></html>".encode(),
        fetched_at=DAY,
    )
    batch = [
        _item(1),
        _item(2, source="mediazona", external_id="m-2", url="https://zona.media/news/2", snapshot=snapshot),
        _item(3, text=HOSTILE_TEXT, url="javascript:alert(1)"),
        _item(4, source="mediazona", external_id="m-4", text="Матч по футболу прошёл в Казани."),
        _item(5, text="Суд в Перми приговорил Алексея Пушкарёва к шести годам колонии за дезертирство."),
    ]
    store.items.upsert(batch[:3], kind="jsonl")
    store.items.upsert(batch[3:], kind="jsonl")
    ids = {item.external_id: item.id for item in store.items.page(limit=10)}
    room.items = {k: int(v) for k, v in ids.items() if v is not None}
    belgorod = Place(key="belgorod-region", name="the Belgorod region", text="Белгородской области")
    rubles = Amount(currency="RUB", value=200_000.0, text="200 тыс. рублей", usd=2_240.0)
    person = Mention(kind="person", text="Алексея Пушкарёва", normalized="Алексей Пушкарёв", latin="Alexei Pushkaryov")
    enrich = [
        Enrichment(
            item_id=room.items["post-1"],
            lang="ru",
            relevance=0.9,
            is_relevant=True,
            section="recruitment",
            places=(belgorod,),
            amounts=(rubles,),
        ),
        Enrichment(
            item_id=room.items["m-2"],
            lang="ru",
            relevance=0.8,
            is_relevant=True,
            section="recruitment",
            places=(belgorod,),
            amounts=(rubles,),
        ),
        Enrichment(item_id=room.items["post-3"], lang="ru", relevance=0.7, is_relevant=True, section="legal"),
        Enrichment(item_id=room.items["m-4"], lang="ru", relevance=0.05, is_relevant=False, section=None),
        Enrichment(
            item_id=room.items["post-5"],
            lang="ru",
            relevance=0.95,
            is_relevant=True,
            section="legal",
            entities=(person,),
        ),
    ]
    store.enrichments.save_many(enrich)
    room.stories["payments"] = add_story(
        store,
        "Военкомат выплатил 200 тыс. рублей",
        [room.items["post-1"], room.items["m-2"]],
        section="recruitment",
    )
    room.stories["hostile"] = add_story(
        store, "<script>alert('title')</script>", [room.items["post-3"]], section="legal"
    )
    room.stories["football"] = add_story(store, "Матч по футболу", [room.items["m-4"]], section=None)
    room.stories["sentence"] = add_story(store, "Суд приговорил Пушкарёва", [room.items["post-5"]], section="legal")
    room.snapshot_id = store.inbox.snapshot_of_item(room.items["m-2"])
    room.draft_id = store.drafts.create(
        "Mobilization in Russia for June 2–3, 2024", dt.date(2024, 6, 2), dt.date(2024, 6, 3)
    )
    return room


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def patient_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-in waits a minute where they would wait a second: a test that relies on a wait still running never
    sees it run out because a loaded machine took seconds over the requests before (the policy has its own test)."""
    seconds = auth.wait_after
    monkeypatch.setattr(auth, "wait_after", lambda attempts: min(seconds(attempts) * 60, auth.LONGEST_WAIT))


@pytest.fixture
def web_store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def newsroom(web_store: Store) -> Newsroom:
    return seed_newsroom(web_store)


@pytest.fixture
def web_app(web_store: Store, db_url: str) -> Iterator[Any]:
    app = create_app(Settings.from_env(TEST_ENV, db=db_url), store=web_store)
    yield app
    app.state.jobs.close()  # a compose still writing finishes before its store closes


class Browser:
    """An ASGI client that keeps cookies and knows the page's CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.csrf = ""

    def remember_token(self, html: str) -> None:
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if match:
            self.csrf = match.group(1)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.get(url, **kwargs)
        if "text/html" in response.headers.get("content-type", ""):
            self.remember_token(response.text)
        return response

    async def post(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        csrf: bool = True,
        htmx: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        form = dict(data or {})
        headers = dict(kwargs.pop("headers", {}))
        if csrf:
            if not self.csrf:
                await self.get("/login")
            form.setdefault("csrf_token", self.csrf)
        if htmx:
            headers["HX-Request"] = "true"
        response = await self.client.post(url, data=form, headers=headers, **kwargs)
        if "text/html" in response.headers.get("content-type", ""):
            self.remember_token(response.text)
        return response

    async def composed(self, brief_id: int, *, within: float = 120.0) -> str:
        """Poll the draft's compose status (as its page does) until composing has ended; the state it ended in
        ("done", "failed"), or "none" when the draft has no compose to show."""
        deadline = time.monotonic() + within
        while True:
            status = await self.client.get(f"/drafts/{brief_id}/composing")
            assert status.status_code == 200, status.text
            state = re.search(r'data-state="([a-z]+)"', status.text)
            assert state is not None, status.text
            if state.group(1) not in ("queued", "running"):
                return state.group(1)
            assert time.monotonic() < deadline, f"composing brief {brief_id} has not ended: {status.text}"
            await asyncio.sleep(0.05)

    async def jobs_settled(self, *, within: float = 120.0) -> dict[int, str]:
        """Poll the jobs banner (as the inbox and story pages do) until no job is queued or running; the state
        each job it shows ended in, by job id."""
        deadline = time.monotonic() + within
        while True:
            banner = await self.client.get("/jobs/recent")
            assert banner.status_code == 200, banner.text
            unfinished = re.search(r'data-unfinished="(\d+)"', banner.text)
            assert unfinished is not None, banner.text
            if unfinished.group(1) == "0":
                return {int(j): s for j, s in re.findall(r'data-job="(\d+)" data-kind="[^"]*" data-state="([a-z]+)"',
                                                         banner.text)}  # fmt: skip
            assert time.monotonic() < deadline, f"jobs have not ended: {banner.text}"
            await asyncio.sleep(0.05)

    async def add_to_brief(self, story_id: int) -> httpx.Response:
        """Press "Add to brief" on a story and wait until the compose it queued (if any) has ended."""
        response = await self.post(f"/stories/{story_id}/status", {"status": "brief"})
        assert response.status_code == 303, response.text
        await self.jobs_settled()
        return response

    async def compose(self, data: dict[str, Any]) -> tuple[httpx.Response, int]:
        """Post the "Compose draft" form, wait until the queued compose has ended and say it succeeded:
        the response and the draft's id."""
        response = await self.post("/drafts", data)
        assert response.status_code == 303, response.text
        brief_id = int(response.headers["location"].rsplit("/", 1)[1])
        assert await self.composed(brief_id) == "done"
        return response, brief_id

    async def recompose(self, brief_id: int) -> httpx.Response:
        """Press "Compose again" and wait until the queued compose has ended well."""
        response = await self.post(f"/drafts/{brief_id}/compose")
        assert response.status_code == 303, response.text
        assert await self.composed(brief_id) == "done"
        return response

    async def sign_in(self, role: str) -> httpx.Response:
        await self.get("/login")
        response = await self.post("/login", {"email": f"{role}@example.org", "password": PASSWORD})
        assert response.status_code == 303, response.text
        await self.get("/inbox")
        return response


@pytest.fixture
async def browser(web_app: Any) -> AsyncIterator[Browser]:
    transport = httpx.ASGITransport(app=web_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Browser(client)
