"""Every format a brief is rendered to, in one table: its name, file ending, public URL ending, media type and
renderer. Publishing, the CLI and the web app all render through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mobrief.brief import render_html, render_json, render_markdown, render_telegram, render_text
from mobrief.errors import ConfigError
from mobrief.records import Brief

TELEGRAM_RULE = "\n\n-----\n\n"  # between Telegram messages in one file or download


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """One rendering of a brief."""

    name: str  # what `--format` says
    suffix: str  # a file's ending: <slug>.md, <slug>.telegram.txt
    extension: str  # the public URL's ending: /briefs/<id>/<slug>.md
    media_type: str
    render: Callable[[Brief], str]
    messages: Callable[[Brief], list[str]] | None = None  # for a format sent as several messages


def _telegram(brief: Brief) -> str:
    """Telegram messages one after another, a rule between them."""
    return TELEGRAM_RULE.join(render_telegram.render_telegram(brief))


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            name="html",
            suffix=".html",
            extension="html",
            media_type="text/html; charset=utf-8",
            render=render_html.render_html,
        ),
        Format(
            name="markdown",
            suffix=".md",
            extension="md",
            media_type="text/markdown; charset=utf-8",
            render=render_markdown.render_markdown,
        ),
        Format(
            name="telegram",
            suffix=".telegram.txt",
            extension="telegram",
            media_type="text/plain; charset=utf-8",
            render=_telegram,
            messages=render_telegram.render_telegram,
        ),
        Format(
            name="json",
            suffix=".json",
            extension="json",
            media_type="application/json",
            render=render_json.render_json,
        ),
        Format(
            name="text",
            suffix=".txt",
            extension="txt",
            media_type="text/plain; charset=utf-8",
            render=render_text.render_text,
        ),
    )
}
NAMES = tuple(FORMATS)


def get(name: str) -> Format:
    """The format called `name`."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ConfigError(f"unknown format {name!r}: one of {', '.join(NAMES)}") from None


def by_extension(extension: str) -> Format | None:
    """The format a public URL ending names (`md`, `txt`, …), if any."""
    return next((f for f in FORMATS.values() if f.extension == extension), None)


def render(brief: Brief, name: str) -> str:
    """A brief in the format called `name`."""
    return get(name).render(brief)


def as_file(text: str) -> str:
    """Rendered text ending in a newline, as a terminal or a text file wants it."""
    return text if text.endswith("\n") else text + "\n"
