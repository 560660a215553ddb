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
from mobrief.sources.article_meta import parse_date
from mobrief.sources.registry import SourceContext
from mobrief.sources.web_article import WebArticle, decode_html
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


# ---- publication time, author, title and boilerplate on the shapes real pages take ----


@pytest.mark.parametrize(
    ("page", "published_at", "method"),
    [
        ("jsonld_time.html", dt.datetime(2026, 1, 8, 15, 46, tzinfo=dt.UTC), "json-ld"),  # not the date-only meta
        ("modified_first.html", dt.datetime(2012, 5, 6, 5, 30, tzinfo=dt.UTC), "json-ld"),  # never dateModified
        ("meta_naive.html", dt.datetime(2025, 11, 3, 18, 15, tzinfo=dt.UTC), "meta:article:published_time"),
        ("time_only.html", dt.datetime(2025, 10, 5, 3, 40, tzinfo=dt.UTC), "time"),  # the date meta has no time
        ("text_date.html", dt.datetime(2025, 9, 12, 11, 30, tzinfo=dt.UTC), "htmldate"),
    ],
)
def test_publication_time_comes_from_the_best_source_with_its_time_and_zone(
    http_server: Any, page: str, published_at: dt.datetime, method: str
) -> None:
    url = http_server.add(f"/{page}", (ARTICLES / page).read_bytes())
    item, _ = read_page(url)
    assert (item.published_at, item.raw["date_from"]) == (published_at, method)


def test_a_photo_credit_is_never_the_author_and_json_ld_people_are() -> None:
    assert read_page(str(ARTICLES / "jsonld_time.html"))[0].author is None
    assert read_page(str(ARTICLES / "modified_first.html"))[0].author == "Анна Корреспондентова"
    assert read_page(str(ARTICLES / "meta_naive.html"))[0].author == "Пётр Обозреватель"


def test_titles_lose_the_site_name_and_date_but_keep_their_own_dashes() -> None:
    assert (
        read_page(str(ARTICLES / "jsonld_time.html"))[0].title == "Военкомат Энска начал рассылать повестки студентам"
    )
    assert read_page(str(ARTICLES / "modified_first.html"))[0].title == "Матери призывников пожаловались в прокуратуру"
    assert read_page(str(ARTICLES / "meta_naive.html"))[0].title == "Суд — о приговоре за поджог военкомата"


def test_cookie_banners_standing_lines_and_copyright_stay_out_of_the_text() -> None:
    dw = read_page(str(ARTICLES / "jsonld_time.html"))[0]
    assert dw.text.startswith("Военкомат Энска в начале января") and "cookie" not in dw.text
    reuters = read_page(str(ARTICLES / "modified_first.html"))[0]
    assert reuters.text.endswith("в установленном порядке.") and "Our Standards" not in reuters.text
    news = read_page(str(ARTICLES / "meta_naive.html"))[0]
    assert "Все права защищены" not in news.text and news.text.endswith("местные правозащитники.")


@pytest.mark.parametrize(
    ("title", "site_name", "host", "clean"),
    [
        ("Повестки | DW | 23.05.2011", "DW", "dw.com", "Повестки"),
        ("Повестки - Meduza", None, "meduza.io", "Повестки"),
        ("Повестки — Энские новости", "Энские новости", "news.example.org", "Повестки"),
        ("Повестки | news | 3 июня 2024", None, "news.example.org", "Повестки"),
        ("Путин — о мобилизации", "Энские новости", "news.example.org", "Путин — о мобилизации"),
        ("Энские новости", "Энские новости", "news.example.org", "Энские новости"),
    ],
)
def test_clean_title(title: str, site_name: str | None, host: str, clean: str) -> None:
    from mobrief.sources.article_meta import clean_title

    assert clean_title(title, site_name=site_name, host=host) == clean


@pytest.mark.parametrize(
    ("name", "plausible"),
    [
        ("Ольга Смирнова", True),
        ("Фото из Инстаграма героя", False),
        ("Фото: пресс-служба", False),
        ("Photo: Getty Images", False),
        ("https://example.org/authors/olga", False),
        ("Редакция", True),
    ],
)
def test_plausible_author(name: str, plausible: bool) -> None:
    from mobrief.sources.article_meta import plausible_author

    assert plausible_author(name) is plausible


def test_cli_stores_the_json_ld_time_in_utc(db_url: str, http_server: Any) -> None:
    url = http_server.add("/a", (ARTICLES / "modified_first.html").read_bytes())
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "url", url, "--json"])
    assert result.exit_code == 0, result.output
    store = open_store(db_url)
    try:
        (item,) = store.items.page(limit=5)
    finally:
        store.close()
    assert item.published_at == dt.datetime(2012, 5, 6, 5, 30, tzinfo=dt.UTC)
    assert item.author == "Анна Корреспондентова"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08.01.2026 17:46", dt.datetime(2026, 1, 8, 17, 46, tzinfo=dt.UTC)),
        ("Thu, 08 Jan 2026 17:46:00 +0200", dt.datetime(2026, 1, 8, 15, 46, tzinfo=dt.UTC)),
        ("2026-01-08T17:46:00+0200", dt.datetime(2026, 1, 8, 15, 46, tzinfo=dt.UTC)),
        ("9999-12-31T23:59:59-23:59", None),
    ],
)
def test_parse_date_reads_the_forms_pages_write(value: str, expected: dt.datetime | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("page", "published_at", "title", "author", "left_out"),
    [
        ("jsonld_time.html", dt.datetime(2026, 1, 8, 15, 46, tzinfo=dt.UTC),
         "Военкомат Энска начал рассылать повестки студентам", None, ("cookie", "DW |", "Фото")),
        ("modified_first.html", dt.datetime(2012, 5, 6, 5, 30, tzinfo=dt.UTC),
         "Матери призывников пожаловались в прокуратуру", "Анна Корреспондентова", ("Our Standards",)),
        ("meta_naive.html", dt.datetime(2025, 11, 3, 18, 15, tzinfo=dt.UTC),
         "Суд — о приговоре за поджог военкомата", "Пётр Обозреватель", ("Все права защищены",)),
        ("time_only.html", dt.datetime(2025, 10, 5, 3, 40, tzinfo=dt.UTC), None, None, ()),
        ("text_date.html", dt.datetime(2025, 9, 12, 11, 30, tzinfo=dt.UTC), None, None, ()),
    ],
)  # fmt: skip
def test_cli_stores_each_page_shape_with_its_time_title_author_and_no_boilerplate(
    db_url: str,
    http_server: Any,
    page: str,
    published_at: dt.datetime,
    title: str | None,
    author: str | None,
    left_out: tuple[str, ...],
) -> None:
    url = http_server.add(f"/news/{page}", (ARTICLES / page).read_bytes())
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "url", url, "--json"])
    assert result.exit_code == 0, result.output
    store = open_store(db_url)
    try:
        (item,) = store.items.page(limit=5)
    finally:
        store.close()
    assert item.published_at == published_at and item.text
    if title is not None:
        assert (item.title, item.author) == (title, author)
    for boilerplate in left_out:
        assert boilerplate not in item.text and boilerplate not in item.title


def test_cli_a_page_declaring_a_malformed_address_is_stored_under_the_address_it_was_read_from(
    db_url: str, http_server: Any
) -> None:
    page = ARTICLE.replace(b"<head>", b'<head><link rel="canonical" href="http://[oops/news/1">', 1)
    assert page != ARTICLE
    url = http_server.add("/news/malformed", page)
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "url", url, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    store = open_store(db_url)
    try:
        (item,) = store.items.page(limit=5)
    finally:
        store.close()
    assert item.url == url and item.text
