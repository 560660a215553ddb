"""Signature parts that are plain functions: the heaviest terms."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mobrief.stories import signatures

# few distinct weights, so ties at the cut are common
WEIGHTS = st.dictionaries(st.text(min_size=1, max_size=4), st.sampled_from([0.1, 0.25, 0.5, 1.0, 2.0]), max_size=80)


@given(WEIGHTS, st.integers(1, 90))
def test_heaviest_is_the_head_of_the_full_order(weights: dict[str, float], count: int) -> None:
    full = sorted(weights.items(), key=lambda pair: (-pair[1], pair[0]))
    assert signatures.heaviest(weights, count) == full[:count]
