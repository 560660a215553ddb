"""Clustering through the store, on SQLite and PostgreSQL: pending items, incremental runs, window, CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from story_reports import REPORTS, Report

from mobrief.cli import cli
from mobrief.newsroom import clustering
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.schema import item_enrichments, stories, story_items

AddReports = Callable[..., dict[str, int]]


def _groups(store: Store, ids: dict[str, int]) -> set[frozenset[str]]:
    by_item = {v: k for k, v in ids.items()}
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(story_items.c.item_id, story_items.c.story_id)).all()
    groups: dict[int, set[str]] = {}
    for item_id, story_id in rows:
        groups.setdefault(story_id, set()).add(by_item[item_id])
    return {frozenset(g) for g in groups.values()}


EXPECTED = {
    frozenset({"tambov-1", "tambov-2"}),
    frozenset({"lipetsk-1", "lipetsk-2"}),
    frozenset({"sentence-1", "sentence-2"}),
    frozenset({"football"}),
}


def test_cluster_pending_gives_every_item_a_story(store: Store, add_reports: AddReports) -> None:
    ids = add_reports(store, REPORTS)
    report = clustering.cluster_pending(store, settings=Settings())
    assert report.items == len(REPORTS) and report.stories_created == 4
    assert report.methods == {"new": 4, "similar": 3}
    assert _groups(store, ids) == EXPECTED
    again = clustering.cluster_pending(store, settings=Settings())
    assert again.items == 0  # idempotent: nothing is pending any more
    listed = store.stories.recent(relevant_only=True)
    assert {story.title[:20] for story, _ in listed} == {
        "Власти Тамбовской об",
        "В Липецкой области в",
        "Самарский районный с",
    }
    tambov = next(story for story, _ in listed if story.title.startswith("Власти Тамбовской"))
    assert tambov.outlets == ("Вести Тамбов", "Тамбовская жизнь")
    assert tambov.places == ("the Tambov region",)
    assert tambov.section == "recruitment"
    assert tambov.first_seen == REPORTS[0].published_at and tambov.last_seen == REPORTS[1].published_at


def test_incremental_runs_give_the_same_stories_as_one_batch(
    store: Store, sqlite_store: Store, add_reports: AddReports
) -> None:
    ordered = sorted(REPORTS, key=lambda r: r.hours)
    batch_ids = add_reports(sqlite_store, ordered)
    clustering.cluster_pending(sqlite_store, settings=Settings())
    ids: dict[str, int] = {}
    for step in ordered:  # one item per run: every run reloads the window's stories from their signatures
        ids |= add_reports(store, [step])
        clustering.cluster_pending(store, settings=Settings())
    assert _groups(store, ids) == _groups(sqlite_store, batch_ids) == EXPECTED
    with store.engine.connect() as conn:
        incremental = {r.title: r.signature for r in conn.execute(sa.select(stories.c.title, stories.c.signature))}
    with sqlite_store.engine.connect() as conn:
        batch = {r.title: r.signature for r in conn.execute(sa.select(stories.c.title, stories.c.signature))}
    assert incremental == batch


def test_only_stories_within_the_window_are_loaded(store: Store, add_reports: AddReports) -> None:
    add_reports(store, REPORTS)
    clustering.cluster_pending(store, settings=Settings())
    copy = Report(**{**REPORTS[0].__dict__, "key": "late-copy", "source": "Агрегатор", "hours": 24 * 5})
    since = copy.published_at - dt.timedelta(hours=72)
    assert store.stories.signatures_seen_since(since) == []  # nothing old is even read
    ids = add_reports(store, [copy])
    report = clustering.cluster_pending(store, settings=Settings())
    assert report.methods == {"new": 1}  # the same URL, but five days later: a new story
    assert store.stories.story_of_item(ids["late-copy"]) not in {
        store.stories.story_of_item(i) for i in range(1, len(REPORTS) + 1)
    }


def test_unenriched_items_wait_unless_asked(store: Store, add_reports: AddReports) -> None:
    add_reports(store, REPORTS[:2], enrich=False)
    assert clustering.cluster_pending_items(store).items == 0
    report = clustering.cluster_pending_items(store, require_enrichment=False)
    assert report.items == 2 and report.methods == {"new": 1, "similar": 1}


def test_cli_lists_and_shows_stories(db_url: str, store: Store, add_reports: AddReports) -> None:
    add_reports(store, REPORTS)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_url, "stories", "cluster", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"] == len(REPORTS)
    result = runner.invoke(cli, ["--db", db_url, "stories", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert len(listed) == 3 and all(s["items"] == 2 for s in listed)
    result = runner.invoke(cli, ["--db", db_url, "stories", "list", "--all", "--json"])
    assert len(json.loads(result.stdout)) == 4
    story_id = next(s["id"] for s in listed if s["places"] == ["the Lipetsk region"])
    result = runner.invoke(cli, ["--db", db_url, "stories", "show", str(story_id), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [i["method"] for i in shown["items"]] == ["new", "similar"]
    assert shown["outlets"] == ["Липецкие новости", "Город 48"] and shown["status"] == "new"
    result = runner.invoke(cli, ["--db", db_url, "stories", "show", str(story_id)])
    assert result.exit_code == 0 and "Липецкие новости" in result.output
    result = runner.invoke(cli, ["--db", db_url, "stories", "show", "9999"])
    assert result.exit_code != 0 and "no story with id 9999" in str(result.exception)


def test_signing_aside_gives_the_same_stories(
    store: Store, add_reports: AddReports, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = add_reports(store, REPORTS)
    monkeypatch.setattr(clustering, "SIGN_ASIDE_MIN", 0)
    report = clustering.cluster_pending_items(store, batch_size=2)  # several batches: the reader runs ahead
    assert report.items == len(REPORTS)
    assert _groups(store, ids) == EXPECTED


def test_pending_items_read_on_past_a_cursor(store: Store, add_reports: AddReports) -> None:
    add_reports(store, REPORTS)
    first = store.stories.pending_items(limit=3)
    rest = store.stories.pending_items(limit=100, after=(first[-1].published_at, first[-1].id or 0))
    everything = store.stories.pending_items(limit=100)
    assert [i.id for i in first + rest] == [i.id for i in everything]
    assert len(everything) == len(REPORTS)


def test_the_inbox_lists_sums_of_money_not_prison_terms_or_head_counts(store: Store, add_reports: AddReports) -> None:
    ids = add_reports(store, REPORTS[4:5])  # a sentence: six years in a colony
    amounts = [
        {"currency": "months", "value": 72.0, "text": "шести годам"},
        {"currency": "people", "value": 20.0, "text": "20 человек"},
        {"currency": "RUB", "value": 300000.0, "text": "300 тыс. рублей"},
    ]
    with store.engine.begin() as conn:
        conn.execute(item_enrichments.update().values(amounts=amounts))
    clustering.cluster_pending(store, settings=Settings())
    story_id = store.stories.story_of_item(ids[REPORTS[4].key])
    assert story_id is not None
    assert [a["currency"] for a in store.inbox.row(story_id).amounts] == ["RUB"]


def test_stories_created_across_small_batches_are_written_whole_in_creation_order(
    store: Store, sqlite_store: Store, add_reports: AddReports
) -> None:
    # on PostgreSQL new stories take ids reserved ahead and are written at their batch's end; ids reserved in one
    # batch serve the next
    ids = add_reports(store, REPORTS)
    clustering.cluster_pending_items(store, batch_size=2)
    lite_ids = add_reports(sqlite_store, REPORTS)
    clustering.cluster_pending_items(sqlite_store)
    assert _groups(store, ids) == _groups(sqlite_store, lite_ids) == EXPECTED
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(stories.c.id, stories.c.first_seen, stories.c.signature).order_by(stories.c.id))
        made = [(row.first_seen, row.signature) for row in rows]
    assert all(signature for _, signature in made)
    assert [first_seen for first_seen, _ in made] == sorted(first_seen for first_seen, _ in made)
