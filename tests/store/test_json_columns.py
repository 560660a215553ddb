"""JSON columns hold Russian as UTF-8 text, not `\\uXXXX` escapes, read back the same on both backends; a lone
surrogate, which UTF-8 cannot carry, is still stored (escaped)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from factories import add_story, make_item
from mobrief.records import DraftSentence, Finding, StoryDraft
from mobrief.store import Store, json_columns
from mobrief.store.schema import story_drafts


def test_encode_keeps_letters_and_escapes_what_utf8_cannot_carry() -> None:
    assert json_columns.encode({"place": "Москва", "n": [1, 2.5, None]}) == '{"place": "Москва", "n": [1, 2.5, null]}'
    assert json_columns.encode(["a\udc80b"]) == '["a\\udc80b"]'
    assert json.loads(json_columns.encode(["a\udc80b"])) == ["a\udc80b"]


def test_lists_decode_the_same_as_texts_alone_and_beside_values_a_driver_decoded() -> None:
    texts = ['[{"place": "Москва"}]', "[]", None, "null", "", "[1, 2]"]
    expected = [({"place": "Москва"},), (), (), (), (), (1, 2)]
    assert json_columns.decode_lists(texts) == expected
    assert json_columns.decode_lists(texts + texts[::-1]) == expected + expected[::-1]  # each decoded once
    assert json_columns.decode_lists([*texts, ["a"]]) == [*expected, ("a",)]
    assert json_columns.decode_lists([]) == []


def test_a_drafts_russian_source_is_stored_as_letters_and_read_back(store: Store) -> None:
    story_id = add_story(store, [make_item(1)])
    sentence = DraftSentence(text="A court in Moscow.", item_id=1, start=0, end=9, source_text="В Москве суд.")
    odd = Finding(kind="name", text="a\udc80b", message="a lone surrogate")
    draft = StoryDraft(story_id=story_id, text="A court in Moscow.", status="drafted", backend="frames",
                       backend_version="1", sentences=(sentence,), findings=(odd,), item_ids=(1,))  # fmt: skip
    store.story_drafts.save_many([draft])
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.select(sa.cast(story_drafts.c.sentences, sa.Text)).where(story_drafts.c.story_id == story_id)
        ).scalar_one()
    assert "В Москве суд." in stored and "\\u" not in stored
    assert store.story_drafts.get(story_id) == draft
