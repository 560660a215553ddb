"""Train the relevance and section models on what the newsroom decided and published, and keep them.

The training data is the newsroom's own: editors' keep/skip and section choices, and the paragraphs of the
briefs it published; the shipped example corpus comes with the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mobrief.store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingReport:
    """Which model was trained, its version, and what it learnt from (counts by kind of example)."""

    model: str
    version: str
    learnt_from: dict[str, int] = field(default_factory=dict)


def train_relevance(store: Store, *, use_archive: bool = True) -> TrainingReport:
    """Fit the relevance model on the shipped examples, editors' keep/skip decisions and (unless told not
    to) published paragraphs, and store it."""
    from mobrief.enrich import relevance

    decisions = [
        (f"{item.title}\n{item.text}", label == "keep") for item, label in store.enrichments.iter_editor_decisions()
    ]
    archive = [p.text for p in store.briefs.iter_paragraphs() if p.text.strip()] if use_archive else []
    model = relevance.train_from(
        archive=archive,
        kept=[text for text, keep in decisions if keep],
        skipped=[text for text, keep in decisions if not keep],
    )
    store.models.put(relevance.NAME, model.version, model.to_json())
    return TrainingReport(
        model=relevance.NAME,
        version=model.version,
        learnt_from={
            "editor_decisions": len(decisions),
            "archive_paragraphs": len(archive),
            "examples": len(relevance.corpus_examples()) + len(decisions) + len(archive),
        },
    )


def train_sections(store: Store) -> tuple[TrainingReport, dict[str, int]]:
    """Fit the section model on archive paragraphs under stable headings and editors' assignments, and
    store it; also returns how many examples each section had."""
    from mobrief.enrich import sections

    archive = [
        (p.text, p.section_key, 1.0) for p in store.briefs.iter_paragraphs() if p.section_key in sections.SECTIONS
    ]
    editors = [
        (f"{item.title}\n{item.text}", key, sections.EDITOR_WEIGHT)
        for item, key in store.enrichments.iter_editor_sections()
    ]
    model = sections.train([*archive, *editors], label="sections")
    store.models.put(sections.NAME, model.version, model.to_json())
    report = TrainingReport(
        model=sections.NAME,
        version=model.version,
        learnt_from={"archive_paragraphs": len(archive), "editor_sections": len(editors)},
    )
    return report, dict(model.trained_on)
