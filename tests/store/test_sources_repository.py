"""Configured sources and their polling state on both backends."""

from __future__ import annotations

import pytest

from mobrief.errors import NotFound
from mobrief.store import Store


def test_add_list_remove(store: Store) -> None:
    store.sources.add("outlet", "feed", "https://example.test/rss", {"fetch_articles": True})
    (source,) = store.sources.list(enabled_only=True)
    assert (source.name, source.stream, source.url, source.enabled) == (
        "outlet",
        "feed",
        "https://example.test/rss",
        True,
    )
    assert store.sources.options("outlet") == {"fetch_articles": True}
    store.sources.remove("outlet")
    assert store.sources.list(enabled_only=True) == []
    assert [s.name for s in store.sources.list()] == ["outlet"]  # items stay citable


def test_state_round_trips(store: Store) -> None:
    store.sources.ensure("chan", "telegram-channel")
    store.sources.save_state("chan", {"last_id": 42, "etag": '"abc"'})
    assert store.sources.state("chan") == {"last_id": 42, "etag": '"abc"'}


def test_unknown_source_is_named(store: Store) -> None:
    with pytest.raises(NotFound, match="no source named 'nope'"):
        store.sources.get("nope")
    with pytest.raises(NotFound, match="'nope'"):
        store.sources.remove("nope")
