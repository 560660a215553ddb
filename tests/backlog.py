"""A generated backlog of fictional reports: cases followed from arrest to sentence by several outlets.

Each case names one person in one city; its three stages are days apart (beyond the story window), so they
become three stories that thread links join. Tests of concurrent and killed runs need enough work to
overlap and to be stopped half-way; the texts are our own.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from importlib import resources
from pathlib import Path

import sqlalchemy as sa

from mobrief.store.schema import story_items, story_links

FIRST = ["Алексей", "Иван", "Дмитрий", "Сергей", "Павел", "Олег", "Никита", "Артём", "Егор", "Кирилл", "Роман"]
LAST = [
    "Пушкарёв", "Сорокин", "Васильев", "Михайлов", "Егоров", "Ширяев", "Журавлёв", "Лапин", "Кудрявцев",
    "Самойлов", "Гущин", "Фомичёв", "Шестаков", "Белоусов", "Карпенко", "Зуев", "Тарасов", "Воронин",
]  # fmt: skip
CITIES = [("Казани", "Казань"), ("Самаре", "Самара"), ("Перми", "Пермь"), ("Уфе", "Уфа"), ("Томске", "Томск")]
OUTLETS = ["outlet-a", "outlet-b", "outlet-c"]
STAGES = [
    "В {where} задержали мобилизованного {name}.",
    "Суд в {where} арестовал мобилизованного {name}.",
    "Суд в {where} приговорил мобилизованного {name} к пяти годам колонии.",
]
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)


def write_backlog(path: Path, cases: int, *, seed: int = 16) -> int:
    """Write a JSONL backlog of `cases` cases (three stages, two or three outlets each); the item count."""
    rng = random.Random(seed)
    names = [f"{first} {last}" for last in LAST for first in FIRST]
    rng.shuffle(names)
    corpus = resources.files("mobrief.enrich").joinpath("data/relevance_corpus.jsonl").read_text("utf-8")
    sentences = [json.loads(line)["text"] for line in corpus.splitlines() if line.strip()]
    sentences = [s for s in sentences if any("а" <= ch <= "я" for ch in s) and len(s) > 60]
    lines = []
    for case in range(cases):
        name = names[case % len(names)]
        where, _city = CITIES[case % len(CITIES)]
        start = T0 + dt.timedelta(hours=case * 7)
        background = rng.sample(sentences, 4)  # what the case is about besides its stage: shared by its stages
        for stage, template in enumerate(STAGES):
            when = start + dt.timedelta(days=stage * 6)
            text = " ".join([template.format(name=name, where=where), *background, rng.choice(sentences)])
            for n, outlet in enumerate(rng.sample(OUTLETS, rng.choice([2, 3]))):
                lines.append(
                    {
                        "source": outlet,
                        "external_id": f"{case}-{stage}-{outlet}",
                        "url": f"https://{outlet}.example/{case}/{stage}",
                        "published_at": (when + dt.timedelta(minutes=40 * n)).isoformat(),
                        "title": text.split(".")[0],
                        "text": text,
                        "lang": "ru",
                    }
                )
    lines.sort(key=lambda line: (line["published_at"], line["external_id"]))
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def stories_and_links(engine: sa.Engine) -> tuple[set[frozenset[int]], set[tuple[frozenset[int], frozenset[int]]]]:
    """Stories as the sets of their items, and links between such sets: comparable across story ids."""
    with engine.connect() as conn:
        members: dict[int, set[int]] = {}
        for item_id, story_id in conn.execute(sa.select(story_items.c.item_id, story_items.c.story_id)):
            members.setdefault(story_id, set()).add(item_id)
        story = {story_id: frozenset(ids) for story_id, ids in members.items()}
        links = {
            (story[later], story[earlier])
            for later, earlier in conn.execute(sa.select(story_links.c.story_id, story_links.c.earlier_story_id))
        }
    return set(story.values()), links
