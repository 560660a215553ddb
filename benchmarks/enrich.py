"""Items/s of the whole enrichment vs natasha NER alone, on the same generated documents, in one run.

Usage: python benchmarks/enrich.py [--docs 2000] [--seed 1]. Prints, never asserts (floor: ratio ≥ 0.6).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from importlib import resources

from mobrief.enrich import stages
from mobrief.records import Item

NAMES = ["Алексей Пушкарёв", "Нина Сорокина", "Игорь Васильев", "Ольга Михайлова", "Павел Егоров"]
PLACES = ["в Белгородской области", "в Казани", "на Брянщине", "в Татарстане", "в Приморском крае"]


def generate(count: int, seed: int) -> list[Item]:
    """`count` Russian documents of about 150–200 words, assembled from our own example sentences."""
    corpus = resources.files("mobrief.enrich").joinpath("data/relevance_corpus.jsonl").read_text("utf-8")
    sentences = [json.loads(line)["text"] for line in corpus.splitlines() if line.strip()]
    sentences = [s for s in sentences if any("а" <= ch <= "я" for ch in s)]
    rng = random.Random(seed)
    when = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    items = []
    for n in range(count):
        parts = [
            f"{rng.choice(NAMES)} сообщил {rng.choice(PLACES)}, что выплата составит {rng.randint(1, 9)} млн рублей."
        ]
        parts += rng.sample(sentences, 7)
        items.append(Item(id=n + 1, source="bench", external_id=str(n), published_at=when, text=" ".join(parts)))
    return items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    items = generate(args.docs, args.seed)
    words = sum(len(i.text.split()) for i in items) / len(items)

    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    segmenter, ner = Segmenter(), NewsNERTagger(NewsEmbedding())
    options = stages.EnrichOptions(rates=stages.default_rates())
    stages.enrich_item(items[0], options)  # load models and gazetteers once, outside both timings

    # interleave the two timings chunk by chunk, so a machine shared with other jobs loads both alike
    ner_time = full_time = 0.0
    for first in range(0, len(items), 50):
        chunk = items[first : first + 50]
        start = time.perf_counter()
        for item in chunk:
            doc = Doc(item.text)
            doc.segment(segmenter)
            doc.tag_ner(ner)
        ner_time += time.perf_counter() - start
        start = time.perf_counter()
        for item in chunk:
            stages.enrich_item(item, options)
        full_time += time.perf_counter() - start
    ner_rate, full_rate = len(items) / ner_time, len(items) / full_time

    print(f"documents: {len(items)} (~{words:.0f} words each)")
    print(f"natasha NER alone:  {ner_rate:8.1f} items/s")
    print(f"whole enrichment:   {full_rate:8.1f} items/s")
    print(f"ratio: {full_rate / ner_rate:.2f} (floor 0.6)")


if __name__ == "__main__":
    main()
