"""Commands: `enrich`, `relevance train`, `sections train`, `sections classify`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.text import Text

from mobrief.brief import draft_stories
from mobrief.cli import workers
from mobrief.cli.context import AppContext, json_option, pass_app, print_json, progress_bar
from mobrief.errors import BadRecord
from mobrief.newsroom import processing, training


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
    processed = processing.process_pending(
        store, settings=app.settings, progress=lambda stage: progress_bar(app, stage)
    )
    report, drafted = processed.enriched, processed.drafts
    assert drafted is not None
    summary: dict[str, Any] = processed.as_dict() | {"retried": retried}
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
    with app.console.status("training the relevance model"):
        trained = training.train_relevance(app.store, use_archive=not no_archive)
    summary = {"model": trained.model, "version": trained.version, **trained.learnt_from}
    examples, decisions, paragraphs = (
        trained.learnt_from[k] for k in ("examples", "editor_decisions", "archive_paragraphs")
    )
    if as_json:
        print_json(summary)
    else:
        app.console.print(
            f"trained relevance {trained.version} on {examples} examples "
            f"({decisions} editor decisions, {paragraphs} archive paragraphs)"
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
    with app.console.status("training the section model"):
        trained, by_section = training.train_sections(app.store)
    summary = {"model": trained.model, "version": trained.version, **trained.learnt_from, "by_section": by_section}
    if as_json:
        print_json(summary)
    else:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(by_section.items())) or "none (lexicon only)"
        app.console.print(f"trained sections {trained.version}: {counts}")


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
