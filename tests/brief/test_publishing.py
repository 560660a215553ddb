"""The one publish path: refused while an entry is unfinished unless left out; corrections and withdrawals in the
open, on the page's record and in the feed; the CLI on the same functions (both backends)."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import add_story, make_item, store_unchecked_draft
from mobrief.cli import cli
from mobrief.errors import ConfigError
from mobrief.newsroom import compose, publish, review
from mobrief.store import Store, open_store

JUNE_3 = dt.date(2024, 6, 3)
WHEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def _two_stories(store: Store) -> tuple[int, int]:
    written = add_story(store, [make_item(1, source="a", text="Суд вынес приговор активисту.", published_at=WHEN)])
    unchecked = add_story(store, [make_item(2, source="b", text="Суд арестовал студента.", published_at=WHEN)])
    store_unchecked_draft(store, unchecked)  # a machine draft the fact guard found fault with
    compose.write_entry_text(store, written, "A court in Kaluga sentenced an activist to six years.")
    return written, unchecked


def test_unfinished_entries_refuse_publishing_until_left_out(store: Store) -> None:
    written, scaffold = _two_stories(store)
    draft = compose.compose_brief(store, JUNE_3, JUNE_3)
    entry_of = {e.story_id: e.entry_id or 0 for s in draft.sections for e in s.entries}
    store.drafts.set_text(entry_of[written], "A court sentenced an activist; the voenkomat said nothing.")
    checked = review.review_draft(store, draft.id)
    kinds = {e.story_id: [p.kind for p in e.problems] for e in checked.entries}
    assert kinds == {written: ["lint"], scaffold: ["needs-check"]}
    with pytest.raises(publish.PublishRefused, match="2 unfinished entries") as refused:
        publish.publish_draft(store, draft.id)
    assert {e.story_id for e in refused.value.entries} == {written, scaffold}
    assert store.drafts.get(draft.id).status == "draft"  # nothing changed
    store.drafts.set_text(entry_of[written], "A court in Kaluga sentenced an activist to six years.")
    with pytest.raises(ConfigError, match="nothing left to publish"):
        publish.publish_draft(store, draft.id, leave_out=list(entry_of.values()))
    brief = publish.publish_draft(store, draft.id, leave_out=[entry_of[scaffold]])
    assert [p for s in brief.sections for p in s.paragraphs] == [
        "A court in Kaluga sentenced an activist to six years."
    ]
    with pytest.raises(ConfigError, match="only a draft"):
        publish.publish_draft(store, draft.id)


def test_a_correction_keeps_the_url_and_the_old_text_and_a_withdrawal_the_record(store: Store) -> None:
    _two_stories(store)
    draft = compose.compose_brief(store, JUNE_3, JUNE_3)
    scaffolds = [e.entry_id for e in review.review_draft(store, draft.id).blocking]
    publish.publish_draft(store, draft.id, leave_out=scaffolds, now=WHEN + dt.timedelta(days=1))
    correction = publish.start_correction(store, draft.id)
    assert publish.start_correction(store, draft.id) == correction  # one open correction at a time
    (entry,) = [e for s in store.drafts.get(correction).sections for e in s.entries]
    store.drafts.set_text(entry.id, "A court in Kaluga sentenced an activist to five years.")
    with pytest.raises(ConfigError, match="readers see this note"):
        publish.publish_draft(store, correction)
    corrected = publish.publish_draft(
        store, correction, note="An earlier version said six years.", editor="e@x.org", now=WHEN + dt.timedelta(days=2)
    )
    assert corrected.id == draft.id and "five years" in corrected.sections[0].paragraphs[0]
    with pytest.raises(Exception, match="no brief"):
        store.drafts.get(correction)
    (revision,) = store.revisions.of(draft.id)
    assert (revision.kind, revision.editor) == ("correction", "e@x.org")
    assert "six years" in json.dumps(revision.previous)

    publish.withdraw_brief(store, draft.id, "The sentence was never handed down.", now=WHEN + dt.timedelta(days=3))
    assert store.briefs.get(draft.id).status == "withdrawn"
    with pytest.raises(ConfigError, match="only a published brief"):
        publish.withdraw_brief(store, draft.id, "again")
    (entry,) = publish.feed_entries(store, lambda b: f"https://briefs.example/{b.id}")
    assert entry.withdrawn and entry.notes == (
        "Corrected on June 5, 2024: An earlier version said six years.",
        "Withdrawn on June 6, 2024: The sentence was never handed down.",
    )
    assert entry.updated_at == WHEN + dt.timedelta(days=3)


def test_cli_publish_correct_and_withdraw(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    _, scaffold = _two_stories(store)
    draft = compose.compose_brief(store, JUNE_3, JUNE_3)
    scaffold_entry = next(e.entry_id for s in draft.sections for e in s.entries if e.story_id == scaffold)
    store.close()
    runner = CliRunner()
    site = tmp_path / "site"
    refused = runner.invoke(cli, ["--db", db_url, "brief", "publish", str(draft.id), "--out", str(site)])
    assert isinstance(refused.exception, publish.PublishRefused)  # `mobrief` prints it as "error: …", exit 1
    done = runner.invoke(cli, ["--db", db_url, "brief", "publish", str(draft.id), "--out", str(site),
                               "--leave-out", str(scaffold_entry), "--json"])  # fmt: skip
    assert done.exit_code == 0, done.output
    audited = open_store(db_url)
    (entry,) = audited.audit.list(action="brief.published")
    assert (entry.client, entry.actor_email, entry.target_id) == ("cli", None, draft.id)  # as the web records it
    audited.close()
    published = (site / "mobilization-in-russia-for-june-3-2024.md").read_text(encoding="utf-8")
    assert "99 people" not in published and "six years" in published
    opened = runner.invoke(cli, ["--db", db_url, "brief", "correct", str(draft.id), "--json"])
    correction = json.loads(opened.output)["draft_id"]
    again = runner.invoke(cli, ["--db", db_url, "brief", "publish", str(correction), "--out", str(site),
                                "--note", "Nothing changed but the note."])  # fmt: skip
    assert again.exit_code == 0, again.output
    gone = runner.invoke(cli, ["--db", db_url, "brief", "withdraw", str(draft.id), "--note", "Wrong court.",
                               "--out", str(site)])  # fmt: skip
    assert gone.exit_code == 0, gone.output
    audited = open_store(db_url)
    (withdrawn,) = audited.audit.list(action="brief.withdrawn")  # as the web records it
    assert (withdrawn.client, withdrawn.actor_email, withdrawn.target_id) == ("cli", None, draft.id)
    assert withdrawn.detail == {"note": "Wrong court."}
    audited.close()
    feed = ET.fromstring((site / "feed.atom").read_text(encoding="utf-8"))
    (item,) = feed.findall(f"{ATOM}entry")
    assert item.find(f"{ATOM}title").text == "Withdrawn: Mobilization in Russia for June 3, 2024"
    assert "Wrong court." in item.find(f"{ATOM}content").text


def test_publishing_is_one_transaction_that_leaves_no_placeholder_hash(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mobrief.store import briefs as brief_store

    _, scaffold = _two_stories(store)
    draft = compose.compose_brief(store, JUNE_3, JUNE_3)
    left_out = [e.entry_id or 0 for s in draft.sections for e in s.entries if e.story_id == scaffold]
    hash_of = brief_store.content_hash

    def crash(brief: object) -> str:
        raise RuntimeError("killed while publishing")

    monkeypatch.setattr(brief_store, "content_hash", crash)
    with pytest.raises(RuntimeError):
        store.drafts.publish(draft.id, "Mobilization in Russia for June 3, 2024", WHEN, leave_out=left_out)
    kept = store.drafts.get(draft.id)
    assert kept.status == "draft" and len([e for s in kept.sections for e in s.entries]) == 2  # nothing changed

    monkeypatch.setattr(brief_store, "content_hash", hash_of)
    store.drafts.publish(draft.id, "Mobilization in Russia for June 3, 2024", WHEN, leave_out=left_out)
    published = store.briefs.get(draft.id)
    assert published.status == "published"
    assert store.briefs.upsert(published) == (draft.id, "unchanged")  # re-importing the page finds it by hash


def test_a_correction_leaving_an_entry_out_is_one_transaction(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from mobrief.store import briefs as brief_store

    written, _ = _two_stories(store)
    other = add_story(store, [make_item(3, source="c", text="Суд оштрафовал блогера.", published_at=WHEN)])
    compose.write_entry_text(store, other, "A court in Tver fined a blogger.")
    draft = compose.compose_brief(store, JUNE_3, JUNE_3)
    scaffolds = [e.entry_id for e in review.review_draft(store, draft.id).blocking]
    publish.publish_draft(store, draft.id, leave_out=scaffolds, now=WHEN)
    correction = publish.start_correction(store, draft.id)
    entry_of = {e.story_id: e.id for s in store.drafts.get(correction).sections for e in s.entries}
    assert set(entry_of) == {written, other}

    def crash(brief: object) -> str:
        raise RuntimeError("killed while publishing the correction")

    monkeypatch.setattr(brief_store, "content_hash", crash)
    with pytest.raises(RuntimeError):
        publish.publish_draft(store, correction, leave_out=[entry_of[other]], note="The fine was not imposed.")
    assert {e.story_id for s in store.drafts.get(correction).sections for e in s.entries} == {written, other}
    monkeypatch.undo()

    corrected = publish.publish_draft(store, correction, leave_out=[entry_of[other]], note="The fine was not imposed.")
    assert [p for s in corrected.sections for p in s.paragraphs] == [
        "A court in Kaluga sentenced an activist to six years."
    ]


def test_deleting_a_draft_is_one_transaction_and_never_takes_a_published_brief(store: Store) -> None:
    import sqlalchemy as sa

    _two_stories(store)
    draft = compose.compose_brief(store, JUNE_3, JUNE_3)
    scaffolds = [e.entry_id for e in review.review_draft(store, draft.id).blocking]
    publish.publish_draft(store, draft.id, leave_out=scaffolds, now=WHEN)
    with pytest.raises(ConfigError, match="only drafts can change"):
        store.drafts.delete(draft.id)
    assert store.briefs.get(draft.id).status == "published"

    other = store.drafts.create("Mobilization in Russia for June 4, 2024", JUNE_3, JUNE_3)
    begun: list[int] = []
    sa.event.listen(store.engine, "begin", lambda conn: begun.append(1))
    store.drafts.delete(other)
    assert len(begun) == 1
    with pytest.raises(Exception, match=f"no brief with id {other}"):
        store.drafts.get(other)


def _published(store: Store) -> int:
    _two_stories(store)
    draft = compose.compose_brief(store, JUNE_3, JUNE_3)
    scaffolds = [e.entry_id for e in review.review_draft(store, draft.id).blocking]
    publish.publish_draft(store, draft.id, leave_out=scaffolds, now=WHEN)
    return draft.id


def _transactions(store: Store) -> list[int]:
    import sqlalchemy as sa

    begun: list[int] = []
    sa.event.listen(store.engine, "begin", lambda conn: begun.append(1))
    return begun


def test_starting_a_correction_and_withdrawing_are_each_one_transaction(store: Store) -> None:
    brief_id = _published(store)
    begun = _transactions(store)
    correction = publish.start_correction(store, brief_id)
    assert len(begun) == 1  # the check for an open correction is inside the transaction that makes one
    assert publish.start_correction(store, brief_id) == correction and len(begun) == 2  # the open one, found in one
    begun.clear()
    publish.withdraw_brief(store, brief_id, "The court record was forged.", editor="e@example.org", actor_id=None,
                           client="cli")  # fmt: skip
    assert len(begun) == 1  # the withdrawal and its audit entry together
    (entry,) = store.audit.list(action="brief.withdrawn", target=("brief", brief_id))
    assert (entry.client, entry.actor_email, entry.detail) == ("cli", None, {"note": "The court record was forged."})
    with pytest.raises(ConfigError, match="only a published brief can be corrected"):
        publish.start_correction(store, brief_id)


@pytest.mark.postgres
def test_editors_starting_a_correction_at_once_get_one_draft(pg_url: str) -> None:
    import threading

    store = open_store(pg_url)
    try:
        brief_id = _published(store)
        barrier = threading.Barrier(4)
        got: list[int] = []

        def start() -> None:
            barrier.wait()
            got.append(publish.start_correction(store, brief_id))

        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(got) == 4 and len(set(got)) == 1
        assert [d.id for d in store.drafts.listing("draft") if d.corrects_brief_id == brief_id] == got[:1]
    finally:
        store.close()
