"""How a long batch job runs: fewer garbage collections, and numpy's BLAS on one thread.

Clustering creates and drops millions of small containers, nearly all freed by reference counting;
with CPython's defaults the cyclic collector still runs every 700 allocations and, now and then, walks
everything alive, models and caches included. That cost a tenth of clustering's time. And clustering runs in
two processes on two cores, where a BLAS thread spinning for a small product takes a core from the other.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController

YOUNG_THRESHOLD = 20_000  # allocations between collections of the youngest generation (CPython's default: 700)


@contextlib.contextmanager
def long_batch() -> Iterator[None]:
    """While it lasts, what is alive when it starts is left out of collections (`gc.freeze`: it stays alive
    anyway), the youngest generation is collected every YOUNG_THRESHOLD allocations, and BLAS runs on one
    thread; all three are undone after."""
    thresholds = gc.get_threshold()
    was_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    gc.set_threshold(max(thresholds[0], YOUNG_THRESHOLD), *thresholds[1:])
    try:
        with _threadpools().limit(limits=1, user_api="blas"):
            yield
    finally:
        gc.set_threshold(*thresholds)
        if not was_frozen:
            gc.unfreeze()


@functools.cache
def _threadpools() -> ThreadpoolController:
    return ThreadpoolController()
