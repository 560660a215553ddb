"""Glossary edits as the newsroom makes them (the CLI is an adapter): a new gloss keeps the old as a variant, a
shipped term edited becomes the editors' own, and a rename is one transaction."""

from __future__ import annotations

import pytest

from mobrief.errors import ConfigError, NotFound
from mobrief.newsroom import glossary as newsroom_glossary
from mobrief.store import Store
from mobrief.store import glossary as glossary_store


def test_an_edit_keeps_the_old_gloss_and_a_rename_replaces_the_spelling(store: Store) -> None:
    newsroom_glossary.add_term(store, "Volny Veter", "Free Wind", russian=["Вольный ветер"])
    edited = newsroom_glossary.edit_term(store, "volny veter", gloss="Free Wind channel")
    assert (edited.gloss, edited.variants, edited.origin) == ("Free Wind channel", ("Free Wind",), "user")

    renamed = newsroom_glossary.edit_term(store, "Volny Veter", rename="Volnyi Veter")
    assert (renamed.term, renamed.gloss, renamed.russian) == ("Volnyi Veter", "Free Wind channel", ("Вольный ветер",))
    with pytest.raises(NotFound):
        store.glossary.get("Volny Veter")


def test_a_rename_that_fails_keeps_the_term(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    newsroom_glossary.add_term(store, "Volny Veter", "Free Wind")

    def crash(term: object) -> dict[str, object]:
        raise RuntimeError("killed while saving")

    monkeypatch.setattr(glossary_store, "_values", crash)
    with pytest.raises(RuntimeError):
        newsroom_glossary.edit_term(store, "Volny Veter", rename="Volnyi Veter")
    monkeypatch.undo()
    assert store.glossary.get("Volny Veter").gloss == "Free Wind"


def test_a_term_needs_a_name_and_a_gloss_or_russian_forms(store: Store) -> None:
    with pytest.raises(ConfigError, match="cannot be empty"):
        newsroom_glossary.add_term(store, " ", "gloss")
    with pytest.raises(ConfigError, match="--russian forms"):
        newsroom_glossary.add_term(store, "Term", None)
    override = newsroom_glossary.add_term(store, "Shoigu", None, russian=["Шойгу"])
    assert (override.kind, override.gloss) == ("override", None)
