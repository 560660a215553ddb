"""Fitting items to what both backends hold: every output storable, nothing changed that did not need it."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from factories import make_item
from mobrief.item_limits import (
    FULL_TEXT_KEY,
    MAX_JSON_DEPTH,
    clean_json,
    clean_text,
    cut_text,
    fit_item,
    json_depth_exceeds,
    storable,
)

any_text = st.text(st.characters(exclude_categories=()), max_size=80)


@given(any_text)
def test_clean_text_is_storable_idempotent_and_keeps_what_was_storable(text: str) -> None:
    cleaned = clean_text(text)
    assert storable(cleaned)
    cleaned.encode("utf-8")  # a lone surrogate would raise
    assert clean_text(cleaned) == cleaned
    if storable(text):
        assert cleaned == text


@given(any_text, any_text, st.integers(min_value=1, max_value=50))
def test_fit_item_gives_a_storable_item_and_names_each_change(text: str, title: str, limit: int) -> None:
    item = make_item(1, text=text, title=title, author=title or None)
    fitted, fixes = fit_item(item, max_text_chars=limit)
    for value in (fitted.text, fitted.title, fitted.author or ""):
        assert storable(value)
    assert len(fitted.text) <= limit
    assert fitted.truncated == (len(clean_text(text)) > limit)
    if fitted.truncated:
        assert fitted.raw[FULL_TEXT_KEY] == clean_text(text)
    changed = {fix.field for fix in fixes}
    assert ("text" in changed) == (fitted.text != text)
    assert fit_item(fitted, max_text_chars=limit) == (fitted, [])  # a fitted item needs nothing more


def test_a_clean_item_is_returned_as_it_is() -> None:
    item = make_item(1)
    assert fit_item(item) == (item, [])


def test_overlong_keys_are_shortened_the_same_way_every_time() -> None:
    item = make_item(1, source="И" * 300, external_id="x" * 500, lang="english-language", url="h" * 9000)
    first, fixes = fit_item(item)
    again, _ = fit_item(item)
    assert first == again
    assert len(first.source) == 200 and first.external_id.startswith("sha256:")
    assert first.lang is None and first.url is None
    assert {fix.field for fix in fixes} == {"source", "external_id", "lang", "url"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3),
    max_leaves=10,
)


@given(json_values)
def test_clean_json_is_strict_json_every_backend_stores(value: object) -> None:
    fixes: list = []
    cleaned = clean_json(value, "raw", fixes)
    text = json.dumps(cleaned, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")
    assert "\\u0000" not in text
    assert clean_json(cleaned, "raw", []) == cleaned


def test_clean_json_names_the_path_of_each_change_and_cuts_deep_nesting() -> None:
    fixes: list = []
    deep: object = 1
    for _ in range(MAX_JSON_DEPTH + 5):
        deep = [deep]
    cleaned = clean_json({"a": {"b": [1, math.nan]}, "d": deep}, "raw", fixes)
    assert cleaned["a"]["b"] == [1, None]
    assert not json_depth_exceeds(cleaned)
    assert json_depth_exceeds(deep)
    assert [fix.field for fix in fixes] == ["raw.a.b.1", "raw.d" + ".0" * (MAX_JSON_DEPTH - 1)]


def test_cut_text_ends_at_a_space_or_line_break_near_the_limit() -> None:
    text = "слово " * 40
    cut = cut_text(text, 100)
    assert len(cut) <= 100 and text.startswith(cut) and cut.endswith("слово")
    assert cut_text("x" * 150, 100) == "x" * 100
