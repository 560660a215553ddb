"""Editors fix the clustering: merge, move, split; decisions are kept, replayed after a rebuild, drafts follow."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from story_reports import REPORTS

from mobrief.cli import cli
from mobrief.errors import ConfigError, NotFound
from mobrief.newsroom import clustering, compose, story_edits
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.schema import story_items

AddReports = Callable[..., dict[str, int]]


def _story_of(store: Store, item_id: int) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(story_items.c.story_id).where(story_items.c.item_id == item_id)).scalar())


def _clustered(store: Store, add_reports: AddReports) -> dict[str, int]:
    ids = add_reports(store, REPORTS)
    clustering.cluster_pending(store, settings=Settings())
    assert _story_of(store, ids["tambov-1"]) != _story_of(store, ids["lipetsk-1"])
    return ids


def test_merge_folds_a_story_and_its_draft_entry_keeping_editors_text(store: Store, add_reports: AddReports) -> None:
    ids = _clustered(store, add_reports)
    tambov, lipetsk = _story_of(store, ids["tambov-1"]), _story_of(store, ids["lipetsk-1"])
    day = dt.date(2024, 6, 3)
    draft = compose.compose_brief(store, day, day)
    entries = {e.story_id: e.id for s in store.drafts.get(draft.id).sections for e in s.entries}
    store.drafts.set_text(entries[tambov], "Tambov raised the payment.")
    store.drafts.set_text(entries[lipetsk], "Lipetsk did too.")

    edit = story_edits.merge_stories(store, tambov, [lipetsk], editor="editor@example.org")
    assert edit.story_id == tambov and edit.removed == (lipetsk,)
    with pytest.raises(NotFound):
        store.stories.get(lipetsk)
    merged = store.stories.get(tambov)
    assert set(merged.item_ids) == {ids[k] for k in ("tambov-1", "tambov-2", "lipetsk-1", "lipetsk-2")}
    assert "the Lipetsk region" in merged.places  # the profile was signed again over every report
    assert store.story_decisions.merged_into(lipetsk) == tambov

    assert edit.composed == (draft.id,)  # the draft followed
    told = [e for s in store.drafts.get(draft.id).sections for e in s.entries if e.story_id == tambov]
    assert len(told) == 1 and told[0].text.startswith("Tambov raised the payment. Lipetsk did too.")
    assert set(told[0].item_ids) == set(merged.item_ids)

    decision = store.story_decisions.all()[-1]
    assert (decision.kind, decision.story_id, decision.from_story_id) == ("merge", tambov, lipetsk)
    assert set(decision.item_ids) == {ids["lipetsk-1"], ids["lipetsk-2"]}
    assert set(decision.joined_item_ids) == {ids["tambov-1"], ids["tambov-2"]}
    assert decision.editor == "editor@example.org"


def test_merge_gives_the_kept_story_the_suggestions_and_later_stories_of_the_absorbed_one(
    store: Store, add_reports: AddReports
) -> None:
    ids = _clustered(store, add_reports)
    tambov, lipetsk = _story_of(store, ids["tambov-1"]), _story_of(store, ids["lipetsk-1"])
    sentence, football = _story_of(store, ids["sentence-1"]), _story_of(store, ids["football"])
    assert len({tambov, lipetsk, sentence, football}) == 4
    store.suggestions.save(lipetsk, "volunteer@example.org", "Lipetsk raised the payment too.")
    link = {"score": 0.5, "reasons": []}
    store.stories.replace_links(
        {
            sentence: [{"earlier_story_id": lipetsk, **link}],
            football: [{"earlier_story_id": lipetsk, **link}, {"earlier_story_id": tambov, **link}],
        }
    )

    story_edits.merge_stories(store, tambov, [lipetsk], editor="editor@example.org")
    (suggestion,) = store.suggestions.of_stories([tambov])[tambov]
    assert (suggestion.editor, suggestion.text) == ("volunteer@example.org", "Lipetsk raised the payment too.")
    assert [x.earlier_story_id for x in store.stories.links(sentence)] == [tambov]
    assert [x.earlier_story_id for x in store.stories.links(football)] == [tambov]  # one link, not two


def test_split_and_move_hold_after_the_clustering_is_rebuilt(store: Store, add_reports: AddReports) -> None:
    ids = _clustered(store, add_reports)
    tambov, sentence = _story_of(store, ids["tambov-1"]), _story_of(store, ids["sentence-1"])
    split = story_edits.split_story(store, tambov, [ids["tambov-2"]], editor="e")
    assert _story_of(store, ids["tambov-2"]) == split.story_id != tambov
    story_edits.move_reports(store, [ids["football"]], sentence, editor="e")
    assert _story_of(store, ids["football"]) == sentence

    runner = CliRunner()
    result = runner.invoke(
        cli, ["--db", store.engine.url.render_as_string(hide_password=False), "stories", "cluster", "--rebuild",
              "--yes", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["decisions_replayed"] >= 2
    assert _story_of(store, ids["tambov-1"]) != _story_of(store, ids["tambov-2"])  # the split holds
    assert _story_of(store, ids["football"]) == _story_of(store, ids["sentence-1"])  # so does the move
    assert _story_of(store, ids["lipetsk-1"]) == _story_of(store, ids["lipetsk-2"])  # the rest as clustered


def test_a_moved_report_is_never_moved_back_by_clustering(store: Store, add_reports: AddReports) -> None:
    ids = _clustered(store, add_reports)
    lipetsk = _story_of(store, ids["lipetsk-1"])
    story_edits.move_reports(store, [ids["tambov-2"]], lipetsk)
    with store.engine.connect() as conn:
        method = conn.execute(sa.select(story_items.c.method).where(story_items.c.item_id == ids["tambov-2"])).scalar()
    assert method == "editor"
    assert clustering.cluster_pending(store, settings=Settings()).items == 0
    assert _story_of(store, ids["tambov-2"]) == lipetsk


def test_bad_edits_are_refused_with_a_reason(sqlite_store: Store, add_reports: AddReports) -> None:
    ids = _clustered(sqlite_store, add_reports)
    tambov = _story_of(sqlite_store, ids["tambov-1"])
    with pytest.raises(ConfigError, match="leave at least one report"):
        story_edits.split_story(sqlite_store, tambov, [ids["tambov-1"], ids["tambov-2"]])
    with pytest.raises(ConfigError, match="is not in story"):
        story_edits.split_story(sqlite_store, tambov, [ids["football"]])
    with pytest.raises(ConfigError, match="at least one other story"):
        story_edits.merge_stories(sqlite_store, tambov, [tambov])
    with pytest.raises(NotFound, match="no story with id 9999"):
        story_edits.move_reports(sqlite_store, [ids["football"]], 9999)
