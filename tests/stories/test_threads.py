"""Threads: a sentence in June links back to the arrest reported in February; unrelated stories do not."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable

import pytest
from click.testing import CliRunner
from story_reports import ARREST, REPORTS, Report, enriched

from mobrief.cli import cli
from mobrief.newsroom import clustering
from mobrief.records import StoredSignature
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.stories import same_event, signatures, threads

AddReports = Callable[..., dict[str, int]]


def test_a_sentence_links_to_the_arrest_months_before(store: Store, add_reports: AddReports) -> None:
    ids = add_reports(store, [ARREST])
    clustering.cluster_pending(store, settings=Settings())
    ids |= add_reports(store, REPORTS)
    report = clustering.cluster_pending(store, settings=Settings())
    assert report.links == 1
    arrest = store.stories.story_of_item(ids["arrest"])
    sentence = store.stories.story_of_item(ids["sentence-1"])
    assert sentence is not None and arrest is not None and sentence != arrest
    links = store.stories.links(sentence)
    assert [link.earlier_story_id for link in links] == [arrest]
    kinds = {r["kind"]: r for r in links[0].reasons}
    assert kinds["person"]["label"] == "Aleksei Pushkaryov" and kinds["place"]["key"] == "samara-region"
    assert [link.story_id for link in store.stories.later_links(arrest)] == [sentence]
    for other in ("tambov-1", "lipetsk-1", "football"):
        story = store.stories.story_of_item(ids[other])
        assert story is not None and store.stories.links(story) == []
    assert threads.find_earlier_stories(store.stories, arrest) == []  # nothing came before the arrest


def test_show_lists_previously_reported_candidates(db_url: str, store: Store, add_reports: AddReports) -> None:
    ids = add_reports(store, [ARREST, *REPORTS])
    clustering.cluster_pending(store, settings=Settings())
    sentence = store.stories.story_of_item(ids["sentence-2"])
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_url, "stories", "show", str(sentence), "--json"])
    assert result.exit_code == 0, result.output
    previously = json.loads(result.stdout)["previously_reported"]
    assert [p["story_id"] for p in previously] == [store.stories.story_of_item(ids["arrest"])]
    assert previously[0]["title"].startswith("В Самаре задержан")
    result = runner.invoke(cli, ["--db", db_url, "stories", "threads", str(sentence), "--json"])
    assert result.exit_code == 0, result.output
    assert [p["story_id"] for p in json.loads(result.stdout)] == [p["story_id"] for p in previously]


def test_a_name_alone_without_topic_is_not_a_thread() -> None:
    later = same_event.StoryProfile.start(2, signatures.sign_item(enriched(REPORTS[4], 2)))
    arrest = same_event.StoryProfile.start(1, signatures.sign_item(enriched(ARREST, 1)))
    bonus = same_event.StoryProfile.start(3, signatures.sign_item(enriched(REPORTS[0], 3)))
    linked, reasons = threads.score_continuation(later, arrest)
    assert linked >= threads.LINK_THRESHOLD and reasons[0]["kind"] == "person"
    unrelated, _ = threads.score_continuation(later, bonus)
    assert unrelated < threads.LINK_THRESHOLD
    common, _ = threads.score_continuation(later, arrest, common={"person:pushkariov"})
    assert common < linked


def test_unknown_report_kinds_do_not_break_threads(store: Store, add_reports: AddReports) -> None:
    odd = Report(key="odd", event="odd", source="Канал", url="https://t.me/odd/1", hours=1, text="Фото")
    add_reports(store, [odd])
    report = clustering.cluster_pending(store, settings=Settings())
    assert report.items == 1 and report.links == 0


def test_stories_linked_together_get_the_links_each_gets_alone(
    store: Store, add_reports: AddReports, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_reports(store, [ARREST, *REPORTS])
    clustering.cluster_pending(store, settings=Settings())
    story_ids = [story.id for story, _ in store.stories.recent(limit=1000)]
    alone = {story_id: threads.find_earlier_stories(store.stories, story_id) for story_id in story_ids}
    assert any(alone.values())  # the sentences link to the arrest
    assert threads.find_earlier_stories_of(store.stories, story_ids) == alone
    stored = {story_id: store.stories.links(story_id) for story_id in story_ids}
    monkeypatch.setattr(clustering, "LINK_BATCH", 2)  # stored two stories a transaction: the same links
    assert clustering.link_stories(store, reversed(story_ids)) == sum(len(links) for links in alone.values())
    assert {story_id: store.stories.links(story_id) for story_id in story_ids} == stored


class RecordingIndex:
    """The store's stories as a `StoryIndex`, recording every search asked of the full-text index and every profile."""

    def __init__(self, store: Store) -> None:
        self.stories = store.stories
        self.asked: list[tuple[str, threads.Query]] = []
        self.profiles: list[int] = []

    def items_matching(self, queries: Iterable[threads.Query], *, limit: int) -> dict[threads.Query, list[int]]:
        queries = list(queries)
        self.asked += [("ranked", q) for q in dict.fromkeys(queries)]
        return self.stories.items_matching(queries, limit=limit)

    def some_items_matching(self, queries: Iterable[threads.Query], *, limit: int) -> dict[threads.Query, list[int]]:
        queries = list(queries)
        self.asked += [("some", q) for q in dict.fromkeys(queries)]
        return self.stories.some_items_matching(queries, limit=limit)

    def stories_of_items(self, item_ids: Iterable[int]) -> dict[int, tuple[int, dt.datetime]]:
        return self.stories.stories_of_items(item_ids)

    def signatures_of(self, story_ids: Iterable[int]) -> list[StoredSignature]:
        story_ids = sorted(set(story_ids))
        self.profiles += story_ids
        return self.stories.signatures_of(story_ids)


def test_batches_of_a_run_ask_each_search_and_profile_once_and_link_as_afresh(
    store: Store, add_reports: AddReports
) -> None:
    add_reports(store, [ARREST, *REPORTS])
    clustering.cluster_pending(store, settings=Settings())
    story_ids = [story.id for story, _ in store.stories.recent(limit=1000)]
    alone = {story_id: threads.find_earlier_stories(store.stories, story_id) for story_id in story_ids}
    assert any(alone.values())
    each_batch, once = RecordingIndex(store), RecordingIndex(store)
    remembering = threads.RememberingIndex(once)
    afresh, remembered = {}, {}
    for start in range(0, len(story_ids), 2):
        afresh |= threads.find_earlier_stories_of(each_batch, story_ids[start : start + 2])
        remembered |= threads.find_earlier_stories_of(remembering, story_ids[start : start + 2])
    assert afresh == remembered == alone
    assert len(each_batch.asked) > len(set(each_batch.asked))  # batches share names: asked again each batch
    assert sorted(once.asked) == sorted(set(each_batch.asked))  # once each
    assert len(each_batch.profiles) > len(set(each_batch.profiles))  # a story read as a later and as a candidate
    assert sorted(once.profiles) == sorted(set(each_batch.profiles))


def test_threads_save_stores_the_links_found_again(db_url: str, store: Store, add_reports: AddReports) -> None:
    ids = add_reports(store, [ARREST, *REPORTS])
    clustering.cluster_pending(store, settings=Settings())
    sentence = store.stories.story_of_item(ids["sentence-2"])
    assert sentence is not None
    linked = store.stories.links(sentence)
    assert linked  # the sentence continues the arrest
    store.stories.replace_links({sentence: []})
    assert store.stories.links(sentence) == []
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_url, "stories", "threads", str(sentence), "--json"])
    assert result.exit_code == 0, result.output
    assert store.stories.links(sentence) == []  # without --save the links are only shown
    result = runner.invoke(cli, ["--db", db_url, "stories", "threads", str(sentence), "--save", "--json"])
    assert result.exit_code == 0, result.output
    assert [p["story_id"] for p in json.loads(result.stdout)] == [link.earlier_story_id for link in linked]
    assert store.stories.links(sentence) == linked


SARATOV = {"key": "saratov", "name": "Saratov", "text": "Саратове", "kind": "city"}
# A fire at an enlistment office told with the verb, and the trial three weeks later told with the noun: the
# trial's words count «поджог» for both, and its search must find the report that says «подожгли».
FIRE = Report(
    key="fire",
    event="fire",
    source="Сводка",
    url="https://svodka.example/news/1",
    hours=0,
    text="В Саратове ночью подожгли военкомат Ленинского района: неизвестный бросил в окно бутылку с "
    "зажигательной смесью. Огонь потушили, пострадавших нет.",
    places=(SARATOV,),
    section="legal",
)
TRIAL = Report(
    key="trial",
    event="trial",
    source="Волжский вестник",
    url="https://vvestnik.example/news/2",
    hours=24 * 21,
    text="В Саратове начался суд по делу о поджоге военкомата Ленинского района: за поджог военкомата, "
    "бутылку с зажигательной смесью в окно, обвиняемому грозит до 20 лет.",
    places=(SARATOV,),
    section="legal",
)


def test_a_story_searches_every_word_of_a_family(store: Store, add_reports: AddReports) -> None:
    ids = add_reports(store, [FIRE, TRIAL])
    report = clustering.cluster_pending(store, settings=Settings())
    fire, trial = store.stories.story_of_item(ids["fire"]), store.stories.story_of_item(ids["trial"])
    assert fire is not None and trial is not None and fire != trial
    assert report.links == 1 and [link.earlier_story_id for link in store.stories.links(trial)] == [fire]
    (stored,) = store.stories.signatures_of([trial])
    later = same_event.StoryProfile.from_json(trial, stored.first_seen, stored.last_seen, stored.signature)
    (topic,) = [terms for key, terms in threads._queries(later) if key == "topic"]
    assert ("поджог", "поджечь") in topic  # «поджечь» is no term of the trial's, but a family word of one
    assert ids["fire"] in store.stories.items_matching([topic], limit=50)[topic]
    heads = tuple(group[:1] for group in topic)  # the family's first word alone does not find «подожгли»
    assert store.stories.items_matching([heads], limit=50)[heads] == [ids["trial"]]
