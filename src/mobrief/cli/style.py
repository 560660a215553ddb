"""Commands: `style apply` (add glosses and conversions), `style check` (the lint) and `style translit`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import click

from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.errors import SourceUnavailable
from mobrief.newsroom import house_style
from mobrief.style import engine, glossary, lint
from mobrief.style.transliteration import transliterate


@click.group("style")
def style_group() -> None:
    """The house style: glosses, ruble conversions, spellings and titles."""


def _read(path: str | None) -> str:
    if path is None or path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceUnavailable(path, exc.strerror or str(exc)) from exc


@style_group.command("apply")
@click.option("--date", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day of the period.")
@click.argument("path", required=False)
@pass_app
def apply(app: AppContext, day: dt.datetime, path: str | None) -> None:
    """Add the gloss at each known term's first mention and `[$…]` after each ruble amount (FILE or stdin →
    stdout).

    The rate is the official one in force on --date; re-running changes nothing.
    """
    text = _read(path)
    index = engine.GlossIndex(house_style.newsroom_glossary(app.store))
    click.echo(engine.apply_style(text, day.date(), index, house_style.newsroom_rates(app.store)), nl=False)


@style_group.command("check")
@click.argument("path")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Last day of the period (default: the title's).",
)
@json_option
@pass_app
def check(app: AppContext, path: str, day: dt.datetime | None, as_json: bool) -> None:
    """Report house-style problems in PATH (or - for stdin) with line:column and a fix; exit 1 if any."""
    text = _read(path)
    index = engine.GlossIndex(house_style.newsroom_glossary(app.store))
    findings = lint.check_style(text, day.date() if day else None, index, house_style.newsroom_rates(app.store))
    if as_json:
        print_json([dataclasses.asdict(f) for f in findings])
    else:
        for f in findings:
            click.echo(f"{path}:{f.line}:{f.column}: {f.code}: {f.message}")
            if f.suggestion:
                click.echo(f"    fix: {f.suggestion}")
        app.console.print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}")
    if findings:
        sys.exit(1)


@style_group.command("translit")
@click.argument("text", nargs=-1, required=True)
@json_option
@pass_app
def translit(app: AppContext, text: tuple[str, ...], as_json: bool) -> None:
    """Romanise Russian TEXT in house style (glossary overrides first)."""
    source = " ".join(text)
    latin = transliterate(source, glossary.overrides_from(app.store.glossary.list()))
    if as_json:
        print_json({"text": source, "latin": latin})
    else:
        click.echo(latin)


COMMANDS: list[click.Command] = [style_group]
