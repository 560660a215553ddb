"""Cross-validate understanding by event: k folds over the shared dev data, mean and spread of every measure.

For each fold, everything mobrief learns from data is trained on the other folds only — the relevance model
(our written corpus, the archive's English paragraphs, the training events' reports kept and the training
off-topic reports skipped), the section model (archive paragraphs and training events' reports) — and the
fold's own events and off-topic reports are scored, as `stream_eval.py --compress 3` and `sections_eval.py`
score them:

  off_rejected  share of the fold's off-topic reports marked not relevant
  on_kept       share of the fold's event reports marked relevant
  story_f1      pairwise F1 of story ids over pairs of on-topic reports with at least one in the fold (the
                whole stream is clustered at once, compressed into one 3-day window: a fold's events compete
                with every other event, as in a busy week)
  sections_ru   share of the fold's reports (with a stable section) put in the published section
  sections_story  the same for the section the inbox shows beside each report: its story's vote over its
                items' sections (`same_event.voted_section`; printed, not gated)
  people        share of the people the fold's published paragraphs name found among the reports' entities
  people_named  share of those people the reports name at all (a word with the surname's consonants): the
                most `people` can reach, since a name no report states cannot be extracted (printed, not gated)
  sections_en   archive paragraphs under stable headings, k folds by brief: train on the others, classify
  sections_en_whole  the same over the paragraphs that end a sentence: the dev briefs are excerpts whose last
                paragraph is cut mid-word ("The M", "Relatives of 40-year-old Niko"), a quarter of those scored,
                and what a cut leaves often cannot tell a section (printed, not gated)

Briefs that printed a paragraph about a fold's event are left out of that fold's training, so no model
sees the published text of an event it is scored on.

Usage: python benchmarks/quality.py [--data ../shared/data] [--folds 5] [--seed 7] [--compress 3]
                                   [--write-models]
Prints a table (mean, spread as the sample standard deviation, min and max over folds); never asserts.
With --write-models it also trains the shipped default relevance and section models by the same recipes on
all the data (`src/mobrief/enrich/data/relevance_model.json`, `sections_model.json`: weights of concepts and
of lemmas met in at least two texts; no text).
`tests/test_quality_gate.py` runs the same code and fails when a mean falls below its pinned floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import math
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobrief import lemmas
from mobrief.enrich import archive_names, relevance, sections, stages
from mobrief.records import EnrichedItem, Enrichment, Item
from mobrief.stories import clustering, same_event, signatures
from mobrief.style import transliteration

REPO = Path(__file__).resolve().parent.parent
MEASURES = (
    "story_f1",
    "off_rejected",
    "on_kept",
    "sections_ru",
    "sections_story",
    "people",
    "people_named",
    "sections_en",
    "sections_en_whole",
)
SECTION_KEYS = {
    "authorities and relatives of mobilized soldiers": "authorities",
    "authorities and legislation": "authorities",
    "statements by authorities and legislation": "authorities",
    "putin's statements and legislation": "authorities",
    "state duma": "authorities",
    "army recruitment": "recruitment",
    "army recruitment and military service advertising": "recruitment",
    "recruitment and military service advertising": "recruitment",
    "military service advertising": "recruitment",
    "military service advertising, volunteer fighters' recruitment and draft notices": "recruitment",
    "recruitment to the armed forces and military service advertising": "recruitment",
    "draft notices": "recruitment",
    "digital draft notices": "recruitment",
    "mobilized soldiers, volunteer fighters and contract soldiers": "soldiers",
    "mobilized soldiers and volunteer fighters": "soldiers",
    "mobilized soldiers, contract soldiers and conscripts": "soldiers",
    "sentences, legal proceedings and incidents": "legal",
    "children and educational system": "children",
    "longreads": "longreads",
}  # the evaluation kit's reading of headings (eval/common.py), so both score the same thing


def section_key(heading: str | None) -> str | None:
    """The stable key of a published heading; "special" for one-off headings, None without a heading."""
    if not heading:
        return None
    return SECTION_KEYS.get(heading.strip().lower().replace("’", "'"), "special")


def find_data_dir(start: Path = REPO) -> Path | None:
    """The shared data beside the repository: ../shared/data, or beside the main checkout of a git worktree."""
    candidates = [start.parent / "shared" / "data"]
    git = start / ".git"
    if git.is_file():  # a worktree: .git names the main repository's git directory
        text = git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text.split(":", 1)[1].strip())
            main = gitdir.parent.parent.parent  # <main>/.git/worktrees/<name>
            candidates.append(main.parent / "shared" / "data")
    return next((c for c in candidates if (c / "stream-dev.jsonl").is_file()), None)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---- the data, as the eval kit lays it out ----


@dataclass(slots=True)
class Report:
    """One report of the stream with its truth."""

    item: Item
    event: str | None  # None: off-topic
    section: str | None
    fold: int


@dataclass(slots=True)
class Stream:
    reports: list[Report]
    events: list[dict[str, Any]]
    event_fold: dict[str, int]
    briefs: list[dict[str, Any]]
    brief_fold: list[int]
    excluded_briefs: dict[int, set[str]]  # fold → urls of briefs that printed one of its events
    folds: int


def _compress(events: list[dict[str, Any]], offtopic: list[dict[str, Any]], days: int) -> None:
    """Every event moved into one window of `days` days, keeping gaps within an event (as stream_eval does)."""
    base = dt.datetime(2024, 6, 1, 8, 0, tzinfo=dt.UTC)
    for k, event in enumerate(events):
        times = [dt.datetime.fromisoformat(r["published_at"]) for r in event["reports"]]
        first = min(times)
        start = base + dt.timedelta(days=k % days, minutes=37 * k % 600)
        for report, when in zip(event["reports"], times, strict=True):
            report["published_at"] = (start + min(when - first, dt.timedelta(days=days))).isoformat()
    for k, report in enumerate(offtopic):
        report["published_at"] = (base + dt.timedelta(days=k % days, minutes=53 * k % 600)).isoformat()


def _item(number: int, report: Mapping[str, Any]) -> Item:
    return Item(
        id=number,
        source=str(report.get("outlet") or "unknown"),
        external_id=hashlib.sha1(report["url"].encode()).hexdigest()[:16],
        url=report["url"],
        published_at=dt.datetime.fromisoformat(report["published_at"]),
        text=report["text"],
        lang=report.get("lang", "ru"),
    )


def _assign_folds(keys: Sequence[str], folds: int, seed: int) -> dict[str, int]:
    order = sorted(keys)
    random.Random(seed).shuffle(order)
    return {key: index % folds for index, key in enumerate(order)}


def load_stream(data: Path, *, folds: int = 5, seed: int = 7, compress: int = 3) -> Stream:
    events = read_jsonl(data / "stream-dev.jsonl")
    offtopic = read_jsonl(data / "offtopic-dev.jsonl")
    briefs = read_jsonl(data / "briefs-dev.jsonl")
    if compress:
        _compress(events, offtopic, compress)
    event_fold = _assign_folds([e["event_id"] for e in events], folds, seed)
    off_fold = _assign_folds([r["url"] for r in offtopic], folds, seed + 1)
    reports: list[Report] = []
    for event in events:
        cit = event.get("cit") or {}
        key = event.get("section_key") or section_key(cit.get("section"))
        for raw in event["reports"]:
            reports.append(Report(_item(len(reports) + 1, raw), event["event_id"], key, event_fold[event["event_id"]]))
    for raw in offtopic:
        reports.append(Report(_item(len(reports) + 1, raw), None, None, off_fold[raw["url"]]))
    excluded: dict[int, set[str]] = defaultdict(set)
    for event in events:
        url = (event.get("cit") or {}).get("url")
        if url:
            excluded[event_fold[event["event_id"]]].add(url)
    brief_order = list(range(len(briefs)))
    random.Random(seed + 2).shuffle(brief_order)
    brief_fold = [0] * len(briefs)
    for index, number in enumerate(brief_order):
        brief_fold[number] = index % folds
    return Stream(reports, events, event_fold, briefs, brief_fold, dict(excluded), folds)


def archive_paragraphs(briefs: Iterable[Mapping[str, Any]]) -> list[tuple[str, str | None]]:
    """(paragraph, stable section key or None) of every published paragraph."""
    out = []
    for brief in briefs:
        for section in brief["sections"]:
            key = section_key(section.get("heading"))
            for paragraph in section["paragraphs"]:
                out.append((paragraph, key if key in sections.SECTIONS else None))
    return out


# ---- what a fold trains ----


@dataclass(slots=True)
class Training:
    """What one fold may learn from: archive paragraphs and the stream reports of the other folds."""

    archive: list[tuple[str, str | None]]
    kept: list[str]
    skipped: list[str]
    sectioned: list[tuple[str, str]]


def training_for(stream: Stream, fold: int | None) -> Training:
    banned = stream.excluded_briefs.get(fold, set()) if fold is not None else set()
    archive = archive_paragraphs(b for b in stream.briefs if b["url"] not in banned)
    train = [r for r in stream.reports if r.fold != fold]
    return Training(
        archive=archive,
        kept=[r.item.text for r in train if r.event is not None],
        skipped=[r.item.text for r in train if r.event is None],
        sectioned=[(r.item.text, r.section) for r in train if r.section in sections.SECTIONS],
    )


Trainer = Callable[[Training], tuple[relevance.RelevanceModel, sections.SectionModel]]


def default_trainer(training: Training) -> tuple[relevance.RelevanceModel, sections.SectionModel]:
    """The recipe the shipped models are built by, on what this fold may see."""
    return relevance.train_from(
        archive=[text for text, _ in training.archive], kept=training.kept, skipped=training.skipped
    ), sections.train_from(archive=[(text, key) for text, key in training.archive if key], reports=training.sectioned)


# ---- scoring ----


@dataclass(slots=True)
class FoldScores:
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # measure → (hits, total) or F1 × 1000

    def value(self, measure: str) -> float | None:
        hits, total = self.counts.get(measure, (0, 0))
        return hits / total if total else None


def _pairwise_f1(story: Mapping[int, int], truth: Mapping[int, str], focus: set[int]) -> tuple[int, int, int]:
    tp = pred = true = 0
    for a, b in itertools.combinations(sorted(truth), 2):
        if a not in focus and b not in focus:
            continue
        same_true = truth[a] == truth[b]
        same_pred = story.get(a) is not None and story.get(a) == story.get(b)
        tp += same_true and same_pred
        pred += same_pred
        true += same_true
    return tp, pred, true


def _f1(tp: int, pred: int, true: int) -> float:
    p = tp / pred if pred else 0.0
    r = tp / true if true else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def latin_names(enrichment: Enrichment) -> set[str]:
    names = set()
    for mention in enrichment.entities:
        for value in (mention.latin, mention.normalized, mention.text):
            names.add(value.strip().lower())
    return names


def _consonants(word: str) -> str:
    """A Latin word's consonants after the archive's spelling folds: "Klyuge" and "Kluge" alike."""
    return re.sub(r"[aeiou]", "", archive_names.spelling_key(word))


def named_in(person: str, texts: Iterable[str]) -> bool:
    """Whether the texts name `person` at all: a capitalised word, or its lemma, romanised has the consonants
    of the surname («Сергея Шойгу», «Трумана», "Khabirov" for "Habirov"). Approximate by design: it bounds the
    people measure, it does not score it."""
    surname = _consonants(person.split()[-1]) if person.strip() else ""
    if len(surname) < 2:
        return False
    for text in texts:
        for word in lemmas.words(text):
            if not word[:1].isupper():
                continue
            forms = {word, lemmas.lemma(word)} if lemmas.is_cyrillic(word) else {word}
            if any(_consonants(transliteration.romanize(form)) == surname for form in forms):
                return True
    return False


@dataclass(slots=True)
class StreamRun:
    """Enrichment of every report under each fold's models, and the stories of the whole stream."""

    enrichments: dict[int, dict[int, Enrichment]]  # fold → item id → enrichment
    story: dict[int, int]


def enrich_with(
    items: Sequence[Item], options: stages.EnrichOptions, base: Mapping[int, Enrichment]
) -> dict[int, Enrichment]:
    """Enrich items, reusing the model-free stages (language, entities, places, money) of `base`."""
    out = {}
    for item in items:
        assert item.id is not None
        previous = base.get(item.id)
        if previous is not None:
            versions = options.versions()
            kept = {name: versions[name] for name in ("language", "entities", "places", "money")}
            previous = Enrichment(
                item_id=item.id,
                lang=previous.lang,
                entities=tuple(options.archive_names.respell(previous.entities)),
                places=previous.places,
                amounts=previous.amounts,
                stage_versions=kept,
            )
        out[item.id] = stages.enrich_item(item, options, previous)
    return out


def cluster(reports: Sequence[Report], enrichments: Mapping[int, Enrichment]) -> dict[int, int]:
    """Story key of every report: the whole stream clustered at once, as `mobrief enrich` would."""
    signed = []
    for report in reports:
        item = report.item
        assert item.id is not None
        e = enrichments[item.id]
        text = f"{item.title}\n{item.text}" if item.title else item.text
        enriched = EnrichedItem(
            id=item.id,
            source=item.source,
            external_id=item.external_id,
            url=item.url,
            published_at=item.published_at,
            title=item.title,
            text=item.text,
            lang=e.lang or item.lang,
            is_relevant=e.is_relevant,
            section=e.section,
            entities=tuple(_mention_json(m) for m in e.entities),
            places=tuple({"key": p.key, "name": p.name, "text": p.text, "kind": p.kind} for p in e.places),
            amounts=tuple({"currency": a.currency, "value": a.value, "value_to": a.value_to} for a in e.amounts),
            search_lemmas=lemmas.search_text(text),
        )
        signed.append(signatures.sign_item(enriched))
    return dict(clustering.story_partition(clustering.cluster_signatures(signed)))


def _mention_json(mention: Any) -> dict[str, Any]:
    return {"kind": mention.kind, "text": mention.text, "normalized": mention.normalized, "latin": mention.latin}


def run_stream(stream: Stream, trainer: Trainer = default_trainer, *, log: Callable[[str], None] = print) -> StreamRun:
    items = [r.item for r in stream.reports]
    base_options = stages.EnrichOptions(rates=None, archive_names=archive_names.ArchiveNames())
    started = time.perf_counter()
    base = enrich_with(items, base_options, {})
    log(f"enriched {len(items)} reports in {time.perf_counter() - started:.1f} s")
    per_fold: dict[int, dict[int, Enrichment]] = {}
    for fold in range(stream.folds):
        started = time.perf_counter()
        training = training_for(stream, fold)
        rel, sec = trainer(training)
        names = archive_names.read_names(text for text, _ in training.archive)
        options = stages.EnrichOptions(relevance_model=rel, section_model=sec, rates=None, archive_names=names)
        test = [r.item for r in stream.reports if r.fold == fold]
        per_fold[fold] = enrich_with(test, options, base)
        log(f"fold {fold}: trained and scored {len(test)} reports in {time.perf_counter() - started:.1f} s")
    merged = {item_id: e for fold in per_fold.values() for item_id, e in fold.items()}
    started = time.perf_counter()
    story = cluster(stream.reports, merged)
    log(f"clustered in {time.perf_counter() - started:.1f} s")
    return StreamRun(per_fold, story)


def story_sections(run: StreamRun) -> dict[int, str | None]:
    """Item id → the section its story shows: the vote of the story's items, relevant ones twice, as the inbox
    does (an item in no story shows its own)."""
    merged = {item_id: e for fold in run.enrichments.values() for item_id, e in fold.items()}
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    for item_id, story in run.story.items():
        e = merged[item_id]
        if e.section:
            votes[story][e.section] += 2 if e.is_relevant else 1
    return {
        item_id: same_event.voted_section(votes[run.story[item_id]]) if item_id in run.story else e.section
        for item_id, e in merged.items()
    }


def score_stream(stream: Stream, run: StreamRun) -> list[FoldScores]:
    truth = {r.item.id: r.event for r in stream.reports if r.event is not None}
    shown = story_sections(run)
    out = []
    for fold in range(stream.folds):
        scores = FoldScores()
        enriched = run.enrichments[fold]
        mine = [r for r in stream.reports if r.fold == fold]
        off = [r for r in mine if r.event is None]
        on = [r for r in mine if r.event is not None]
        scores.counts["off_rejected"] = (sum(enriched[r.item.id].is_relevant is False for r in off), len(off))
        scores.counts["on_kept"] = (sum(enriched[r.item.id].is_relevant is True for r in on), len(on))
        sectioned = [r for r in on if r.section in sections.SECTIONS]
        scores.counts["sections_ru"] = (
            sum(enriched[r.item.id].section == r.section for r in sectioned),
            len(sectioned),
        )
        scores.counts["sections_story"] = (sum(shown.get(r.item.id) == r.section for r in sectioned), len(sectioned))  # type: ignore[arg-type]
        tp, pred, true = _pairwise_f1(run.story, truth, {r.item.id for r in on})  # type: ignore[arg-type]
        scores.counts["story_f1"] = (round(_f1(tp, pred, true) * 10_000), 10_000)
        hits = named = total = 0
        for event in stream.events:
            if stream.event_fold[event["event_id"]] != fold:
                continue
            found: set[str] = set()
            texts = []
            for r in on:
                if r.event == event["event_id"]:
                    found |= latin_names(enriched[r.item.id])
                    texts.append(r.item.text)
            for person in event.get("people") or []:
                total += 1
                hits += person.strip().lower() in found
                named += named_in(person, texts)
        scores.counts["people"] = (hits, total)
        scores.counts["people_named"] = (named, total)
        out.append(scores)
    return out


_SENTENCE_END = re.compile(r"[.!?…:;\"”»)\]]\s*$")


def ends_a_sentence(paragraph: str) -> bool:
    """Whether a paragraph ends as written rather than cut off where its brief's excerpt stops."""
    return bool(_SENTENCE_END.search(paragraph))


def score_english_sections(
    stream: Stream, *, train: Callable[[list[tuple[str, str]]], sections.SectionModel] | None = None
) -> list[FoldScores]:
    """Archive paragraphs under stable headings, k folds by brief."""
    fit = train or (lambda rows: sections.train_from(archive=rows, reports=[]))
    out = []
    for fold in range(stream.folds):
        train_rows = [
            (text, key)
            for brief, f in zip(stream.briefs, stream.brief_fold, strict=True)
            if f != fold
            for text, key in archive_paragraphs([brief])
            if key
        ]
        test_rows = [
            (text, key)
            for brief, f in zip(stream.briefs, stream.brief_fold, strict=True)
            if f == fold
            for text, key in archive_paragraphs([brief])
            if key
        ]
        model = fit(train_rows)
        right = [model.classify(text)[0] == key for text, key in test_rows]
        whole = [hit for hit, (text, _) in zip(right, test_rows, strict=True) if ends_a_sentence(text)]
        scores = FoldScores()
        scores.counts["sections_en"] = (sum(right), len(test_rows))
        scores.counts["sections_en_whole"] = (sum(whole), len(whole))
        out.append(scores)
    return out


@dataclass(frozen=True, slots=True)
class Summary:
    mean: float
    spread: float
    low: float
    high: float
    pooled: float  # hits over totals across folds (for story F1: the mean of folds)


def summarise(folds: Sequence[FoldScores], measure: str) -> Summary | None:
    values = [v for f in folds if (v := f.value(measure)) is not None]
    if not values:
        return None
    hits = sum(f.counts.get(measure, (0, 0))[0] for f in folds)
    total = sum(f.counts.get(measure, (0, 0))[1] for f in folds)
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return Summary(statistics.fmean(values), spread, min(values), max(values), hits / total if total else math.nan)


def evaluate(
    data: Path, *, folds: int = 5, seed: int = 7, compress: int = 3, log: Callable[[str], None] = print
) -> dict[str, Summary]:
    stream = load_stream(data, folds=folds, seed=seed, compress=compress)
    run = run_stream(stream, log=log)
    fold_scores = score_stream(stream, run)
    english = score_english_sections(stream)
    for f, extra in zip(fold_scores, english, strict=True):
        f.counts.update(extra.counts)
    return {m: s for m in MEASURES if (s := summarise(fold_scores, m)) is not None}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--compress", type=int, default=3)
    parser.add_argument("--write-models", action="store_true")
    args = parser.parse_args(argv)
    data = args.data or find_data_dir()
    if data is None:
        sys.exit("no shared data found beside the repository; pass --data")
    log = lambda message: print(message, file=sys.stderr)  # noqa: E731
    results = evaluate(data, folds=args.folds, seed=args.seed, compress=args.compress, log=log)
    print(f"{args.folds}-fold cross-validation by event (seed {args.seed}, compress {args.compress})")
    print(f"{'measure':<18}{'mean':>7}{'spread':>8}{'min':>7}{'max':>7}{'pooled':>8}")
    for measure, s in results.items():
        print(f"{measure:<18}{s.mean:>7.3f}{s.spread:>8.3f}{s.low:>7.3f}{s.high:>7.3f}{s.pooled:>8.3f}")
    if args.write_models:
        write_default_models(data)


def write_default_models(data: Path) -> None:
    """Train the shipped relevance and section models on all the dev data by the cross-validated recipes."""
    stream = load_stream(data, folds=1)
    training = training_for(stream, None)
    model = relevance.train_from(
        archive=[text for text, _ in training.archive],
        kept=training.kept,
        skipped=training.skipped,
        label=f"default-{relevance.features.load_lexicon().version}",
    )
    target = REPO / "src" / "mobrief" / "enrich" / "data" / "relevance_model.json"
    target.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {target} ({model.version}, {len(model.weights)} weights)")
    section_model = sections.train_from(
        archive=[(text, key) for text, key in training.archive if key],
        reports=training.sectioned,
        label="default",
        min_examples=2,
    )
    target = REPO / "src" / "mobrief" / "enrich" / "data" / "sections_model.json"
    target.write_text(json.dumps(section_model.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"wrote {target} ({section_model.version}, {len(section_model.full.log_prob)} features)")
    names = archive_names.read_names(text for text, _ in training.archive)
    target = REPO / "src" / "mobrief" / "enrich" / "data" / "archive_names.txt"
    lines = ["# people as the dev archive printed them (benchmarks/quality.py --write-models): names only"]
    target.write_text("\n".join([*lines, *sorted(set(names.by_key.values())), *sorted(names.alone)]) + "\n", "utf-8")
    print(f"wrote {target} ({len(names.by_key)} names)")


if __name__ == "__main__":
    main()
