"""Composing runs outside the request: the web app records a job, hands it to a runner (a thread of the web
process on a laptop, the task queue and a real `mobrief worker` on the team server) and the draft's page shows
queued → running (stage, count, seconds) → done, or failed with the reason."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import socket
import subprocess
import sys
import threading
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from conftest import TEST_ENV, Browser, seed_newsroom
from factories import store_unchecked_draft
from mobrief import tasks
from mobrief.cli.web import queue_runner
from mobrief.errors import ConfigError
from mobrief.newsroom import background, compose
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.store.schema import background_jobs
from mobrief.web.app import create_app

pytestmark = pytest.mark.anyio
PERIOD = {"start": "2024-06-03", "end": "2024-06-03", "confirm": "1"}
BAD_BACKEND = "unknown drafting backend 'gpt-nine'"


def _told(store: Store, brief_id: int) -> set[int | None]:
    return {e.story_id for s in store.drafts.get(brief_id).sections for e in s.entries}


def _jobs(store: Store) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(background_jobs).order_by(background_jobs.c.id)))


async def test_a_queued_compose_shows_on_the_page_until_it_is_done(browser, newsroom, web_store, web_app) -> None:
    gate = threading.Event()
    web_app.state.jobs.pool.submit(gate.wait, 120)  # the web process's one job thread is busy until the gate opens
    await browser.sign_in("editor")
    created = await browser.post("/drafts", PERIOD)
    assert created.status_code == 303  # answered at once: the compose waits its turn
    brief_id = int(created.headers["location"].rsplit("/", 1)[1])
    (job,) = _jobs(web_store)
    assert (job.brief_id, job.state, job.runner) == (brief_id, "queued", "in-process")
    assert job.requested_by == newsroom.users["editor"]
    assert _told(web_store, brief_id) == set()

    page = (await browser.get(f"/drafts/{brief_id}")).text
    assert 'data-state="queued"' in page and "Composing is queued" in page
    assert f'hx-get="/drafts/{brief_id}/composing" hx-trigger="every 1s"' in page  # the page polls
    assert "The entries appear here once composing has finished." in page
    assert 'class="compose"' not in page  # no second compose while one is under way
    assert "composing…" in (await browser.get("/drafts")).text
    again = await browser.post(f"/drafts/{brief_id}/compose")
    assert again.status_code == 303 and len(_jobs(web_store)) == 1  # the one under way stands for both
    polled = await browser.get(f"/drafts/{brief_id}/composing", headers={"HX-Request": "true"})
    assert 'data-state="queued"' in polled.text and "HX-Refresh" not in polled.headers

    gate.set()
    assert await browser.composed(brief_id) == "done"
    ended = await browser.get(f"/drafts/{brief_id}/composing", headers={"HX-Request": "true"})
    assert ended.headers["HX-Refresh"] == "true"  # the page reloads itself with the entries
    page = (await browser.get(f"/drafts/{brief_id}")).text
    assert 'data-state="done"' in page and re.search(r"<strong>Composed</strong> at .+ in \d+\.\d s\.", page)
    assert 'class="compose"' in page and "composing…" not in (await browser.get("/drafts")).text
    assert _told(web_store, brief_id) == {newsroom.stories["payments"], newsroom.stories["hostile"],
                                          newsroom.stories["sentence"]}  # fmt: skip
    (job,) = _jobs(web_store)
    assert job.state == "done" and job.started_at is not None and job.finished_at >= job.started_at
    history = (await browser.get(f"/drafts/{brief_id}/history")).text
    assert "composed the draft" in history


async def test_a_story_put_back_while_a_compose_runs_is_composed_after_it(
    browser, newsroom, web_store, web_app
) -> None:
    await browser.sign_in("editor")
    brief_id = newsroom.draft_id
    await browser.recompose(brief_id)
    sentence = newsroom.stories["sentence"]
    entry = web_store.drafts.story_entry(brief_id, sentence)
    await browser.post(f"/drafts/{brief_id}/entries/{entry}/delete", htmx=True)
    gate = threading.Event()
    web_app.state.jobs.pool.submit(gate.wait, 120)
    await browser.post(f"/drafts/{brief_id}/compose")
    first = _jobs(web_store)[-1]
    web_store.jobs.start(first.id, owner=background.this_process())  # as if it had read the draft already
    put_back = await browser.post(f"/drafts/{brief_id}/removed/{sentence}/restore")
    assert put_back.status_code == 303
    second = _jobs(web_store)[-1]
    assert second.id != first.id and second.state == "queued"  # a running compose may have missed it
    await browser.post(f"/drafts/{brief_id}/compose")
    assert _jobs(web_store)[-1].id == second.id  # a queued one has not: it stands for this one too
    gate.set()
    assert await browser.composed(brief_id) == "done"
    assert [job.state for job in _jobs(web_store)[-2:]] == ["done", "done"]
    assert sentence in _told(web_store, brief_id)


def test_compose_tells_each_stage_with_counts_where_it_counts(web_store: Store) -> None:
    room = seed_newsroom(web_store)
    seen: list[tuple[str, int | None, int | None]] = []
    compose.compose_draft(web_store, room.draft_id or 0, progress=lambda *told: seen.append(told))
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == ["reading the period's stories", "drafting stories", "applying the house style",
                      "saving the draft"]  # fmt: skip
    drafting = [(done, total) for stage, done, total in seen if stage == "drafting stories"]
    assert drafting[0] == (0, 3) and drafting[-1] == (3, 3)  # three stories without English text or a draft


async def test_the_page_shows_the_stage_and_count_a_running_compose_reports(browser, newsroom, web_store) -> None:
    job = web_store.jobs.create("compose", brief_id=newsroom.draft_id, runner="queue", requested_by=None)
    web_store.jobs.start(job.id, owner="worker-host:4242")
    web_store.jobs.progress(job.id, "drafting stories", 3, 12)
    await browser.sign_in("volunteer")  # anyone signed in sees it; only editors could have asked
    fragment = (await browser.get(f"/drafts/{newsroom.draft_id}/composing")).text
    assert 'data-state="running"' in fragment
    assert "drafting stories" in fragment and "3 of 12" in fragment and '<progress value="3" max="12">' in fragment
    assert re.search(r"· \d+ s", fragment)


async def test_a_failed_compose_shows_the_reason(browser, newsroom, web_store, monkeypatch) -> None:
    monkeypatch.setenv("MOBRIEF_DRAFT_BACKEND", "gpt-nine")  # a mistake in the server's configuration
    await browser.sign_in("editor")
    await browser.post(f"/drafts/{newsroom.draft_id}/compose")
    assert await browser.composed(newsroom.draft_id) == "failed"
    page = html.unescape((await browser.get(f"/drafts/{newsroom.draft_id}")).text)
    assert 'data-state="failed"' in page and "Composing failed" in page and BAD_BACKEND in page
    assert 'class="compose"' in page  # the editor may try again
    monkeypatch.delenv("MOBRIEF_DRAFT_BACKEND")
    await browser.recompose(newsroom.draft_id)
    assert newsroom.stories["payments"] in _told(web_store, newsroom.draft_id)


async def test_a_period_without_rates_is_refused_before_anything_is_queued(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    refused = await browser.post("/drafts", {"start": "1990-01-01", "end": "1990-01-02", "confirm": "1"})
    assert refused.status_code == 400 and "no USD rate for 1990-01-02" in refused.text
    assert _jobs(web_store) == [] and len(web_store.drafts.listing("draft")) == 1


async def test_a_compose_a_stopped_web_process_left_is_shown_failed(browser, newsroom, web_store) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    owner = f"{socket.gethostname()}:{int(gone.stdout)}"  # a process of this machine that has ended
    web_store.jobs.create("compose", brief_id=newsroom.draft_id, runner="in-process", requested_by=None, owner=owner)
    await browser.sign_in("editor")
    page = (await browser.get(f"/drafts/{newsroom.draft_id}")).text
    assert 'data-state="failed"' in page and "the web server stopped before it finished" in page
    await browser.recompose(newsroom.draft_id)  # and composing again works


def test_the_web_app_takes_the_queue_only_where_there_is_one(db_url: str, web_store: Store) -> None:
    assert queue_runner(Settings.from_env({}, db=db_url), web_store) is None  # no queue schema: a thread
    with pytest.raises(ConfigError, match="MOBRIEF_WEB_JOBS=queue needs the task queue"):
        queue_runner(Settings.from_env({"MOBRIEF_WEB_JOBS": "queue"}, db=db_url), web_store)
    with pytest.raises(ConfigError, match="MOBRIEF_WEB_JOBS must be one of auto, queue, in-process"):
        queue_runner(Settings.from_env({"MOBRIEF_WEB_JOBS": "celery"}, db=db_url), web_store)


# ---- the team server: PostgreSQL, the queue, a real worker ----


def _worker(pg_url: str, **env: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "mobrief", "--db", pg_url, "worker", "--until-idle", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def _queue_rows(store: Store) -> list[tuple[str, str, dict[str, Any]]]:
    """The queue's jobs of the web app's work (the worker's periodic tick aside)."""
    query = sa.text(
        "SELECT task_name, status::text, args FROM procrastinate_jobs "
        "WHERE task_name = 'mobrief.run_background_job' ORDER BY id"
    )
    with store.engine.connect() as conn:
        return [(row[0], row[1], dict(row[2])) for row in conn.execute(query)]


@pytest.mark.postgres
async def test_the_queued_compose_is_run_by_a_worker_and_the_page_shows_it(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        tasks.apply_schema(store)  # what `mobrief db upgrade` does on the team server
        room = seed_newsroom(store)
        settings = Settings.from_env(TEST_ENV, db=pg_url)
        runner = queue_runner(settings, store)
        assert isinstance(runner, tasks.QueueRunner)  # auto: the database holds the queue
        app = create_app(settings, store=store, runner=runner)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            browser = Browser(client)
            await browser.sign_in("editor")
            created = await browser.post("/drafts", PERIOD)
            brief_id = int(created.headers["location"].rsplit("/", 1)[1])
            (job,) = _jobs(store)
            assert (job.state, job.runner, job.queue_job_id is not None) == ("queued", "queue", True)
            assert _queue_rows(store) == [("mobrief.run_background_job", "todo", {"job_id": job.id})]
            with store.engine.connect() as conn:  # two workers never compose one draft at once
                query = sa.text("SELECT lock FROM procrastinate_jobs WHERE id = :i")
                lock = conn.execute(query, {"i": job.queue_job_id})
                assert lock.scalar() == f"compose:{brief_id}"
            page = (await browser.get(f"/drafts/{brief_id}")).text
            assert "Composing is queued" in page and "for a worker" in page and "No worker" not in page
            with store.engine.begin() as conn:  # nobody has started a worker for a minute
                conn.execute(background_jobs.update().values(created_at=job.created_at - dt.timedelta(seconds=60)))
            page = (await browser.get(f"/drafts/{brief_id}")).text
            assert "No worker has taken it yet" in page and "mobrief worker" in page

            assert _worker(pg_url)["background_jobs"] == 1
            assert await browser.composed(brief_id) == "done"
            page = (await browser.get(f"/drafts/{brief_id}")).text
            assert 'data-state="done"' in page and "<strong>Composed</strong>" in page
            assert newsroom_told(store, brief_id, room)
            assert _queue_rows(store)[-1][:2] == ("mobrief.run_background_job", "succeeded")
            (job,) = _jobs(store)
            assert job.owner and job.owner.startswith(socket.gethostname() + ":")  # the worker's process

            # a worker misconfigured: the job fails, the page says why, `mobrief jobs` counts it failed
            await browser.post(f"/drafts/{brief_id}/compose")
            assert _worker(pg_url, MOBRIEF_DRAFT_BACKEND="gpt-nine")["background_failed"] == 1
            assert await browser.composed(brief_id) == "failed"
            page = html.unescape((await browser.get(f"/drafts/{brief_id}")).text)
            assert "Composing failed" in page and BAD_BACKEND in page
            assert _queue_rows(store)[-1][:2] == ("mobrief.run_background_job", "failed")
            assert {"task": "mobrief.run_background_job", "status": "failed", "jobs": 1, "retried": 0} in (
                tasks.job_counts(store)
            )
    finally:
        store.close()


def newsroom_told(store: Store, brief_id: int, room: Any) -> bool:
    """Whether the draft tells the stories of June 3 on the beat (and not the football off it)."""
    told = _told(store, brief_id)
    return (
        room.stories["payments"] in told and room.stories["sentence"] in told and room.stories["football"] not in told
    )


# ---- composes set off by triage and by fixing stories by hand ----

TITLE = "Mobilization in Russia for June 2–3, 2024"


def _banner(page: str) -> str:
    found = re.search(r'<section id="jobs-banner".*?</section>', page, re.S)
    assert found is not None, page
    return html.unescape(re.sub(r"\s+", " ", found.group(0)))


async def test_add_to_brief_answers_at_once_and_the_banner_shows_the_compose(
    browser, newsroom, web_store, web_app
) -> None:
    gate = threading.Event()
    web_app.state.jobs.pool.submit(gate.wait, 120)  # the web process's one job thread is busy until the gate opens
    await browser.sign_in("editor")
    football, payments = newsroom.stories["football"], newsroom.stories["payments"]
    row = await browser.post(f"/stories/{football}/status", {"status": "brief"}, htmx=True)
    assert row.status_code == 200  # answered at once: the compose waits its turn
    assert row.text.lstrip().startswith(f'<article class="story-row status-brief" id="story-{football}"')
    banner = _banner(row.text)  # swapped in beside the row (out of band)
    assert 'hx-swap-oob="true"' in banner and 'hx-get="/jobs/recent" hx-trigger="every 1s"' in banner
    assert f'<strong>Composing</strong> <a href="/drafts/{newsroom.draft_id}">{TITLE}</a> is queued' in banner
    (job,) = _jobs(web_store)
    assert (job.kind, job.brief_id, job.state) == ("compose", newsroom.draft_id, "queued")
    assert job.requested_by == newsroom.users["editor"]
    assert football not in _told(web_store, newsroom.draft_id)
    assert "is queued" in _banner((await browser.get("/inbox")).text)
    assert "is queued" in _banner((await browser.get(f"/stories/{football}")).text)
    triaged = await browser.post(f"/stories/{payments}/status", {"status": "brief", "from": "story"}, htmx=True)
    assert triaged.text.lstrip().startswith('<div class="triage-bar" id="story-triage">')
    assert "is queued" in _banner(triaged.text)
    assert len(_jobs(web_store)) == 1  # the compose waiting stands for both

    gate.set()
    assert await browser.jobs_settled() == {job.id: "done"}
    assert {football, payments} <= _told(web_store, newsroom.draft_id)
    banner = _banner((await browser.get("/inbox")).text)
    assert re.search(rf"<strong>Composed</strong> <a [^>]+>{TITLE}</a> at .+ in \d+\.\d s\.", banner)
    assert "hx-trigger" not in banner  # nothing runs: the banner stops polling
    history = (await browser.get(f"/drafts/{newsroom.draft_id}/history")).text
    assert history.count("to the brief") == 2  # "added … to the brief", once per story


async def test_merge_split_and_move_queue_composing_the_drafts_they_touch(
    browser, newsroom, web_store, web_app
) -> None:
    await browser.sign_in("editor")
    draft_id = newsroom.draft_id
    await browser.recompose(draft_id)
    payments, sentence = newsroom.stories["payments"], newsroom.stories["sentence"]
    assert {payments, sentence} <= _told(web_store, draft_id)
    gate = threading.Event()
    web_app.state.jobs.pool.submit(gate.wait, 120)
    merged = await browser.post(f"/stories/{payments}/merge", {"other": str(sentence)})
    assert merged.status_code == 303 and merged.headers["location"] == f"/stories/{payments}"
    assert (_jobs(web_store)[-1].brief_id, _jobs(web_store)[-1].state) == (draft_id, "queued")
    story_page = (await browser.get(f"/stories/{payments}")).text
    assert f'Composing</strong> <a href="/drafts/{draft_id}">' in _banner(story_page)
    split = await browser.post(f"/stories/{payments}/split", {"item_ids": [str(newsroom.items["post-5"])]})
    new_story = int(split.headers["location"].rsplit("/", 1)[1])
    assert new_story not in _told(web_store, draft_id)  # not composed yet: the editor did not wait for it
    assert len([j for j in _jobs(web_store) if j.state == "queued"]) == 1  # the queued compose stands for both
    gate.set()
    assert set((await browser.jobs_settled()).values()) == {"done"}
    assert _told(web_store, draft_id) == {payments, newsroom.stories["hostile"], new_story}  # it followed both
    history = (await browser.get(f"/drafts/{draft_id}/history")).text
    assert history.count("changed the stories it tells") == 2


@pytest.mark.postgres
async def test_triage_composes_are_run_by_a_worker_on_the_team_server(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        tasks.apply_schema(store)
        room = seed_newsroom(store)
        settings = Settings.from_env(TEST_ENV, db=pg_url)
        app = create_app(settings, store=store, runner=queue_runner(settings, store))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            browser = Browser(client)
            await browser.sign_in("editor")
            football = room.stories["football"]
            await browser.post(f"/stories/{football}/status", {"status": "brief"})
            (job,) = _jobs(store)
            assert (job.brief_id, job.runner, job.state) == (room.draft_id, "queue", "queued")
            assert _queue_rows(store) == [("mobrief.run_background_job", "todo", {"job_id": job.id})]
            assert "for a worker" in _banner((await browser.get("/inbox")).text)
            assert football not in _told(store, room.draft_id)

            assert _worker(pg_url)["background_jobs"] == 1
            assert await browser.jobs_settled() == {job.id: "done"}
            assert football in _told(store, room.draft_id)

            merged = await browser.post(
                f"/stories/{room.stories['payments']}/merge", {"other": str(room.stories["sentence"])}
            )
            assert merged.status_code == 303
            assert [state for _, state, _ in _queue_rows(store)] == ["succeeded", "todo"]
            assert _worker(pg_url)["background_jobs"] == 1
            assert set((await browser.jobs_settled()).values()) == {"done"}
            assert room.stories["sentence"] not in _told(store, room.draft_id)
            assert "<strong>Composed</strong>" in _banner((await browser.get(f"/stories/{football}")).text)
    finally:
        store.close()


# ---- re-drafting: queued, never over an editor's text ----


def _entry_of(store: Store, brief_id: int, story_id: int) -> Any:
    return next(e for s in store.drafts.get(brief_id).sections for e in s.entries if e.story_id == story_id)


async def test_redraft_an_entry_and_every_machine_entry_of_a_draft_but_never_an_editors_text(
    browser, newsroom, web_store, web_app
) -> None:
    names = ("payments", "hostile", "sentence")
    for name in names:  # drafts an older backend wrote, faulted by the fact guard
        store_unchecked_draft(web_store, newsroom.stories[name], f"Old draft of {name}: 99 people were detained.")
    await browser.sign_in("editor")
    draft_id = newsroom.draft_id
    await browser.recompose(draft_id)
    entries = {name: _entry_of(web_store, draft_id, newsroom.stories[name]) for name in names}
    assert all(e.text.startswith("Old draft of") for e in entries.values())
    mine = "Mediazona reported that a court in Perm sentenced a man."
    await browser.post(f"/drafts/{draft_id}/entries/{entries['hostile'].id}/text", {"text": mine})
    page = (await browser.get(f"/drafts/{draft_id}")).text
    assert "Re-draft machine entries (2)" in page  # payments and sentence; the editor's entry is not the machine's
    assert f'action="/drafts/{draft_id}/entries/{entries["sentence"].id}/redraft"' in page
    assert f'action="/drafts/{draft_id}/entries/{entries["hostile"].id}/redraft"' not in page
    refused = await browser.post(f"/drafts/{draft_id}/entries/{entries['hostile'].id}/redraft")
    assert refused.status_code == 400 and "no editor changed" in html.unescape(refused.text)

    gate = threading.Event()
    web_app.state.jobs.pool.submit(gate.wait, 120)
    one = await browser.post(f"/drafts/{draft_id}/entries/{entries['sentence'].id}/redraft")
    assert one.status_code == 303  # answered at once
    job = _jobs(web_store)[-1]
    assert (job.kind, job.brief_id, job.story_id, job.state) == (
        "redraft-story",
        draft_id,
        newsroom.stories["sentence"],
        "queued",
    )
    page = (await browser.get(f"/drafts/{draft_id}")).text
    assert 'data-kind="redraft-story"' in page and "Re-drafting is queued" in page
    assert _entry_of(web_store, draft_id, newsroom.stories["sentence"]).text.startswith("Old draft of")
    gate.set()
    assert await browser.composed(draft_id) == "done"
    page = html.unescape((await browser.get(f"/drafts/{draft_id}")).text)
    assert "Re-drafted</strong> at" in page and "1 story drafted again" in page
    sentence = _entry_of(web_store, draft_id, newsroom.stories["sentence"])
    assert not sentence.text.startswith("Old draft of") and "Pushkaryov" in sentence.text
    assert _entry_of(web_store, draft_id, newsroom.stories["payments"]).text.startswith("Old draft of")

    everything = await browser.post(f"/drafts/{draft_id}/redraft")
    assert everything.status_code == 303
    assert await browser.composed(draft_id) == "done"
    assert "2 stories drafted again" in html.unescape((await browser.get(f"/drafts/{draft_id}")).text)
    assert not _entry_of(web_store, draft_id, newsroom.stories["payments"]).text.startswith("Old draft of")
    hostile = _entry_of(web_store, draft_id, newsroom.stories["hostile"])
    assert hostile.edited and hostile.text.endswith("reported that a court in Perm sentenced a man.")  # the editor's
    history = (await browser.get(f"/drafts/{draft_id}/history")).text
    assert "asked for the entry of" in history and "machine-drafted entries to be drafted again" in history


async def test_redraft_from_the_story_page(browser, newsroom, web_store) -> None:
    payments, sentence = newsroom.stories["payments"], newsroom.stories["sentence"]
    store_unchecked_draft(web_store, sentence, "Old draft of the sentence: 99 people were detained.")
    await browser.sign_in("volunteer")
    assert "Re-draft" not in (await browser.get(f"/stories/{sentence}")).text
    assert (await browser.post(f"/stories/{sentence}/redraft")).status_code == 403
    await browser.sign_in("editor")
    page = (await browser.get(f"/stories/{sentence}")).text
    assert f'formaction="/stories/{sentence}/redraft"' in page  # beside the machine draft in the box
    asked = await browser.post(f"/stories/{sentence}/redraft")
    assert asked.status_code == 303 and asked.headers["location"] == f"/stories/{sentence}"
    (job,) = _jobs(web_store)
    assert (job.kind, job.story_id, job.brief_id) == ("redraft-story", sentence, None)  # in no draft yet
    states = await browser.jobs_settled()
    assert states == {job.id: "done"}
    assert "Pushkaryov" in web_store.story_drafts.get(sentence).text
    banner = _banner((await browser.get(f"/stories/{sentence}")).text)
    assert f'<strong>Re-drafted</strong> <a href="/stories/{sentence}">story {sentence}</a>' in banner
    assert "1 story drafted again" in banner

    await browser.post(f"/stories/{payments}/entry", {"entry_text": "Vyorstka reported a payment."})
    refused = await browser.post(f"/stories/{payments}/redraft")
    assert refused.status_code == 400 and "an editor's text" in html.unescape(refused.text)
    assert len(_jobs(web_store)) == 1  # nothing queued


@pytest.mark.postgres
async def test_a_worker_redrafts_a_drafts_machine_entries(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        tasks.apply_schema(store)
        room = seed_newsroom(store)
        store_unchecked_draft(store, room.stories["sentence"], "Old draft of the sentence: 99 people were detained.")
        compose.compose_draft(store, room.draft_id or 0)
        settings = Settings.from_env(TEST_ENV, db=pg_url)
        app = create_app(settings, store=store, runner=queue_runner(settings, store))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            browser = Browser(client)
            await browser.sign_in("editor")
            await browser.post(f"/drafts/{room.draft_id}/redraft")
            (job,) = _jobs(store)
            assert (job.kind, job.runner, job.state) == ("redraft-draft", "queue", "queued")
            with store.engine.connect() as conn:  # it composes the draft: it shares the draft's lock
                lock = conn.execute(
                    sa.text("SELECT lock FROM procrastinate_jobs WHERE id = :i"), {"i": job.queue_job_id}
                )
                assert lock.scalar() == f"compose:{room.draft_id}"
            assert _worker(pg_url)["background_jobs"] == 1
            assert await browser.composed(room.draft_id or 0) == "done"
            sentence = _entry_of(store, room.draft_id or 0, room.stories["sentence"])
            assert "Pushkaryov" in sentence.text
            assert store.jobs.get(job.id).result == "3 stories drafted again"  # payments, hostile, sentence
    finally:
        store.close()
