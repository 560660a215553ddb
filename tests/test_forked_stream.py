"""A generator run in a forked child: values in order, failures raised here, a dead parent noticed."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator

import pytest

from mobrief import forked_stream
from mobrief.errors import SourceUnavailable

pytestmark = pytest.mark.skipif(not forked_stream.available(), reason="needs fork and a second core")


def test_values_arrive_in_order_and_come_from_another_process() -> None:
    here = os.getpid()

    def produce() -> Iterator[tuple[int, int]]:
        for n in range(500):
            yield n, os.getpid()

    got = list(forked_stream.forked_stream(produce, name="test"))
    assert [n for n, _ in got] == list(range(500))
    assert {pid for _, pid in got} != {here} and len({pid for _, pid in got}) == 1


def test_an_error_in_the_child_is_raised_here_as_itself() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise SourceUnavailable("feed.xml", "not a feed")

    stream = forked_stream.forked_stream(produce, name="test")
    assert next(stream) == 1
    with pytest.raises(SourceUnavailable) as raised:
        next(stream)
    assert (raised.value.location, raised.value.reason) == ("feed.xml", "not a feed")


def test_an_error_that_cannot_be_pickled_is_told_as_text() -> None:
    class Odd(Exception):
        def __init__(self, a: int, b: int) -> None:
            super().__init__(f"odd {a} {b}")

    def produce() -> Iterator[int]:
        raise Odd(1, 2)
        yield 0

    with pytest.raises(forked_stream.ChildFailed, match="Odd: odd 1 2"):
        list(forked_stream.forked_stream(produce, name="test"))


def test_a_child_that_dies_is_reported() -> None:
    def produce() -> Iterator[int]:
        yield 1
        os._exit(3)

    with pytest.raises(forked_stream.ChildFailed, match="exit code 3"):
        list(forked_stream.forked_stream(produce, name="dying child"))


def test_the_child_stops_quietly_when_its_parent_is_gone() -> None:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    receiver.close()
    produced = threading.Event()

    def produce() -> Iterator[int]:
        produced.set()
        yield from range(10)

    forked_stream._run_child(receiver, sender, produce)
    assert produced.is_set() and sender.closed
