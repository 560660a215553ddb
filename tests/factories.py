"""Record factories for tests: make_item(**overrides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mobrief.records import Item

BASE_TIME = dt.datetime(2024, 6, 2, 9, 0, tzinfo=dt.UTC)


def make_item(n: int = 1, **overrides: Any) -> Item:
    """An item with plausible defaults; `n` varies the id, time and text."""
    values: dict[str, Any] = {
        "source": "test-channel",
        "external_id": str(n),
        "url": f"https://t.me/test_channel/{n}",
        "published_at": BASE_TIME + dt.timedelta(minutes=n),
        "title": "",
        "text": f"Сообщение номер {n}: в военкомате прошла проверка.",
        "raw": {"id": n},
    }
    values.update(overrides)
    return Item(**values)
