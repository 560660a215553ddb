"""Web articles: extraction without comments, snapshots, saved files, pages with no article, HTTP errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mobrief.cli import cli
from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.sources.registry import SourceContext
from mobrief.sources.web_article import WebArticle, decode_html, parse_date
from mobrief.store import open_store

ARTICLES = Path(__file__).parent.parent / "data" / "sources" / "articles"
ARTICLE = (ARTICLES / "article.html").read_bytes()
NO_ARTICLE = (ARTICLES / "no_article.html").read_bytes()


def read_page(location: str, *, timeout: float = 5.0, **options: Any) -> tuple[Item, SourceContext]:
    context = SourceContext(settings=Settings(request_delay=0, request_timeout=timeout))
    records: list[Item | BadRecord] = list(WebArticle(context, **options).read(location))
    assert len(records) == 1 and isinstance(records[0], Item)
    return records[0], context


def test_article_url_gives_text_title_author_date_and_snapshot(http_server: Any) -> None:
    url = http_server.add("/2024/06/03/sud-student", ARTICLE)
    item, context = read_page(url)
    assert item.title == "Суд в Энске приговорил студента за поджог военкомата"
    assert item.text.startswith("Энский областной суд приговорил 20-летнего студента Алексея Пушкарева")
    assert "Комментарий читателя" not in item.text and "Главная" not in item.text
    assert item.author == "Ольга Смирнова"
    assert item.published_at == dt.datetime(2024, 6, 3, 11, 20, tzinfo=dt.UTC)
    assert item.lang == "ru"
    assert item.url == item.external_id == "https://news.example.org/2024/06/03/sud-student"  # canonical
    assert item.source == "127.0.0.1"
    assert item.snapshot is not None
    assert item.snapshot.body == ARTICLE
    assert item.snapshot.url == url
    assert item.snapshot.content_type.startswith("text/html")
    assert context.warnings == []


def test_saved_page_file_is_read_with_its_bytes_as_the_snapshot() -> None:
    path = str(ARTICLES / "article.html")
    adapter = WebArticle(SourceContext(settings=Settings()))
    assert adapter.source_name(path) == "news.example.org"  # from the page's canonical link
    item, _ = read_page(path)
    assert item.snapshot is not None and item.snapshot.body == ARTICLE
    assert item.url == "https://news.example.org/2024/06/03/sud-student"
    assert "Пушкарев в последнем слове" in item.text


def test_page_without_an_article_keeps_snapshot_and_title_and_warns(http_server: Any) -> None:
    url = http_server.add("/blocked", NO_ARTICLE)
    item, context = read_page(url, name="Энские новости")
    assert item.source == "Энские новости"
    assert item.title == "Доступ ограничен"
    assert item.text == ""
    assert item.snapshot is not None and item.snapshot.body == NO_ARTICLE
    assert item.raw["extracted"] is False
    assert any("no article text found" in w and url in w for w in context.warnings)
    assert any("states no date" in w for w in context.warnings)


def test_unreachable_pages_are_unavailable(http_server: Any) -> None:
    with pytest.raises(SourceUnavailable, match="404"):
        read_page(http_server.url("/gone"))
    slow = http_server.add("/slow", ARTICLE, delay=1.5)
    with pytest.raises(SourceUnavailable, match="timed out"):
        read_page(slow, timeout=0.3)
    with pytest.raises(SourceUnavailable, match="cannot read"):
        read_page("/no/such/saved/page.html")


def test_declared_charset_is_honoured() -> None:
    page = '<html><head><meta charset="windows-1251"><title>Привет</title></head></html>'.encode("cp1251")
    assert "Привет" in decode_html(page)
    assert "Привет" in decode_html(page, "text/html; charset=windows-1251")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-06-03T14:20:00+03:00", dt.datetime(2024, 6, 3, 11, 20, tzinfo=dt.UTC)),
        ("2024-06-03T14:20:00Z", dt.datetime(2024, 6, 3, 14, 20, tzinfo=dt.UTC)),
        ("2024-06-03", dt.datetime(2024, 6, 3, tzinfo=dt.UTC)),
        ("вчера", None),
    ],
)
def test_parse_date(value: str, expected: dt.datetime | None) -> None:
    assert parse_date(value) == expected


def test_cli_url_ingest_stores_the_snapshot(db_url: str, http_server: Any) -> None:
    url = http_server.add("/2024/06/03/sud-student", ARTICLE)
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "url", url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inserted"] == 1
    store = open_store(db_url)
    try:
        (item,) = store.items.page(limit=5)
        assert item.title == "Суд в Энске приговорил студента за поджог военкомата"
        assert store.items.snapshot(1).body == ARTICLE
    finally:
        store.close()
