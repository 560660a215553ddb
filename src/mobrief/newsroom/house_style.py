"""The newsroom's house style as stored: the shipped glossary and rates with its own terms and fetched rates merged
over them, read through the store for composing, drafting, the review, the outlet names and `mobrief style`."""

from __future__ import annotations

from mobrief.records import GlossaryTerm
from mobrief.store import Store
from mobrief.style import glossary, rates


def newsroom_glossary(store: Store) -> list[GlossaryTerm]:
    """The shipped glossary with the newsroom's stored terms (mined or written by editors) merged over it."""
    return glossary.merge_glossaries(glossary.load_default_glossary(), store.glossary.list())


def newsroom_rates(store: Store) -> rates.RateTable:
    """The shipped official rates plus every row `mobrief rates update` fetched into the database."""
    return rates.RateTable.shipped(store.rates.all())
