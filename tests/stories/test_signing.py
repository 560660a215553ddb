"""Signing in a forked child gives exactly the signatures signing here gives, and fails loudly."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import replace
from sys import intern

import numpy as np
import pytest
from story_reports import REPORTS, enriched

from mobrief import forked_stream
from mobrief.records import EnrichedItem
from mobrief.stories import signing
from mobrief.stories.signatures import ItemSignature, sign_item

ITEMS = [enriched(report, n) for n, report in enumerate(REPORTS, start=1)]


def _in_batches(size: int) -> Iterator[list[EnrichedItem]]:
    for start in range(0, len(ITEMS), size):
        yield ITEMS[start : start + size]


def _same(a: ItemSignature, b: ItemSignature) -> bool:
    vectors_equal = (a.vector is None and b.vector is None) or (
        a.vector is not None and b.vector is not None and np.array_equal(a.vector, b.vector)
    )
    # every field, and the terms in their order (heaviest first)
    return vectors_equal and replace(a, vector=None) == replace(b, vector=None) and list(a.terms) == list(b.terms)


def test_a_signature_crosses_processes_whole_with_its_terms_interned() -> None:
    for item in ITEMS:
        signature = sign_item(item)
        again = pickle.loads(pickle.dumps(signature))
        assert _same(again, signature)
        assert all(term is intern(term) for term in again.terms)  # the window's dicts match them by identity
    empty = replace(sign_item(ITEMS[0]), terms={}, vector=None, sketch=())
    assert _same(pickle.loads(pickle.dumps(empty)), empty)


@pytest.mark.skipif(not forked_stream.available(), reason="needs fork and a second core")
def test_signing_aside_equals_signing_here_in_order() -> None:
    aside = [s for batch in signing.signed_batches(lambda: _in_batches(3), aside=True) for s in batch]
    here = [s for batch in signing.signed_batches(lambda: _in_batches(3), aside=False) for s in batch]
    assert [s.item_id for s in aside] == [item.id for item in ITEMS]
    assert len(aside) == len(here) == len(ITEMS)
    assert all(_same(a, b) for a, b in zip(aside, here, strict=True))
    assert all(_same(a, sign_item(item)) for a, item in zip(aside, ITEMS, strict=True))


@pytest.mark.skipif(not forked_stream.available(), reason="needs fork and a second core")
def test_a_failure_while_signing_aside_is_raised_here() -> None:
    def broken() -> Iterator[list[EnrichedItem]]:
        yield ITEMS[:2]
        raise OSError("the database went away")

    batches = signing.signed_batches(broken, aside=True)
    assert len(next(batches)) == 2
    with pytest.raises(OSError, match="the database went away"):
        next(batches)
