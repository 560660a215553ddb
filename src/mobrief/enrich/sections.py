"""Put an item or a paragraph in a section of the house taxonomy: naive Bayes over concepts and lemmas.

Trained on the archive (published English paragraphs under their headings) and editors' assignments, with
the lexicon's section hints as pseudo-counts so an empty newsroom still classifies. Three views are kept: one
over all features (English paragraphs), one over concepts alone, which is what carries the English archive over
to Russian reports, and one over the Russian lemmas of the Russian reports editors sectioned, which adds to the
concepts what they have no word for (speakers, institutions). Naive Bayes rather than a
discriminative model because each concept's weight is learnt on its own: English words cannot "explain away"
the concepts that Russian text depends on. The full view reads tf-idf vectors scaled to one length (Rennie et
al., 2003): words that every paragraph uses ("year", "region") no longer outvote the few that name a section,
and a long paragraph no longer drowns the class prior. Pure Python, stored as JSON in the `models` table.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from mobrief.enrich import features

NAME = "sections"
VERSION = "sections-5"  # the training recipe; part of every model's version, so enrichment re-runs the stage
SECTIONS: tuple[str, ...] = ("authorities", "recruitment", "soldiers", "legal", "children", "longreads")
LEXICON_PSEUDO = 3.0  # counts a lexicon hint adds to its sections, as if seen in that many paragraphs
ALPHA = 1.0  # additive smoothing
KNOWN_SHARE = 0.35  # use the full view when at least this share of a text's words were seen in training
TEMPERATURE = 0.25  # naive Bayes is overconfident; confidences are softmax(log-odds × this)
_CYRILLIC = re.compile(r"[а-яё]")
VECTOR_LENGTH = 5.0  # full-view paragraphs are scaled to this L2 length: long or short, each is equal evidence
# Russian reports (issue 14, sections_ru, 5 folds by event over seeds 1-12: 0.732 mean of seeds, seed 7 0.755 ±
# 0.244, one seed in three under 0.75): concepts scaled to one length as the full view's words are (0.756, better on
# all 12 seeds), and the lemmas of the Russian reports editors sectioned as a third view whose log-likelihoods are
# added at RUSSIAN_WEIGHT (0.763 alone); both 0.778, seed 7 0.779 ± 0.208, no seed under 0.75 (weight 0.5-1.0 and
# length 6-8 all 0.773-0.783). The Russian view alone decides worse (0.64): a hundred reports cannot tell what the
# archive's concepts tell, but they know the speakers and institutions the 53 concepts have no word for. Tried and
# not kept: one section per event (the oracle's summed log-odds 0.720 on seed 7: an event's reports are wrong
# together), class priors ×0-4 0.63-0.73, the reports ×3-10 in the concept view 0.70-0.74, capitalised words
# romanised to meet the archive's names 0.60-0.72 (places and outlets drown the speakers); around the kept recipe,
# Russian-view smoothing 0.1-0.3 and length 3-8, lexicon pseudo-counts 1-6, concept length 10-14: 0.761-0.784, within
# the noise. KNOWN_SHARE does not move Russian sections: Russian text never takes the full view. What the inbox
# shows, the story's vote (`sections_story` in benchmarks/quality.py), gains more from this recipe (true events as
# stories: 0.728 → 0.818 over seeds 1-12). Left wrong: calls of the heading, not of the topic words (the
# Constitutional Court on "discreditation" under authorities, a fighter's case dropped for the front under
# recruitment).
CONCEPT_LENGTH = 6.0  # concept-view texts are scaled to this L2 length: a long report is no surer than a short one
RUSSIAN_WEIGHT = 0.75  # the Russian-lemma view's log-likelihoods, added to the concept view's for Russian text
# Tried on English paragraphs, 5-fold by brief over 6 splits (this recipe 0.855): complement NB 0.72-0.85,
# word bigrams 0.843, logistic regression 0.77-0.85 (0.858 averaged with this), class priors ×0-2 0.85, lead-sentence,
# Snowball-stem and unlabelled-paragraph (EM) features 0.85-0.86, neighbouring archive paragraphs +0.007. The
# learning curve is flat from 2/3 of the archive on (0.861 → 0.851 at 19/20): the limit looks to be where editors draw
# authorities/recruitment, not the model or the amount of data.
# Tried for issue 14 (sections_en, 5 folds seed 7; this recipe 0.858 ± 0.026), none kept: entity memory (capitalised
# words ×2 0.835, multiword names as features 0.848; paragraphs with a training neighbour at cosine ≥ 0.3 are already
# right as often as 1-NN, 131/135), a 10-NN vote added to the log-odds 0.860 ± 0.025, an authorities/recruitment
# logistic re-ranker on low-margin paragraphs 0.845-0.847, chi² word selection 0.801-0.860, Dirichlet smoothing toward
# the corpus 0.65-0.83, one class per raw heading or 2-4 k-means subclasses 0.827-0.853, subject-of-first-sentence
# features 0.838-0.848, lexicon pseudo-counts ×0-4 0.853-0.860, concepts ×0.5-3 0.842-0.855, smoothing × length grid
# 0.829-0.858, bracketed glosses dropped 0.861 ± 0.035 (with an age feature 0.863 ± 0.036: within the noise, spread up).
# Half the errors are in the dev briefs' cut last paragraphs ("The M"): 0.73 there, 0.90 on whole ones
# (`sections_en_whole` in benchmarks/quality.py); the near-duplicate statements of official figures are split
# between the two sections (Medvedev's under recruitment, Putin's under authorities).

Example = tuple[str, str, float]  # text, section key, weight

# A paragraph that is an item of a list ("- A projected deficit of 3.8 trillion rubles", "• Law excluding ...") is
# a line of a law, decree or budget the paragraph before introduced: every such item the archive printed stands
# under "Authorities and Legislation", while its own few words point anywhere (5-fold CV by brief 0.850 → 0.858)
_LIST_ITEM = re.compile(r"^\s*[-•·–—*]\s")


def layout_features(text: str) -> dict[str, float]:
    """Features of how a text is laid out rather than what it says: `s:list` for an item of a list."""
    return {"s:list": 1.0} if _LIST_ITEM.match(text) else {}


def section_features(text: str) -> dict[str, float]:
    """What the section model reads: the text's concepts and lemmas, and its layout."""
    return {**features.text_features(text), **layout_features(text)}


@dataclass(frozen=True, slots=True, kw_only=True)
class NaiveBayes:
    """Multinomial naive Bayes: class log-priors and per-feature log-likelihoods (with an unseen floor)."""

    classes: tuple[str, ...]
    log_prior: Mapping[str, float]
    log_prob: Mapping[str, Mapping[str, float]]  # feature → class → log P(feature | class)
    unseen: Mapping[str, float]

    def scores(self, feats: Mapping[str, float]) -> dict[str, float]:
        out = dict(self.log_prior)
        for name, value in feats.items():
            probs = self.log_prob.get(name)
            if probs is None:
                continue
            for cls in self.classes:
                out[cls] += value * probs.get(cls, self.unseen[cls])
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "log_prior": dict(self.log_prior),
            "unseen": dict(self.unseen),
            "log_prob": {f: {c: round(v, 4) for c, v in p.items()} for f, p in self.log_prob.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NaiveBayes:
        return cls(
            classes=tuple(data["classes"]),
            log_prior={str(k): float(v) for k, v in data["log_prior"].items()},
            unseen={str(k): float(v) for k, v in data["unseen"].items()},
            log_prob={str(f): {str(c): float(v) for c, v in p.items()} for f, p in data["log_prob"].items()},
        )


def fit_naive_bayes(
    rows: Sequence[tuple[Mapping[str, float], str, float]],
    *,
    classes: Sequence[str],
    pseudo: Mapping[str, Mapping[str, float]] | None = None,
) -> NaiveBayes:
    """Fit on (features, class, weight) rows; `pseudo` adds feature counts per class before any row."""
    counts: dict[str, dict[str, float]] = {c: defaultdict(float) for c in classes}
    docs: dict[str, float] = dict.fromkeys(classes, 1.0)  # one pseudo-document each: no class is impossible
    for cls, feats in (pseudo or {}).items():
        if cls in counts:
            for name, value in feats.items():
                counts[cls][name] += value
    for feats, cls, weight in rows:
        if cls not in counts:
            continue
        docs[cls] += weight
        for name, value in feats.items():
            counts[cls][name] += value * weight
    vocabulary = {name for per_class in counts.values() for name in per_class}
    size = max(len(vocabulary), 1)
    total_docs = sum(docs.values())
    log_prior = {c: math.log(docs[c] / total_docs) for c in classes}
    totals = {c: sum(counts[c].values()) + ALPHA * size for c in classes}
    unseen = {c: math.log(ALPHA / totals[c]) for c in classes}
    log_prob: dict[str, dict[str, float]] = {}
    for name in sorted(vocabulary):  # one order in every process: the stored model is the same file
        log_prob[name] = {c: math.log((counts[c].get(name, 0.0) + ALPHA) / totals[c]) for c in classes}
    return NaiveBayes(classes=tuple(classes), log_prior=log_prior, log_prob=log_prob, unseen=unseen)


@dataclass(frozen=True, slots=True, kw_only=True)
class TermWeights:
    """Inverse document frequencies from training, applied before the full view so common words weigh little."""

    idf: Mapping[str, float]
    unseen: float  # idf of a feature no training paragraph had: the rarest there is
    length: float = VECTOR_LENGTH

    def apply(self, feats: Mapping[str, float]) -> dict[str, float]:
        """`feats` weighted by idf and scaled to `length`, so a long paragraph does not outvote the prior."""
        weighted = {name: value * self.idf.get(name, self.unseen) for name, value in feats.items()}
        norm = math.sqrt(sum(value * value for value in weighted.values()))
        if norm == 0.0:
            return weighted
        return {name: value * self.length / norm for name, value in weighted.items()}

    def to_json(self) -> dict[str, Any]:
        return {"idf": {f: round(v, 4) for f, v in self.idf.items()}, "unseen": self.unseen, "length": self.length}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TermWeights:
        return cls(
            idf={str(f): float(v) for f, v in data["idf"].items()},
            unseen=float(data["unseen"]),
            length=float(data.get("length", VECTOR_LENGTH)),
        )


def fit_term_weights(documents: Sequence[Mapping[str, float]]) -> TermWeights:
    """Smoothed idf, ln((n + 1) / (df + 1)) + 1, over the training paragraphs' features."""
    frequency: dict[str, int] = defaultdict(int)
    for feats in documents:
        for name in feats:
            frequency[name] += 1
    n = len(documents)
    idf = {name: math.log((n + 1) / (df + 1)) + 1.0 for name, df in frequency.items()}
    return TermWeights(idf=idf, unseen=math.log(n + 1) + 1.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SectionModel:
    """The two views (all features; concepts only) and the version of the training that made them.

    `weights` (None before any training, and in models stored before tf-idf) transforms the full view's input.
    """

    version: str
    full: NaiveBayes
    concepts: NaiveBayes
    weights: TermWeights | None = None
    trained_on: Mapping[str, int] = field(default_factory=dict)
    concept_length: float | None = None  # None in models stored before concepts were scaled
    russian: NaiveBayes | None = None  # the Russian lemmas of sectioned Russian texts, when there were any
    russian_weights: TermWeights | None = None

    def concept_scores(self, feats: Mapping[str, float]) -> dict[str, float]:
        """The concept view's log-odds, plus the Russian-lemma view's log-likelihoods when it reads any word."""
        concepts = _concepts(feats)
        scores = self.concepts.scores(_scaled(concepts, self.concept_length) if self.concept_length else concepts)
        russian = {k: v for k, v in feats.items() if k.startswith("w:") and _CYRILLIC.search(k)}
        if self.russian is None or self.russian_weights is None or not russian:
            return scores
        extra = self.russian.scores(self.russian_weights.apply(russian))
        return {c: v + RUSSIAN_WEIGHT * (extra[c] - self.russian.log_prior[c]) for c, v in scores.items()}

    def classify_features(self, feats: Mapping[str, float]) -> tuple[str, float]:
        words = [name for name in feats if name.startswith("w:")]
        known = sum(1 for name in words if name in self.full.log_prob)
        russian = sum(1 for name in words if _CYRILLIC.search(name))
        # Russian text is read through the concepts: the archive's words are English, and a hundred labelled
        # reports taught the full view less than the concepts carry (5-fold CV over events: 0.64 vs 0.76)
        use_full = bool(words) and known / len(words) >= KNOWN_SHARE and russian * 2 < len(words)
        if use_full:
            scores = self.full.scores(self.weights.apply(feats) if self.weights else feats)
        else:
            scores = self.concept_scores(feats)
        return _best(scores)

    def classify(self, text: str) -> tuple[str, float]:
        """The section key of `text` and a confidence in 0..1."""
        return self.classify_features(section_features(text))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "trained_on": dict(self.trained_on),
            "full": self.full.to_json(),
            "concepts": self.concepts.to_json(),
            "weights": self.weights.to_json() if self.weights else None,
            "concept_length": self.concept_length,
            "russian": self.russian.to_json() if self.russian else None,
            "russian_weights": self.russian_weights.to_json() if self.russian_weights else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SectionModel:
        return cls(
            version=str(data["version"]),
            full=NaiveBayes.from_json(data["full"]),
            concepts=NaiveBayes.from_json(data["concepts"]),
            weights=TermWeights.from_json(data["weights"]) if data.get("weights") else None,
            trained_on={str(k): int(v) for k, v in data.get("trained_on", {}).items()},
            concept_length=float(data["concept_length"]) if data.get("concept_length") else None,
            russian=NaiveBayes.from_json(data["russian"]) if data.get("russian") else None,
            russian_weights=TermWeights.from_json(data["russian_weights"]) if data.get("russian_weights") else None,
        )


def _concepts(feats: Mapping[str, float]) -> dict[str, float]:
    return {k: v for k, v in feats.items() if k.startswith("c:")}


def _scaled(feats: Mapping[str, float], length: float) -> dict[str, float]:
    norm = math.sqrt(sum(value * value for value in feats.values()))
    return {k: v * length / norm for k, v in feats.items()} if norm else dict(feats)


def _best(scores: Mapping[str, float]) -> tuple[str, float]:
    top = max(scores.values())
    exp = {c: math.exp((v - top) * TEMPERATURE) for c, v in scores.items()}
    total = sum(exp.values())
    best = max(scores, key=lambda c: scores[c])
    return best, round(exp[best] / total, 4)


def lexicon_pseudo_counts() -> dict[str, dict[str, float]]:
    """Each concept's section hints as pseudo-counts: the cold start, and a prior under any training."""
    pseudo: dict[str, dict[str, float]] = defaultdict(dict)
    for concept in features.load_lexicon().concepts.values():
        for rank, section in enumerate(concept.sections):
            pseudo[section][f"c:{concept.name}"] = LEXICON_PSEUDO / (rank + 1)
    return pseudo


def train(examples: Iterable[Example], *, label: str = "trained", min_examples: int = 1) -> SectionModel:
    """Fit both views on (text, section key, weight) examples; keys outside the taxonomy are ignored."""
    rows = [(section_features(text), key, weight) for text, key, weight in examples if key in SECTIONS]
    seen: dict[str, int] = defaultdict(int)
    for feats, _, _ in rows:
        for name in feats:
            seen[name] += 1
    # with `min_examples` 2 a word of one paragraph (a name, a figure) is not learned: the shipped model holds
    # no word of a single text (pruning cost English accuracy in sections_eval, so a newsroom's training keeps all)
    rows = [
        ({k: v for k, v in f.items() if k.startswith("c:") or seen[k] >= min_examples}, key, w) for f, key, w in rows
    ]
    pseudo = lexicon_pseudo_counts()
    weights = fit_term_weights([f for f, _, _ in rows]) if rows else None
    full_rows = [(weights.apply(f), key, w) for f, key, w in rows] if weights else rows
    full = fit_naive_bayes(full_rows, classes=SECTIONS, pseudo=pseudo)
    concept_rows = [(_scaled(_concepts(f), CONCEPT_LENGTH), key, w) for f, key, w in rows]
    concepts = fit_naive_bayes(concept_rows, classes=SECTIONS, pseudo=pseudo)
    russian_rows = [
        (lemmas, key, w)
        for f, key, w in rows
        if (lemmas := {k: v for k, v in f.items() if k.startswith("w:") and _CYRILLIC.search(k)})
    ]
    russian_weights = fit_term_weights([f for f, _, _ in russian_rows]) if russian_rows else None
    russian = (
        fit_naive_bayes([(russian_weights.apply(f), key, w) for f, key, w in russian_rows], classes=SECTIONS)
        if russian_weights
        else None
    )
    counts: dict[str, int] = defaultdict(int)
    for _, key, _ in rows:
        counts[key] += 1
    digest = hashlib.sha256(
        json.dumps([VERSION, features.load_lexicon().version, sorted(counts.items()), len(full.log_prob)]).encode()
    ).hexdigest()[:10]
    return SectionModel(
        version=f"{label}-{digest}",
        full=full,
        concepts=concepts,
        weights=weights,
        trained_on=dict(counts),
        concept_length=CONCEPT_LENGTH,
        russian=russian,
        russian_weights=russian_weights,
    )


EDITOR_WEIGHT = 1.0  # an editor's assignment counts as one archive paragraph (3 did no better in 5-fold CV)


def train_from(
    *,
    archive: Iterable[tuple[str, str]] = (),
    reports: Iterable[tuple[str, str]] = (),
    label: str = "sections",
    min_examples: int = 1,
) -> SectionModel:
    """The newsroom's recipe: archive paragraphs under stable headings and items editors put in a section."""
    examples = [(text, key, 1.0) for text, key in archive] + [(text, key, EDITOR_WEIGHT) for text, key in reports]
    return train(examples, label=label, min_examples=min_examples)


@functools.cache
def cold_start_model() -> SectionModel:
    """The model before any training: the lexicon's section hints alone."""
    return train([], label=f"lexicon-{features.load_lexicon().version}")


@functools.cache
def default_model() -> SectionModel:
    """The shipped model (`data/sections_model.json`), or the cold start when none is shipped.

    It is `train_from` on the shared dev archive's paragraphs under stable headings and the dev stream's
    reports (`benchmarks/quality.py --write-models`): derived weights only — log-probabilities of concepts and
    of lemmas met in at least two paragraphs (`min_examples=2`) — no text. A newsroom's `sections train`
    replaces it."""
    path = resources.files("mobrief.enrich").joinpath("data/sections_model.json")
    if not path.is_file():
        return cold_start_model()
    return SectionModel.from_json(json.loads(path.read_text("utf-8")))
