"""Benchmark clustering: items/s and peak memory on generated Russian-like items (prints, never asserts).

Items are generated from real Russian word forms (sampled from navec's vocabulary with a fixed seed), with
names, places and amounts pre-filled as enrichment would leave them, so the timing is clustering's own:
signatures (lemmas, vectors, MinHash; in a second process, as `cluster_pending` does on a backlog) plus
assignment. Events get 1–4 reports that retell a shared core
in different filler words, and events of one "kind" share topic words, so the window is busy and
look-alike events compete, as on a real week.

Usage: python benchmarks/stories.py [--items 100000] [--per-day 1000] [--store-items 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator

from mobrief import forked_stream, lemmas
from mobrief.records import EnrichedItem, Item
from mobrief.stories import clustering, signatures, signing

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
REGIONS = [f"region-{i}" for i in range(85)]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """Common, topical and rare Russian word forms, drawn from navec's vocabulary by corpus frequency."""
    vocab = signatures._embedding().vocab
    cyrillic = [(w, c) for w, c in zip(vocab.words, vocab.counts, strict=True) if w.isalpha() and "а" <= w[0] <= "я"]
    common = [w for w, c in cyrillic if c > 200_000]
    topical = [w for w, c in cyrillic if 5_000 < c <= 200_000]
    rare = [w for w, c in cyrillic if 50 < c <= 5_000]
    return rng.sample(common, 400), rng.sample(topical, 3_000), rng.sample(rare, 20_000)


def generate(count: int, per_day: int, seed: int = 7) -> tuple[list[EnrichedItem], dict[int, int]]:
    """`count` items of events with 1–4 reports each, `per_day` items a day; item id → event id."""
    rng = random.Random(seed)
    common, topical, rare = _vocabulary(rng)
    kinds = [rng.sample(topical, 25) for _ in range(60)]
    items: list[EnrichedItem] = []
    truth: dict[int, int] = {}
    seconds_per_item = 86_400 / per_day
    event = 0
    while len(items) < count:
        event += 1
        kind = kinds[rng.randrange(len(kinds))]
        core = rng.sample(rare, 12) + rng.sample(kind, 10)
        region = rng.choice(REGIONS)
        person = rng.choice(rare).capitalize()
        amount = rng.choice([400_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000]) + rng.randrange(0, 20) * 50_000
        base = START + dt.timedelta(seconds=len(items) * seconds_per_item)
        for report in range(rng.choice([1, 1, 2, 2, 3, 4])):
            if len(items) >= count:
                break
            words = rng.sample(core, 16) + rng.sample(kind, 8) + rng.choices(common, k=60) + rng.sample(topical, 20)
            rng.shuffle(words)
            sentences = [" ".join(chunk) for chunk in _chunks(words, 12)]
            text = ". ".join(s.capitalize() for s in sentences) + f". {person} сообщил о {amount} рублей."
            item_id = len(items) + 1
            items.append(
                EnrichedItem(
                    id=item_id,
                    source=f"outlet-{rng.randrange(300)}",
                    external_id=str(item_id),
                    url=f"https://outlet.example/{event}/{report}",
                    published_at=base + dt.timedelta(minutes=rng.randrange(0, 36 * 60)),
                    text=text,
                    is_relevant=True,
                    section="recruitment",
                    entities=({"kind": "person", "text": person, "normalized": person, "latin": person},),
                    places=({"key": region, "name": region, "text": region, "kind": "region"},),
                    amounts=({"currency": "RUB", "value": float(amount), "text": f"{amount} рублей"},),
                    search_lemmas=lemmas.search_text(text),  # what ingest stores with every item
                )
            )
            truth[item_id] = event
    return items, truth


def _batches(items: list[EnrichedItem], size: int) -> Iterator[list[EnrichedItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _chunks(words: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(words), size):
        yield words[start : start + size]


def pairwise_f1(assignments: list[clustering.Assignment], truth: dict[int, int]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of stories against generated events (counted per group)."""
    story = {a.item_id: a.story_key for a in assignments}
    pairs_pred = _pairs(story)
    pairs_true = _pairs(truth)
    by_both: dict[tuple[int, int], int] = {}
    for item_id, story_key in story.items():
        by_both[(story_key, truth[item_id])] = by_both.get((story_key, truth[item_id]), 0) + 1
    tp = sum(n * (n - 1) // 2 for n in by_both.values())
    p = tp / pairs_pred if pairs_pred else 0.0
    r = tp / pairs_true if pairs_true else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _pairs(groups: dict[int, int]) -> int:
    sizes: dict[int, int] = {}
    for group in groups.values():
        sizes[group] = sizes.get(group, 0) + 1
    return sum(n * (n - 1) // 2 for n in sizes.values())


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_memory(count: int, per_day: int) -> None:
    signatures._embedding()  # load navec first: its size is not clustering's
    print(f"generating {count:,} items ({per_day:,} a day) …", flush=True)
    items, truth = generate(count, per_day)
    items.sort(key=lambda i: (i.published_at, i.id))
    before = _peak_mb()
    wall = time.perf_counter()
    assigning = 0.0
    clusterer = clustering.StoryClusterer()
    assignments = []
    most_stories = 0
    # as `cluster_pending` runs on a big backlog: a forked process signs the next batch while this one assigns
    batches = signing.signed_batches(lambda: _batches(items, 500), aside=True)
    for batch in batches:
        started = time.process_time()
        for assignment in clusterer.assign_all(batch):
            assignments.append(assignment)
            most_stories = max(most_stories, len(clusterer.stories))
        assigning += time.process_time() - started
    done_wall = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    signing_cpu = usage.ru_utime + usage.ru_stime
    p, r, f = pairwise_f1(assignments, truth)
    # CPU time is what one core delivers; wall time also counts waiting for a busy machine
    where = "in a second process" if forked_stream.available() else "here, no second core"
    print(f"signatures ({where}): {count / signing_cpu:,.0f} items/CPU-s" if signing_cpu else "signatures: here")
    print(f"assignment: {count / assigning:,.0f} items/CPU-s")
    print(
        f"clustering (signatures + assignment): {count / (done_wall - wall):,.0f} items/s wall "
        f"({done_wall - wall:.1f} s); {count / (signing_cpu + assigning):,.0f} items per CPU-second of both"
    )
    print(f"stories: {len({a.story_key for a in assignments}):,}; most in the window at once: {most_stories:,}")
    methods: dict[str, int] = {}
    for a in assignments:
        methods[a.method] = methods.get(a.method, 0) + 1
    print(f"methods: {dict(sorted(methods.items()))}")
    print(f"pairwise against generated events: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    print(f"peak RSS: {_peak_mb():,.0f} MB (before clustering: {before:,.0f} MB, with navec and the items)")


def bench_store(count: int, per_day: int) -> None:
    """The whole `cluster_pending` path on SQLite: read pending items, cluster, write stories, link threads."""
    from mobrief.newsroom import clustering
    from mobrief.store import open_store
    from mobrief.store.schema import item_enrichments

    items, _ = generate(count, per_day, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        for start in range(0, len(items), 1000):
            batch = items[start : start + 1000]
            store.items.upsert(
                [
                    Item(
                        source=i.source, external_id=i.external_id, url=i.url, published_at=i.published_at, text=i.text
                    )
                    for i in batch
                ],
                kind="jsonl",
            )
        now = dt.datetime.now(dt.UTC)
        with store.engine.begin() as conn:
            conn.execute(
                item_enrichments.insert(),
                [
                    {
                        "item_id": i.id,
                        "is_relevant": True,
                        "section": i.section,
                        "entities": list(i.entities),
                        "places": list(i.places),
                        "amounts": list(i.amounts),
                        "stage_versions": {},
                        "updated_at": now,
                    }
                    for i in items
                ],
            )
        started = time.process_time()
        report = clustering.cluster_pending_items(store, link_threads=False)
        clustered = time.process_time()
        links = clustering.link_stories(store, report.story_ids[:1000])
        linked = time.process_time()
        store.close()
    print(
        f"store path (SQLite, {count:,} items, read + cluster + write): "
        f"{count / (clustered - started):,.0f} items/CPU-s"
    )
    print(f"threads: {1000 / (linked - clustered):,.0f} stories/CPU-s ({links} links for 1,000 stories)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--per-day", type=int, default=1_000)
    parser.add_argument("--store-items", type=int, default=10_000, help="0 to skip the SQLite run")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}")
    bench_memory(args.items, args.per_day)
    if args.store_items:
        bench_store(args.store_items, args.per_day)


if __name__ == "__main__":
    main()
