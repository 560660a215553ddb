"""What drafting works over and counts, no store: the house context from terms and aliases, a run's tally and the
window of recent stories."""

from __future__ import annotations

import datetime as dt

import pytest

from mobrief.brief import draft_stories
from mobrief.errors import ConfigError
from mobrief.records import DRAFTED, NEEDS_CHECK, Finding, GlossaryTerm, StoryDraft


def test_the_context_names_outlets_by_alias_then_glossary_and_lists_the_terms() -> None:
    terms = [
        GlossaryTerm(term="Mediazona", gloss="independent Russian media outlet", kind="outlet", russian=("Медиазона",)),
        GlossaryTerm(term="Rosgvardia", gloss="the Russian National Guard", russian=("Росгвардия",)),
    ]
    context = draft_stories.draft_context(terms, {"mz_channel": "Mediazona"})
    assert [context.outlet(s) for s in ("mz_channel", "Медиазона", "Вёрстка")] == ["Mediazona", "Mediazona", "Vyorstka"]
    assert context.overrides["Росгвардия"] == "Rosgvardia"
    assert context.glossary_terms == ("Mediazona", "Rosgvardia")


def _draft(story_id: int, status: str, *findings: Finding) -> StoryDraft:
    return StoryDraft(story_id=story_id, text="…", status=status, backend="frames", backend_version="1",
                      findings=findings)  # fmt: skip


def test_a_run_counts_what_was_drafted_checked_and_fell_back() -> None:
    run = draft_stories.DraftRun(backend="openai-compatible")
    for draft in (_draft(1, DRAFTED), _draft(2, NEEDS_CHECK, Finding(kind="number", text="99", message="…")),
                  _draft(3, DRAFTED, Finding(kind="fallback", text="", message="the endpoint timed out"))):  # fmt: skip
        run.count(draft)
    assert (run.drafted, run.needs_check, run.fell_back, run.story_ids) == (2, 1, 1, [1, 2, 3])
    assert draft_stories.summary_line(run) == (
        "drafts: 2 drafted, 1 to check (openai-compatible); 1 fell back to frames"
    )
    assert "story_ids" not in run.as_dict(with_ids=False)


def test_recent_stories_are_those_seen_in_the_last_days() -> None:
    since = draft_stories.recent_since({"MOBRIEF_DRAFT_DAYS": "2"})
    assert abs(since - (dt.datetime.now(dt.UTC) - dt.timedelta(days=2))) < dt.timedelta(minutes=1)
    with pytest.raises(ConfigError, match="MOBRIEF_DRAFT_DAYS must be a number of days, not 'two'"):
        draft_stories.recent_since({"MOBRIEF_DRAFT_DAYS": "two"})
