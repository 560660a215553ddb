"""A fixed, generated corpus and query list for pinning what search returns (see test_search_order.py).

The words are our own: Russian beat vocabulary in several inflected forms, a few English sentences and names.
"""

from __future__ import annotations

import datetime as dt
import random

from mobrief.records import Item

BASE_TIME = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)

# (weight, forms): a word family and how often a sentence draws it
FAMILIES: list[tuple[int, tuple[str, ...]]] = [
    (30, ("военкомат", "военкомата", "военкоматы", "военкоматом", "военкоматов")),
    (25, ("повестка", "повестки", "повестку", "повесток", "повестками")),
    (20, ("мобилизованный", "мобилизованные", "мобилизованных", "мобилизованным")),
    (15, ("контракт", "контракта", "контракты", "контрактом")),
    (12, ("выплата", "выплаты", "выплату", "выплат")),
    (10, ("суд", "суда", "судом", "суды")),
    (8, ("жена", "жены", "жёны", "жёнам")),
    (8, ("губернатор", "губернатора", "губернатором")),
    (6, ("дезертир", "дезертира", "дезертиров")),
    (6, ("колония", "колонии", "колонию")),
    (5, ("студент", "студенты", "студентов")),
    (4, ("госпиталь", "госпитале", "госпиталя")),
    (3, ("Росгвардия", "Росгвардии", "Росгвардию")),
    (2, ("Пушкарёв", "Пушкарева", "Пушкарёву")),
    (2, ("Санкт-Петербург", "Санкт-Петербурга")),
    (1, ("поджог", "поджога")),
]
FILLER = (
    "в", "на", "из", "по", "с", "и", "что", "не", "области", "городе", "районе", "жители", "рассказали",
    "сообщил", "канал", "заявил", "неделе", "после", "сегодня", "вчера", "уже", "снова", "около", "двух",
)  # fmt: skip
ENGLISH = (
    "The draft office sent summonses to students in Kazan.",
    "Mobilized men complained about unpaid bonuses.",
    "A court sentenced a deserter to five years in a penal colony.",
    "Pushkaryov was detained after the protest.",
    "Wives of mobilized soldiers gathered outside the governor's office.",
    "Rosgvardia officers searched the homes of volunteers.",
)

# queries of each kind the floors name: rare, common, inflected, two words, English, nothing, syntax-like
QUERIES = (
    "военкомат", "военкоматы", "военкоматом", "повестка", "повесток", "мобилизованных", "контракт",
    "выплаты", "суд", "жёны", "жены", "губернатора", "дезертир", "колонию", "студенты", "госпиталь",
    "Росгвардия", "Пушкарев", "Пушкарёва", "Санкт-Петербург", "поджог", "военкомат повестка",
    "мобилизованные выплата", "суд колония", "жена губернатор", "контракт студент", "draft", "mobilized",
    "court", "Pushkaryov", "governor's", "ничегонет", '"кавычки"', "военкомат OR суд",
)  # fmt: skip
PAGES = ((10, 0), (10, 10), (5, 3), (20, 0), (500, 0))


def _sentence(rng: random.Random) -> str:
    weights = [w for w, _ in FAMILIES]
    words = []
    for _ in range(rng.randint(4, 9)):
        if rng.random() < 0.45:
            forms = rng.choices([f for _, f in FAMILIES], weights=weights)[0]
            words.append(rng.choice(forms))
        else:
            words.append(rng.choice(FILLER))
    return " ".join(words).capitalize() + "."


def corpus(count: int = 240, seed: int = 17) -> list[Item]:
    """`count` items, a few of them English, some repeating words so that ranking has work to do."""
    rng = random.Random(seed)
    out = []
    for n in range(1, count + 1):
        if n % 17 == 0:
            text = " ".join(rng.sample(ENGLISH, 2))
        else:
            text = " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))
        title = _sentence(rng) if n % 5 == 0 else ""
        out.append(
            Item(
                source=f"channel-{n % 4}",
                external_id=str(n),
                url=f"https://t.me/channel_{n % 4}/{n}",
                published_at=BASE_TIME + dt.timedelta(minutes=37 * n),
                title=title,
                text=text,
                raw={"id": n},
            )
        )
    return out
