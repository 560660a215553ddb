"""A long batch collects less often: thresholds and frozen objects restored, cycles still collected."""

from __future__ import annotations

import gc
import os
import weakref
from collections.abc import Iterator

import pytest

from mobrief import batch_runtime, forked_stream


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_a_long_batch_collects_less_often_and_restores_the_collector_after() -> None:
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    with batch_runtime.long_batch():
        assert gc.get_threshold()[0] >= batch_runtime.YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > frozen_before  # what was alive is left out of collections
        first, second = _Node(), _Node()
        first.other, second.other = second, first  # a cycle made during the batch
        alive = weakref.ref(first)
        del first, second
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen_before
    gc.collect()
    assert alive() is None  # a cycle dropped during the batch is collected after it


@pytest.mark.skipif(not forked_stream.available(), reason="needs fork and a second core")
def test_starting_a_forked_stream_inside_a_long_batch_keeps_it_frozen() -> None:
    def produce() -> Iterator[int]:
        yield os.getpid()

    frozen_before = gc.get_freeze_count()
    with batch_runtime.long_batch():
        frozen = gc.get_freeze_count()
        assert list(forked_stream.forked_stream(produce, name="test")) != [os.getpid()]
        assert gc.get_freeze_count() >= frozen  # the stream froze and unfroze only what it froze
    assert gc.get_freeze_count() == frozen_before
