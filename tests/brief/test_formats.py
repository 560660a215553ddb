"""One table of formats: publishing's files, `archive show` and `brief show` render every format through it, so
a format added or changed there reaches all of them alike."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_renderers import sample_brief

from mobrief.brief import formats, publish, render_telegram
from mobrief.cli import archive as archive_cli
from mobrief.errors import ConfigError
from mobrief.records import BriefSection


def test_publishing_writes_each_format_of_the_table_once(tmp_path: Path) -> None:
    brief = sample_brief()
    files = publish.write_formats(brief, tmp_path)
    assert list(files) == ["html", "markdown", "telegram", "json", "text"]
    for name, path in files.items():
        form = formats.get(name)
        assert path.name == publish.brief_slug(brief) + form.suffix
        assert path.read_text(encoding="utf-8") == form.render(brief)
    assert len({f.suffix for f in formats.FORMATS.values()}) == len({f.extension for f in formats.FORMATS.values()})


@pytest.mark.parametrize("name", formats.NAMES)
def test_archive_show_prints_what_the_table_renders(name: str) -> None:
    brief = sample_brief()
    assert archive_cli.render(brief, name) == formats.as_file(formats.render(brief, name))


def test_a_brief_of_several_telegram_messages_shows_each_numbered() -> None:
    section = BriefSection(key="legal", heading=None, paragraphs=("A long paragraph. " * 200,) * 4)
    long = dataclasses.replace(sample_brief(), sections=(section,))
    messages = render_telegram.render_telegram(long)
    assert len(messages) > 1
    shown = archive_cli.render(long, "telegram")
    assert shown.startswith(f"----- message 1 of {len(messages)} -----\n{messages[0]}\n\n")
    assert formats.render(long, "telegram") == formats.TELEGRAM_RULE.join(messages)  # files and downloads


def test_an_unknown_format_is_named() -> None:
    with pytest.raises(ConfigError, match="unknown format 'pdf': one of html, markdown, telegram, json, text"):
        formats.render(sample_brief(), "pdf")
