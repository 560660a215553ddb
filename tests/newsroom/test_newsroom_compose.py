"""Composing the brief of a period through the store (both backends): one entry per story, editors' work kept,
period boundaries, off-topic left out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from factories import add_story, make_item
from mobrief.brief.compose import ComposedBrief, ComposedEntry
from mobrief.brief.drafting import backends
from mobrief.brief.drafting.records import DraftContext, StoryReports
from mobrief.cli import cli
from mobrief.errors import NotFound
from mobrief.newsroom import compose, publish
from mobrief.records import StoryDraft
from mobrief.store import Store
from mobrief.store.schema import brief_paragraphs, stories

JUNE_2 = dt.date(2024, 6, 2)
JUNE_3 = dt.date(2024, 6, 3)
MIDNIGHT_JUNE_2 = dt.datetime(2024, 6, 2, 0, 0, tzinfo=dt.UTC)


def _item(n: int, source: str, text: str, when: dt.datetime, **kw: object) -> object:
    return make_item(n, source=source, text=text, published_at=when, url=f"https://example.test/{source}/{n}", **kw)


def _entries(composed: ComposedBrief) -> list[ComposedEntry]:
    return [e for s in composed.sections for e in s.entries]


def test_one_entry_per_story_however_many_outlets(store: Store) -> None:
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    trial = add_story(
        store,
        [
            _item(1, "Медиазона", "Суд в Калуге приговорил студента к шести годам.", when),
            _item(2, "Вёрстка", "Студента из Калуги осудили на шесть лет.", when + dt.timedelta(hours=1)),
            _item(3, "Агентство", "Калужскому студенту дали шесть лет колонии.", when + dt.timedelta(hours=2)),
        ],
        section="legal",
    )
    payment = add_story(
        store,
        [_item(4, "Вёрстка", "В Белгородской области выплату подняли до 2 млн рублей.", when)],
        section="recruitment",
        amounts=({"currency": "RUB", "value": 2_000_000.0, "text": "2 млн рублей", "usd": None},),
    )
    composed = compose.compose_brief(store, JUNE_2, JUNE_3)
    entries = _entries(composed)
    assert sorted(e.story_id for e in entries) == sorted([trial, payment])
    assert [s.key for s in composed.sections] == ["recruitment", "legal"]  # house order
    (trial_entry,) = [e for e in entries if e.story_id == trial]
    assert len(trial_entry.item_ids) == 3
    assert {s["outlet"] for s in trial_entry.sources} == {"Mediazona", "Vyorstka", "Agentstvo"}
    assert trial_entry.status == "drafted" and trial_entry.backend == "frames"  # drafted while composing
    assert "has sentenced a student" in trial_entry.text and "[To write]" not in trial_entry.text
    (payment_entry,) = [e for e in entries if e.story_id == payment]
    assert "2 million rubles [$" in payment_entry.text  # converted at the rate of the period's last day
    assert composed.title == "Mobilization in Russia for June 2–3, 2024"


def test_more_outlets_come_first_within_a_section(store: Store) -> None:
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    small = add_story(store, [_item(1, "a", "Один источник сообщил о суде.", when)], section="legal")
    big = add_story(
        store,
        [_item(2, "a", "Суд вынес приговор.", when), _item(3, "b", "Приговор вынесен судом.", when)],
        section="legal",
    )
    composed = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert [e.story_id for e in _entries(composed)] == [big, small]


def test_recompose_keeps_editors_texts_and_order(store: Store) -> None:
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    first = add_story(store, [_item(1, "a", "Суд вынес приговор активисту.", when)], section="legal")
    second = add_story(
        store,
        [_item(2, "a", "Суд арестовал студента.", when), _item(3, "b", "Студента арестовали.", when)],
        section="legal",
    )
    composed = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert [e.story_id for e in _entries(composed)] == [second, first]
    entry_of = {e.story_id: e.entry_id for e in _entries(composed)}
    store.drafts.move(entry_of[first] or 0, -1)  # the editor puts the smaller story first …
    compose.write_entry_text(store, first, "A court in Kaluga sentenced an activist, Mediazona reported.")
    again = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert again.id == composed.id  # the same draft, updated
    entries = _entries(again)
    assert [e.story_id for e in entries] == [first, second]  # … and composing again keeps that order
    assert entries[0].text.startswith("A court in Kaluga sentenced an activist")
    assert entries[0].status == "written"
    assert len(entries) == 2
    assert _entries(compose.compose_brief(store, JUNE_2, JUNE_3)) == entries  # idempotent


def test_period_boundaries_are_midnight_utc(store: Store) -> None:
    inside = add_story(store, [_item(1, "a", "Суд в полночь.", MIDNIGHT_JUNE_2)], section="legal")
    last_second = MIDNIGHT_JUNE_2 + dt.timedelta(days=2) - dt.timedelta(seconds=1)
    late = add_story(store, [_item(2, "a", "Суд перед полуночью.", last_second)], section="legal")
    add_story(store, [_item(3, "a", "Суд на следующий день.", MIDNIGHT_JUNE_2 + dt.timedelta(days=2))])
    add_story(store, [_item(4, "a", "Суд накануне.", MIDNIGHT_JUNE_2 - dt.timedelta(seconds=1))])
    composed = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert sorted(e.story_id for e in _entries(composed)) == sorted([inside, late])


def test_off_topic_and_skipped_stories_are_left_out(store: Store) -> None:
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=12)
    kept = add_story(store, [_item(1, "a", "Военкомат подожгли.", when)], section="legal")
    add_story(store, [_item(2, "b", "«Зенит» обыграл «Спартак».", when)], relevant=False, section=None)
    skipped = add_story(store, [_item(3, "c", "Повестки раздают у метро.", when)], section="recruitment")
    import sqlalchemy as sa

    from mobrief.store.schema import stories

    with store.engine.begin() as conn:
        conn.execute(sa.update(stories).where(stories.c.id == skipped).values(status="skip"))
    composed = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert [e.story_id for e in _entries(composed)] == [kept]


def test_english_report_is_attributed_in_house_style(store: Store) -> None:
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=12)
    story = add_story(
        store,
        [_item(1, "Медиазона", "The court sentenced the student to six years.", when, lang="en")],
        lang="en",
    )
    (entry,) = _entries(compose.compose_brief(store, JUNE_2, JUNE_3))
    assert entry.story_id == story
    assert entry.status == "drafted"
    assert entry.text.startswith("According to Mediazona [")  # the outlet glossed at its first mention
    assert "the court sentenced the student" in entry.text


def test_compose_publish_then_archive_export_round_trip(db_url: str, tmp_path: Path) -> None:
    from mobrief.store import open_store

    store = open_store(db_url)
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    story = add_story(store, [_item(1, "a", "Суд вынес приговор.", when)], section="legal")
    compose.write_entry_text(store, story, "A court in Kaluga sentenced a student to six years.")
    composed = compose.compose_brief(store, JUNE_2, JUNE_3)
    done = publish.publish_brief(store, composed.id, tmp_path / "site", base_url="https://briefs.example")
    store.close()
    assert done.files["html"].read_text(encoding="utf-8").count("sentenced a student") == 1
    assert "Mobilization in Russia for June 2–3, 2024" in done.feed.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", db_url, "archive", "export", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    (exported,) = [json.loads(line) for line in result.output.splitlines()]
    assert exported["title"] == "Mobilization in Russia for June 2–3, 2024"
    assert (exported["period_start"], exported["period_end"]) == ("2024-06-02", "2024-06-03")
    assert exported["sections"][0]["key"] == "legal"
    assert exported["sections"][0]["paragraphs"] == ["A court in Kaluga sentenced a student to six years."]


def test_compose_cli_json_shape_and_style_check(db_url: str, tmp_path: Path) -> None:
    from mobrief.store import open_store

    store = open_store(db_url)
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    add_story(
        store,
        [_item(1, "Медиазона", "Rosgvardia officers fined a protester 30,000 rubles.", when, lang="en")],
        lang="en",
        section="legal",
    )
    store.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_url, "brief", "compose", "--from", "2024-06-02", "--to", "2024-06-03",
                                 "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"title", "period_start", "period_end", "sections"}
    entry = data["sections"][0]["entries"][0]
    assert set(entry) >= {"story_id", "status", "text", "sources", "item_ids", "previously"}
    assert entry["sources"][0]["url"] == "https://example.test/Медиазона/1"
    markdown = runner.invoke(cli, ["--db", db_url, "brief", "show", str(data["id"]), "--format", "markdown"])
    path = tmp_path / "brief.md"
    path.write_text(markdown.stdout, encoding="utf-8")
    check = runner.invoke(cli, ["--db", db_url, "style", "check", str(path)])
    assert check.exit_code == 0, check.output


def test_composing_returns_the_brief_exactly_as_stored(store: Store) -> None:
    """What compose returns is built from what it saved, not read back: it must equal a fresh read, entry ids
    included, both when entries are inserted and when an editor's draft is composed again."""
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    drafted = add_story(
        store,
        [_item(1, "Медиазона", "В Белгородской области выплату подняли до 2 млн рублей.", when),
         _item(2, "Вёрстка", "Белгородским контрактникам заплатят 2 млн рублей.", when + dt.timedelta(hours=1))],
        section="recruitment",
        entities=({"kind": "person", "text": "Иван Петров", "normalized": "Иван Петров", "latin": "Ivan Petrov"},),
        places=({"name": "the Belgorod region", "key": "the Belgorod region", "text": "Белгородской области"},),
        amounts=({"currency": "RUB", "value": 2_000_000.0, "text": "2 млн рублей", "usd": None},),
    )  # fmt: skip
    english = add_story(
        store, [_item(3, "Медиазона", "The court sentenced the student to six years.", when, lang="en")], lang="en"
    )
    written = add_story(store, [_item(4, "a", "Суд вынес приговор активисту.", when)], section="legal")
    compose.write_entry_text(store, written, "A court in Kaluga sentenced an activist, Mediazona reported.")
    first = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert first == compose.load_composed(store, first.id)
    assert {e.story_id for e in _entries(first)} == {drafted, english, written}
    assert all(e.entry_id for e in _entries(first))
    entry_of = {e.story_id: e.entry_id for e in _entries(first)}
    store.drafts.move(entry_of[written] or 0, -1)
    add_story(store, [_item(5, "b", "Повестки раздают у метро.", when)], section="recruitment")
    again = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert again == compose.load_composed(store, again.id)
    assert len(_entries(again)) == 4


def test_composing_leaves_the_cycle_collector_as_it_found_it(store: Store) -> None:
    import gc

    add_story(store, [_item(1, "a", "Суд вынес приговор активисту.", MIDNIGHT_JUNE_2)], section="legal")
    assert gc.isenabled()
    compose.compose_brief(store, JUNE_2, JUNE_3)
    assert gc.isenabled()
    gc.disable()
    try:
        compose.compose_brief(store, JUNE_2, JUNE_3)
        assert not gc.isenabled()
    finally:
        gc.enable()


class _CollectorWatchingBackend:
    """The shipped backend, noting whether the cycle collector runs while it drafts."""

    def __init__(self) -> None:
        self.inner = backends.get_backend()
        self.name, self.version = self.inner.name, self.inner.version
        self.collecting: list[bool] = []

    def draft(self, story: StoryReports, context: DraftContext) -> StoryDraft:
        import gc

        self.collecting.append(gc.isenabled())
        return self.inner.draft(story, context)


def test_a_backend_drafts_with_the_cycle_collector_as_the_caller_had_it(store: Store) -> None:
    import gc

    # composing pauses the collector throughout, but not around a backend's own code, which may run for minutes
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    add_story(store, [_item(1, "a", "Суд вынес приговор активисту.", when)], section="legal")
    watching = _CollectorWatchingBackend()
    compose.compose_brief(store, JUNE_2, JUNE_3, backend=watching)
    assert watching.collecting == [True] and gc.isenabled()
    add_story(store, [_item(2, "b", "Повестки раздают у метро.", when)], section="recruitment")
    gc.disable()
    try:
        compose.compose_brief(store, JUNE_2, JUNE_3, backend=watching)
        assert watching.collecting == [True, False] and not gc.isenabled()
    finally:
        gc.enable()


def test_a_story_told_in_two_drafts_gets_its_text_in_both_at_once(store: Store) -> None:
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    story = add_story(store, [_item(1, "a", "Суд вынес приговор активисту.", when)], section="legal")
    day, days = compose.compose_brief(store, JUNE_2, JUNE_2), compose.compose_brief(store, JUNE_2, JUNE_3)
    assert day.id != days.id

    def told() -> list[tuple[str, str]]:
        drafts = [compose.load_composed(store, brief_id) for brief_id in (day.id, days.id)]
        return [(e.text, e.status) for draft in drafts for e in _entries(draft)]

    before = told()
    assert len(before) == 2 and before[0][1] != "written"
    entry_ids = [e.entry_id or 0 for draft in (day, days) for e in _entries(draft)]
    with pytest.raises(NotFound):  # one entry gone: none is written
        store.drafts.set_texts([*entry_ids, 10**9], "A court sentenced an activist.")
    assert told() == before

    compose.write_entry_text(store, story, "A court in Kaluga sentenced an activist.")
    assert told() == [("A court in Kaluga sentenced an activist.", "written")] * 2
    assert store.inbox.story(story).entry_text == "A court in Kaluga sentenced an activist."


def _rows_written(store: Store) -> list[tuple[str, int]]:
    """Each statement that writes a draft's rows from now on, with how many rows it wrote: the SQL's first words
    (statement and table) and the rows of an executemany, else the rows the database reports."""
    written: list[tuple[str, int]] = []

    def record(conn: object, cursor: Any, statement: str, parameters: Any, context: object, many: bool) -> None:
        words = " ".join(statement.split()[:3]).upper().replace('"', "")
        if words.split(" ")[0] in ("INSERT", "UPDATE", "DELETE") and "BRIEF" in words:
            rows = len(parameters) if many else cursor.rowcount
            if rows:
                written.append((words, rows))

    sa.event.listen(store.engine, "after_cursor_execute", record)
    return written


def _entry_rows(store: Store) -> dict[int, tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return {int(row[0]): tuple(row[1:]) for row in conn.execute(sa.select(brief_paragraphs))}


def test_composing_again_writes_only_what_changed(store: Store) -> None:
    """A draft composed again with nothing changed writes no row (it rewrote all 9,680 entries of a brief); a
    story moved to another section has its entry rewritten and the others are left as they are."""
    when = MIDNIGHT_JUNE_2 + dt.timedelta(hours=9)
    big = add_story(
        store,
        [_item(1, "a", "Суд вынес приговор.", when), _item(2, "b", "Приговор вынесен судом.", when)],
        section="legal",
    )
    small = add_story(store, [_item(3, "a", "Один источник сообщил о суде.", when)], section="legal")
    first = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert [e.story_id for e in _entries(first)] == [big, small]
    stored = _entry_rows(store)
    written = _rows_written(store)
    again = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert written == []
    assert again == first and _entry_rows(store) == stored
    with store.engine.begin() as conn:
        conn.execute(sa.update(stories).where(stories.c.id == small).values(section="recruitment"))
    moved = compose.compose_brief(store, JUNE_2, JUNE_3)
    assert [s.key for s in moved.sections] == ["recruitment", "legal"]
    assert [e.entry_id for e in _entries(moved)] == [e.entry_id for e in reversed(_entries(first))]
    assert ("UPDATE BRIEF_PARAGRAPHS SET", 1) in written
    assert sum(rows for words, rows in written if "BRIEF_PARAGRAPHS" in words) == 1  # the moved entry alone
    assert moved == compose.load_composed(store, moved.id)
    after = _entry_rows(store)
    big_entry, small_entry = (e.entry_id or 0 for e in _entries(first))
    assert after[big_entry] == stored[big_entry] and after[small_entry] != stored[small_entry]
