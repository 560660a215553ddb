"""Record factories for tests: make_item(**overrides)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
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


def write_telegram_export(path: Path, messages: int, *, name: str = "Тестовый канал") -> None:
    """A single-chat Telegram Desktop export of `messages` posts, streamed to disk (plain and mixed text)."""
    import json

    base = int(BASE_TIME.timestamp())
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"name": name, "type": "public_channel", "id": 1001})[:-1] + ', "messages": [\n')
        for n in range(1, messages + 1):
            words = (
                f"Сообщение {n}: в военкомате №{n % 97} раздали {n % 13} повесток, "
                "матери мобилизованных недовольны."
            )
            message: dict[str, Any] = {
                "id": n,
                "type": "message",
                "date": "2024-06-02T12:00:00",
                "date_unixtime": str(base + n * 30),
                "from": name,
                "text": [
                    words,
                    {"type": "text_link", "text": " источник", "href": f"https://example.test/{n}"},
                ]
                if n % 3 == 0
                else words,
            }
            out.write(("," if n > 1 else "") + json.dumps(message, ensure_ascii=False) + "\n")
        out.write("]}\n")
