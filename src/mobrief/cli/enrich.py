"""Commands: `enrich`, `relevance train`, `sections train`, `sections classify`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.text import Text

from mobrief import pipeline
from mobrief.brief import draft_stories
from mobrief.cli import workers
from mobrief.cli.context import AppContext, json_option, pass_app, print_json, progress_bar
from mobrief.errors import BadRecord


@click.command("enrich")
@click.option("--retry-set-aside", is_flag=True, help="Try the items set aside by earlier runs again first.")
@click.option("--set-aside", "list_set_aside", is_flag=True, help="List the items set aside, with why; enrich nothing.")
@click.option(
    "--defer", is_flag=True, help="Queue the work for `mobrief worker` (PostgreSQL) instead of doing it here."
)
@click.option(
    "--batch", type=click.IntRange(min=1), default=200, show_default=True, help="With --defer: items per queued job."
)
@json_option
@pass_app
def enrich_command(
    app: AppContext, retry_set_aside: bool, list_set_aside: bool, defer: bool, batch: int, as_json: bool
) -> None:
    """Enrich pending items (language, relevance, entities, places, money, section), then cluster.

    An item whose enrichment fails (or that stops a run twice) is set aside with its error and left out until
    `--retry-set-aside`.
    """
    store = app.store
    if list_set_aside:
        aside = store.enrichments.list_set_aside()
        if as_json:
            print_json([{"item_id": item_id, "error": error} for item_id, error in aside])
        else:
            for item_id, error in aside:
                app.out.print(Text(f"#{item_id}  {error}"))
            app.out.print(Text(f"{len(aside)} item{'s' * (len(aside) != 1)} set aside"))
        return
    retried = store.enrichments.retry_set_aside() if retry_set_aside else 0
    if defer:
        queued = workers.defer_with(app, lambda tasks: tasks.defer_enrichment(store, app.settings, batch=batch))
        if as_json:
            print_json({"queued": queued, "retried": retried})
        else:
            app.console.print(f"queued {queued} enrichment job{'s' * (queued != 1)} for `mobrief worker`")
        return
    with progress_bar(app, "enriching") as update:
        report = pipeline.enrich_pending(store, settings=app.settings, progress=update)
    summary: dict[str, Any] = report.as_dict() | {"retried": retried}
    with progress_bar(app, "clustering") as update:
        clustered = pipeline.cluster_pending(store, settings=app.settings, progress=update)
    summary["stories"] = clustered.as_dict()
    with progress_bar(app, "drafting") as update:
        drafted = pipeline.draft_recent(store, progress=update)
    summary["drafts"] = drafted.as_dict(with_ids=False)
    if as_json:
        print_json(summary)
        return
    stages = ", ".join(f"{name} {count}" for name, count in report.stages_run.items()) or "none"
    app.console.print(f"enriched {report.enriched} items ({report.relevant} on the beat); stages run: {stages}")
    for item_id, error in report.set_aside:
        app.console.print(Text.assemble(("set aside", "yellow"), f" item #{item_id}: {error}"), soft_wrap=True)
    if report.set_aside:
        app.console.print(
            "(left out until `mobrief enrich --retry-set-aside`; `mobrief enrich --set-aside` lists them)"
        )
    app.console.print(f"stories: {summary['stories']}")
    app.console.print(draft_stories.summary_line(drafted))


# ---- relevance ----


@click.group("relevance")
def relevance_group() -> None:
    """Relevance to the beat: train the model on the newsroom's decisions."""


@relevance_group.command("train")
@click.option("--no-archive", is_flag=True, help="Do not learn from published archive paragraphs.")
@json_option
@pass_app
def relevance_train(app: AppContext, no_archive: bool, as_json: bool) -> None:
    """Fit the relevance model on our examples, editors' keep/skip decisions and published paragraphs."""
    from mobrief.enrich import relevance

    store = app.store
    decisions = [
        (f"{item.title}\n{item.text}", label == "keep") for item, label in store.enrichments.iter_editor_decisions()
    ]
    archive = [] if no_archive else [p.text for p in store.briefs.iter_paragraphs() if p.text.strip()]
    with app.console.status("training the relevance model"):
        model = relevance.train_from(
            archive=archive,
            kept=[text for text, keep in decisions if keep],
            skipped=[text for text, keep in decisions if not keep],
        )
    examples = len(relevance.corpus_examples()) + len(decisions) + len(archive)
    store.models.put(relevance.NAME, model.version, model.to_json())
    summary = {
        "model": relevance.NAME,
        "version": model.version,
        "editor_decisions": len(decisions),
        "archive_paragraphs": len(archive),
        "examples": examples,
    }
    if as_json:
        print_json(summary)
    else:
        app.console.print(
            f"trained relevance {model.version} on {examples} examples "
            f"({len(decisions)} editor decisions, {len(archive)} archive paragraphs)"
        )


# ---- sections ----


@click.group("sections")
def sections_group() -> None:
    """Sections of the house taxonomy: train on the archive and editors, classify texts."""


@sections_group.command("train")
@json_option
@pass_app
def sections_train(app: AppContext, as_json: bool) -> None:
    """Fit the section model on archive paragraphs under stable headings and editors' assignments."""
    from mobrief.enrich import sections

    store = app.store
    archive = [
        (p.text, p.section_key, 1.0) for p in store.briefs.iter_paragraphs() if p.section_key in sections.SECTIONS
    ]
    editors = [
        (f"{item.title}\n{item.text}", key, sections.EDITOR_WEIGHT)
        for item, key in store.enrichments.iter_editor_sections()
    ]
    with app.console.status("training the section model"):
        model = sections.train([*archive, *editors], label="sections")
    store.models.put(sections.NAME, model.version, model.to_json())
    summary = {
        "model": sections.NAME,
        "version": model.version,
        "archive_paragraphs": len(archive),
        "editor_sections": len(editors),
        "by_section": dict(model.trained_on),
    }
    if as_json:
        print_json(summary)
    else:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(model.trained_on.items())) or "none (lexicon only)"
        app.console.print(f"trained sections {model.version}: {counts}")


@sections_group.command("classify")
@pass_app
def sections_classify(app: AppContext) -> None:
    """Read JSONL `{id, text}` on stdin, write JSONL `{id, section, confidence}` on stdout."""
    from mobrief.enrich import sections

    stored = app.store.models.get(sections.NAME)
    model = sections.SectionModel.from_json(stored.data) if stored else sections.default_model()
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
        except (ValueError, KeyError, TypeError) as exc:
            raise BadRecord("<stdin>", number, "text", str(exc)) from exc
        key, confidence = model.classify(text)
        click.echo(json.dumps({"id": row.get("id"), "section": key, "confidence": confidence}, ensure_ascii=False))


COMMANDS: list[click.Command] = [enrich_command, relevance_group, sections_group]
