"""Manual notes: stable ids, times, and the `note` adapter."""

from __future__ import annotations

import datetime as dt

import pytest

from mobrief.errors import ConfigError
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.sources.manual_note import ManualNote, make_note
from mobrief.sources.registry import SourceContext


def test_same_note_twice_has_the_same_id() -> None:
    first = make_note("Звонок из Энска: повестки раздают у проходной.", url="https://example.org/tip")
    again = make_note("Звонок из Энска: повестки раздают у проходной.", url="https://example.org/tip")
    other = make_note("Другая заметка.", url="https://example.org/tip")
    assert first.external_id == again.external_id != other.external_id
    assert first.source == "notes"
    assert first.links == ("https://example.org/tip",)


def test_note_time_is_aware_utc() -> None:
    naive = make_note("text", published_at=dt.datetime(2024, 6, 2, 12, 0))
    assert naive.published_at == dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)
    moscow = dt.timezone(dt.timedelta(hours=3))
    assert make_note("text", published_at=dt.datetime(2024, 6, 2, 15, 0, tzinfo=moscow)).published_at == (
        dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)
    )
    assert make_note("text").published_at.tzinfo is dt.UTC


def test_empty_note_is_refused() -> None:
    with pytest.raises(ConfigError):
        make_note("   ")


def test_note_adapter_reads_its_location_as_the_text() -> None:
    context = SourceContext(settings=Settings())
    when = "2024-06-03T10:00:00Z"
    adapter = ManualNote(context, url="https://example.org/x", title="Тема", published_at=when)
    (item,) = adapter.read("Текст заметки")
    assert isinstance(item, Item)
    assert (item.text, item.title, item.url) == ("Текст заметки", "Тема", "https://example.org/x")
    assert item.published_at == dt.datetime(2024, 6, 3, 10, 0, tzinfo=dt.UTC)
    with pytest.raises(ConfigError, match="published-at"):
        ManualNote(context, published_at="завтра")
