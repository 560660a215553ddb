"""Drafting through the store (both backends): every story drafted once, again only when it gains reports or the
backend changes, never over an editor's text; composing puts the drafts in the brief with their provenance."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import add_story, make_item, store_unchecked_draft
from mobrief.brief.drafting import frames
from mobrief.cli import cli
from mobrief.newsroom import compose, drafting, glossary, processing, publish, review
from mobrief.store import Store, open_store
from mobrief.store.schema import story_drafts

JUNE_3 = dt.date(2024, 6, 3)
WHEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
SENTENCE = "Суд в Курске приговорил Ивана Сидорова к 12 годам колонии строгого режима по делу о госизмене."
PEOPLE = ({"kind": "person", "text": "Ивана Сидорова", "normalized": "Иван Сидоров", "latin": "Ivan Sidorov"},)
PLACES = ({"key": "kursk", "name": "Kursk", "text": "Курске", "kind": "city"},)
TERMS = ({"currency": "months", "value": 144.0, "text": "12 годам"},)


def _story(store: Store, n: int = 1, text: str = SENTENCE) -> int:
    return add_story(
        store,
        [make_item(n, source="mediazona", text=text, published_at=WHEN)],
        entities=PEOPLE,
        places=PLACES,
        amounts=TERMS,
    )


def test_every_story_is_drafted_once(store: Store) -> None:
    story_id = _story(store)
    first = drafting.draft_pending(store)
    assert first.story_ids == [story_id] and first.drafted == 1 and first.backend == "frames"
    stored = store.story_drafts.get(story_id)
    assert stored is not None and stored.status == "drafted" and stored.findings == ()
    assert "has sentenced Ivan Sidorov to 12 years in a maximum-security penal colony" in stored.text
    assert stored.sentences[0].item_id is not None and stored.sentences[0].source_text == SENTENCE
    assert drafting.draft_pending(store).story_ids == []  # idempotent
    assert store.story_drafts.texts([story_id, story_id + 1]) == {story_id: stored.text}  # the inbox's gists


def test_a_story_that_gains_reports_is_drafted_again_unless_an_editor_wrote_it(store: Store) -> None:
    story_id = _story(store)
    drafting.draft_pending(store)
    stored = store.story_drafts.get(story_id)
    assert stored is not None
    store.story_drafts.save_many([replace(stored, item_ids=())])  # drafted before its report joined the story
    assert drafting.draft_pending(store).story_ids == [story_id]
    store.story_drafts.save_many([replace(stored, item_ids=())])
    compose.write_entry_text(store, story_id, "An editor's own text.")
    assert drafting.draft_pending(store).story_ids == []  # the editor's story is left alone
    assert drafting.draft_pending(store, redraft=True, backend=_newer()).story_ids == []


def _newer() -> frames.FramesBackend:
    backend = frames.FramesBackend()
    backend.version = "frames-next"
    return backend


def test_which_stories_need_drafting_is_the_same_from_drafts_the_caller_read(store: Store) -> None:
    # composing reads the drafts once and hands them over: the answer must not change
    fresh, stale, undrafted, written = (_story(store, n) for n in (1, 2, 3, 4))
    drafting.draft_pending(store)
    stored = store.story_drafts.get(stale)
    assert stored is not None
    store.story_drafts.save_many([replace(stored, item_ids=())])  # drafted before its report joined the story
    store.story_drafts.save_many([replace(stored, story_id=written, item_ids=())])
    compose.write_entry_text(store, written, "An editor's own text.")
    with store.engine.begin() as conn:
        conn.execute(story_drafts.delete().where(story_drafts.c.story_id == undrafted))
    ids = [fresh, stale, undrafted, written]
    read = store.story_drafts.get_many(ids)
    assert store.story_drafts.needing_drafts(story_ids=ids) == [stale, undrafted]
    assert store.story_drafts.needing_drafts(story_ids=ids, drafts=read) == [stale, undrafted]
    newer = _newer().version
    assert store.story_drafts.needing_drafts(story_ids=ids, drafts=read, backend_version=newer) == [
        fresh,
        stale,
        undrafted,
    ]


def test_redraft_takes_stories_of_an_older_backend_version(store: Store) -> None:
    story_id = _story(store)
    drafting.draft_pending(store)
    backend = _newer()
    assert drafting.draft_pending(store, backend=backend).story_ids == []
    assert drafting.draft_pending(store, backend=backend, redraft=True).story_ids == [story_id]
    stored = store.story_drafts.get(story_id)
    assert stored is not None and stored.backend_version == "frames-next"


def test_compose_drafts_what_it_needs_and_keeps_the_editors_text(store: Store) -> None:
    drafted_id = _story(store)
    written_id = _story(store, 2, "Суд в Курске арестовал студента.")
    compose.write_entry_text(store, written_id, "A court in Kursk arrested a student.")
    brief = compose.compose_brief(store, JUNE_3, JUNE_3)
    entries = {e["story_id"]: e for s in brief.as_dict()["sections"] for e in s["entries"]}
    assert entries[written_id]["status"] == "written" and entries[written_id]["backend"] is None
    assert entries[written_id]["text"] == "A court in Kursk arrested a student."
    machine = entries[drafted_id]
    assert machine["status"] == "drafted" and machine["backend"] == "frames"
    assert "Ivan Sidorov" in machine["text"] and "[To write]" not in machine["text"]
    assert machine["sentences"][0]["source_text"] == SENTENCE and machine["findings"] == []
    assert store.story_drafts.get(written_id) is None  # an editor's story is never drafted


def test_a_draft_the_guard_faulted_blocks_publishing_until_checked(store: Store) -> None:
    story_id = _story(store)
    store_unchecked_draft(store, story_id)
    draft = compose.compose_brief(store, JUNE_3, JUNE_3)
    entry = next(e for s in draft.sections for e in s.entries)
    assert entry.status == "needs-check" and entry.findings[0]["text"] == "99"
    problems = [p for e in review.review_draft(store, draft.id).entries for p in e.problems]
    assert [p.kind for p in problems] == ["needs-check"] and "99 is not in the reports" in problems[0].message
    refused = None
    try:
        publish.publish_draft(store, draft.id)
    except publish.PublishRefused as exc:
        refused = exc
    assert refused is not None and [e.story_id for e in refused.entries] == [story_id]


def test_cli_draft_and_stories_show(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    story_id = _story(store)
    store.engine.dispose()
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_url, "draft", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["drafted"] == 1 and data["drafts"][0]["story_id"] == story_id
    assert data["drafts"][0]["sentences"][0]["source_text"] == SENTENCE
    again = runner.invoke(cli, ["--db", db_url, "draft"])
    assert again.exit_code == 0 and "drafts: 0 drafted, 0 to check (frames)" in again.output
    one = runner.invoke(cli, ["--db", db_url, "draft", "--story", str(story_id)])
    assert one.exit_code == 0 and "Ivan Sidorov" in one.output and "drafts: 1 drafted" in one.output
    shown = runner.invoke(cli, ["--db", db_url, "stories", "show", str(story_id)])
    assert shown.exit_code == 0 and "Draft" in shown.output and "Суд в Курске" in shown.output
    bad = runner.invoke(cli, ["--db", db_url, "draft", "--backend", "nope"])
    assert bad.exit_code != 0 and "unknown drafting backend 'nope'" in str(bad.exception or bad.output)


def test_stories_show_says_which_sentence_rests_on_the_whole_report(db_url: str) -> None:
    store = open_store(db_url)
    story_id = add_story(
        store, [make_item(1, source="mediazona", text="Сегодня было много сообщений.", published_at=WHEN)]
    )
    store.engine.dispose()
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "draft"]).exit_code == 0
    shown = runner.invoke(cli, ["--db", db_url, "stories", "show", str(story_id)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "has reported on this story" in shown.output
    assert "(the whole report)" in shown.output and "[-1:-1]" not in shown.output


def test_drafting_reads_the_newsrooms_names_and_the_recent_run_only_recent_stories(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.outlet_aliases.set("mediazona", "Mediazona")
    glossary.add_term(store, "Volny Veter", "Free Wind", russian=["Вольный ветер"])
    context = drafting.context_of(store)
    assert context.outlet("mediazona") == "Mediazona" and "Volny Veter" in context.glossary_terms
    story_id = _story(store)  # last seen in June 2024
    assert processing.draft_recent(store).story_ids == []  # not seen in the last 14 days
    monkeypatch.setenv("MOBRIEF_DRAFT_DAYS", str((dt.date.today() - JUNE_3).days + 1))
    assert processing.draft_recent(store).story_ids == [story_id]
    stored = store.story_drafts.get(story_id)
    assert stored is not None and stored.text.startswith("According to Mediazona, ")  # the alias, not "mediazona"
