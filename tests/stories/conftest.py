"""Fixtures of the clustering tests; the reports and helpers themselves live in `story_reports`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from story_reports import REPORTS, Report, store_reports


@pytest.fixture
def reports() -> list[Report]:
    return list(REPORTS)


@pytest.fixture
def add_reports() -> Callable[..., dict[str, int]]:
    return store_reports
