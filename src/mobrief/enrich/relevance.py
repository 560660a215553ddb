"""Score how far an item is on the beat (0..1) and decide: logistic regression over concepts and lemmas.

The model starts from our bilingual lexicon (each concept's `beat` weight is its prior) and learns from what
the newsroom decided: items editors kept or skipped and paragraphs that made it into published briefs. The
shipped default (`data/relevance_model.json`) is this recipe trained on our written corpus, the shared dev
archive's English paragraphs and the dev stream's reports on and off the beat (`benchmarks/quality.py
--write-models`): derived weights only — concepts, and lemmas met in at least two texts — no text. Its
settings (word regularisation, editor weight, threshold) were chosen by 5-fold cross-validation over events.
Training pulls weights toward the lexicon's rather than toward zero, so a few hundred decisions refine the
lexicon instead of replacing it. Our own few dozen lines of pure Python rather than scikit-learn: the data is
tiny and sparse, and the model must be JSON in the `models` table.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from mobrief.enrich import features

NAME = "relevance"
PRIOR_BIAS = -1.5
CONCEPT_L2 = 0.05  # pull toward the lexicon's weight
WORD_L2 = 6.0  # pull toward zero: words need many examples before they count (chosen by 5-fold CV over events)
MIN_EXAMPLES = 2  # a word met in fewer training texts is not learned: one report's names are not the beat
THRESHOLD = 0.5
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")

Example = tuple[Mapping[str, float], bool, float]  # features, on the beat?, weight


@dataclass(frozen=True, slots=True, kw_only=True)
class RelevanceModel:
    """Bias and weights over `c:`/`w:` features; `version` identifies the training that produced them."""

    version: str
    bias: float
    weights: Mapping[str, float] = field(default_factory=dict)
    threshold: float = THRESHOLD
    trained_on: Mapping[str, int] = field(default_factory=dict)

    def logit(self, feats: Mapping[str, float]) -> float:
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in feats.items())

    def score(self, text: str) -> float:
        """Probability that `text` is on the beat."""
        return _sigmoid(self.logit(features.text_features(text)))

    def decide(self, text: str) -> tuple[float, bool]:
        """The score and the decision (score ≥ threshold)."""
        return self.decide_features(features.text_features(text))

    def decide_features(self, feats: Mapping[str, float]) -> tuple[float, bool]:
        value = _sigmoid(self.logit(feats))
        return value, value >= self.threshold

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "bias": self.bias,
            "threshold": self.threshold,
            "trained_on": dict(self.trained_on),
            "weights": {k: round(v, 5) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-4},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RelevanceModel:
        return cls(
            version=str(data["version"]),
            bias=float(data["bias"]),
            threshold=float(data.get("threshold", THRESHOLD)),
            weights={str(k): float(v) for k, v in data.get("weights", {}).items()},
            trained_on={str(k): int(v) for k, v in data.get("trained_on", {}).items()},
        )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def prior_weights() -> dict[str, float]:
    """The lexicon's weights: what the model believes before any training."""
    return {f"c:{c.name}": c.beat for c in features.load_lexicon().concepts.values()}


def prior_model() -> RelevanceModel:
    """A model made of the lexicon alone (no training)."""
    return RelevanceModel(version=f"prior-{features.load_lexicon().version}", bias=PRIOR_BIAS, weights=prior_weights())


def train(examples: Sequence[Example], *, epochs: int = 30, seed: int = 13, label: str = "") -> RelevanceModel:
    """Fit the weights by AdaGrad on the weighted log-loss, L2-pulled toward the lexicon prior.

    Positive and negative examples are reweighted to the same total, so a thousand archive paragraphs (all
    positive) cannot teach the model that everything is on the beat.
    """
    prior = prior_weights()
    seen: Counter[str] = Counter(name for feats, _, _ in examples for name in feats if name.startswith("w:"))
    examples = [
        ({k: v for k, v in feats.items() if not k.startswith("w:") or seen[k] >= MIN_EXAMPLES}, y, w)
        for feats, y, w in examples
    ]
    pos = sum(w for _, y, w in examples if y) or 1.0
    neg = sum(w for _, y, w in examples if not y) or 1.0
    total = pos + neg
    balanced = [(f, y, w * total / (2 * (pos if y else neg))) for f, y, w in examples]
    weights = dict(prior)
    bias = PRIOR_BIAS
    grad_sq: dict[str, float] = {}
    bias_sq = 0.0
    rate = 0.3
    order = list(range(len(balanced)))
    rng = random.Random(seed)
    n = max(len(balanced), 1)
    for _ in range(epochs):
        rng.shuffle(order)
        for index in order:
            feats, y, w = balanced[index]
            z = bias + sum(weights.get(k, 0.0) * v for k, v in feats.items())
            err = (_sigmoid(z) - (1.0 if y else 0.0)) * w
            bias_sq += err * err
            bias -= rate * err / math.sqrt(bias_sq + 1e-8)
            for k, v in feats.items():
                current = weights.get(k, 0.0)
                center = prior.get(k, 0.0)
                l2 = CONCEPT_L2 if k.startswith("c:") else WORD_L2
                g = err * v + l2 * (current - center) / n
                grad_sq[k] = grad_sq.get(k, 0.0) + g * g
                weights[k] = current - rate * g / math.sqrt(grad_sq[k] + 1e-8)
    digest = hashlib.sha256(
        json.dumps([round(bias, 4), sorted((k, round(v, 4)) for k, v in weights.items())]).encode()
    ).hexdigest()[:10]
    counts = {
        "positive": sum(1 for _, y, _ in examples if y),
        "negative": sum(1 for _, y, _ in examples if not y),
    }
    return RelevanceModel(version=f"{label or 'trained'}-{digest}", bias=bias, weights=weights, trained_on=counts)


def _corpus_rows() -> list[dict[str, Any]]:
    raw = resources.files("mobrief.enrich").joinpath("data/relevance_corpus.jsonl").read_text("utf-8")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def corpus_examples() -> list[Example]:
    """Our own written examples (`data/relevance_corpus.jsonl`): on and off the beat, Russian and English."""
    return [(features.text_features(row["text"]), bool(row["label"]), 1.0) for row in _corpus_rows()]


def examples_from(texts: Iterable[tuple[str, bool]], weight: float = 1.0) -> list[Example]:
    return [(features.text_features(text), label, weight) for text, label in texts]


EDITOR_WEIGHT = 1.0  # an editor's decision counts as one written example (3 did worse in 5-fold CV over events)
ARCHIVE_WEIGHT = 0.5  # published paragraphs are English and all positive: useful, but not the whole picture


def train_from(
    *, archive: Iterable[str] = (), kept: Iterable[str] = (), skipped: Iterable[str] = (), label: str = "relevance"
) -> RelevanceModel:
    """The newsroom's recipe: our corpus, published paragraphs, and items editors kept or skipped.

    Within each script (Cyrillic, Latin) kept and skipped examples are weighed to the same total: the
    archive is English and all on the beat, and without this the model would learn that English is."""
    texts = [(row["text"], bool(row["label"]), 1.0) for row in _corpus_rows()]
    texts += [(text, True, EDITOR_WEIGHT) for text in kept] + [(text, False, EDITOR_WEIGHT) for text in skipped]
    texts += [(text, True, ARCHIVE_WEIGHT) for text in archive if text.strip()]
    totals: dict[tuple[bool, bool], float] = {}
    for text, on_beat, weight in texts:
        group = (bool(_CYRILLIC.search(text)), on_beat)
        totals[group] = totals.get(group, 0.0) + weight
    examples: list[Example] = []
    for text, on_beat, weight in texts:
        cyrillic = bool(_CYRILLIC.search(text))
        other = totals.get((cyrillic, not on_beat), 0.0)
        mine = totals[(cyrillic, on_beat)]
        scale = min(1.0, other / mine) if other else 1.0  # the larger side of a script shrinks to the smaller
        examples.append((features.text_features(text), on_beat, weight * scale))
    return train(examples, label=label)


def build_default_model() -> RelevanceModel:
    """Train the shipped default on our corpus only (`python -m mobrief.enrich.relevance` writes it)."""
    return train(corpus_examples(), label=f"default-{features.load_lexicon().version}")


@functools.cache
def default_model() -> RelevanceModel:
    """The shipped default model; the lexicon prior when no default file is present."""
    path = resources.files("mobrief.enrich").joinpath("data/relevance_model.json")
    if not path.is_file():
        return prior_model()
    return RelevanceModel.from_json(json.loads(path.read_text("utf-8")))


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped default
    import sys
    from pathlib import Path

    model = build_default_model()
    target = Path(__file__).parent / "data" / "relevance_model.json"
    target.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    sys.stderr.write(f"wrote {target} ({model.version})\n")
