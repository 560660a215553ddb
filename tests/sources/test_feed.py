"""RSS and Atom feeds: every format, conditional GET, bad entries, not-a-feed, and fetching the articles."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobrief.cli import cli
from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.sources.feed import Feed
from mobrief.sources.registry import SourceContext
from mobrief.store import open_store

DATA = Path(__file__).parent.parent / "data" / "sources"
FEEDS = DATA / "feeds"
ARTICLE = (DATA / "articles" / "article.html").read_bytes()
NO_ARTICLE = (DATA / "articles" / "no_article.html").read_bytes()
LAST_MODIFIED = "Sun, 02 Jun 2024 08:00:00 GMT"


def rss_for(http_server: Any) -> str:
    return (FEEDS / "rss2.xml").read_text(encoding="utf-8").replace("{base}", http_server.base_url)


def read_feed(
    location: str, *, state: dict[str, Any] | None = None, timeout: float = 5.0, **options: Any
) -> tuple[list[Item | BadRecord], SourceContext]:
    context = SourceContext(settings=Settings(request_delay=0, request_timeout=timeout), state=state or {})
    return list(Feed(context, **options).read(location)), context


def items_of(records: list[Item | BadRecord]) -> list[Item]:
    return [r for r in records if isinstance(r, Item)]


# ---- formats, from files ----


def test_rss2_entries_become_items_and_bad_entries_name_index_and_field(tmp_path: Path) -> None:
    path = tmp_path / "rss2.xml"
    path.write_text((FEEDS / "rss2.xml").read_text(encoding="utf-8").replace("{base}", "https://news.example.org"))
    records, _ = read_feed(str(path))
    items = items_of(records)
    assert [i.title for i in items] == ["Выплата контрактникам выросла до 2 млн рублей", "Погода на выходные"]
    first = items[0]
    assert first.source == "Энские новости"  # a file's source is named by the feed's title
    assert first.external_id == "news-1001"
    assert first.url == "https://news.example.org/news/vyplata"
    assert first.published_at == dt.datetime(2024, 6, 2, 7, 0, tzinfo=dt.UTC)
    assert first.text == "Губернатор повысил выплату с 1,7 млн до 2 млн рублей.\n\nПодробности в указе."
    assert first.links == ("https://gov.example.org/decree/15",)
    assert first.lang == "ru"
    assert first.author == "Иван Петров"
    assert first.raw["tags"] == ["Армия"]
    assert items[1].external_id == "https://news.example.org/news/pogoda"  # no guid: the link is the id
    bad = [r for r in records if isinstance(r, BadRecord)]
    assert [(b.line, b.field) for b in bad] == [(2, "published"), (3, "link")]
    assert all(b.path == str(path) for b in bad)


def test_rss091_in_windows_1251() -> None:
    items = items_of(read_feed(str(FEEDS / "rss091.xml"))[0])
    assert [i.title for i in items] == ["Пожар в военкомате (Draft office fire)"]
    assert items[0].lang == "en"
    assert items[0].published_at == dt.datetime(2024, 6, 3, 6, 0, tzinfo=dt.UTC)


def test_rss1_rdf_with_dublin_core_dates() -> None:
    items = items_of(read_feed(str(FEEDS / "rss1.rdf"))[0])
    assert [(i.url, i.published_at) for i in items] == [
        ("https://rdf.example.org/a/1", dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC))
    ]
    assert items[0].lang == "ru"


def test_atom_html_content_language_and_updated_fallback() -> None:
    items = items_of(read_feed(str(FEEDS / "atom.xml"))[0])
    first, second = items
    assert first.source == "Атомная лента"
    assert first.title == "Матери срочников пришли в военкомат"
    assert first.text == ("Матери срочников пришли в военкомат.\nОни требуют встречи с комиссаром.\n\nВидео здесь.")
    assert first.links == ("https://video.example.org/v/1",)
    assert first.author == "Редакция"
    assert first.published_at == dt.datetime(2024, 6, 3, 5, 30, tzinfo=dt.UTC)
    assert second.external_id == "tag:atom.example.org,2024:entry-78"
    assert second.url is None
    assert second.published_at == dt.datetime(2024, 6, 3, 10, 0, tzinfo=dt.UTC)
    assert second.lang == "en"


def test_a_page_that_is_not_a_feed_is_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="not a feed"):
        read_feed(str(FEEDS / "not_a_feed.html"))


def test_missing_file_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match="cannot read"):
        read_feed(str(tmp_path / "missing.xml"))


# ---- over HTTP: conditional GET ----


def test_etag_is_saved_and_sent_back_and_304_yields_nothing(http_server: Any) -> None:
    rss_type = {"Content-Type": "application/rss+xml"}
    url = http_server.add("/feed.xml", rss_for(http_server), etag='"v1"', headers=rss_type)
    records, context = read_feed(url)
    assert len(items_of(records)) == 2
    assert context.state == {"etag": '"v1"'}
    again, context = read_feed(url, state=dict(context.state))
    assert again == []
    assert context.counters == {"feeds not modified since the last run": 1}
    assert http_server.requests[-1][1].get("If-None-Match") == '"v1"'


def test_last_modified_is_saved_and_sent_back(http_server: Any) -> None:
    url = http_server.add("/feed.xml", rss_for(http_server), last_modified=LAST_MODIFIED)
    _, context = read_feed(url)
    assert context.state == {"last_modified": LAST_MODIFIED}
    again, _ = read_feed(url, state=dict(context.state))
    assert again == []
    assert http_server.requests[-1][1].get("If-Modified-Since") == LAST_MODIFIED


def test_feed_url_source_is_its_host_unless_named(http_server: Any) -> None:
    url = http_server.add("/feed.xml", rss_for(http_server))
    assert {i.source for i in items_of(read_feed(url)[0])} == {"127.0.0.1"}
    assert {i.source for i in items_of(read_feed(url, name="Энские новости")[0])} == {"Энские новости"}


def test_feed_http_errors_are_unavailable(http_server: Any) -> None:
    with pytest.raises(SourceUnavailable, match="404"):
        read_feed(http_server.url("/missing.xml"))
    slow = http_server.add("/slow.xml", rss_for(http_server), delay=1.5)
    with pytest.raises(SourceUnavailable, match="timed out"):
        read_feed(slow, timeout=0.3)


# ---- fetching the articles ----


def test_fetch_articles_replaces_the_summary_and_keeps_the_snapshot(http_server: Any) -> None:
    http_server.add("/news/vyplata", ARTICLE)
    http_server.add("/news/pogoda", NO_ARTICLE)
    url = http_server.add("/feed.xml", rss_for(http_server))
    records, context = read_feed(url, fetch_articles=True)
    article, no_article = items_of(records)
    assert "Пушкарева к шести годам" in article.text  # the page's text, not the feed's summary
    assert "Комментарий читателя" not in article.text
    assert article.title == "Выплата контрактникам выросла до 2 млн рублей"  # the feed's own title stays
    assert article.published_at == dt.datetime(2024, 6, 2, 7, 0, tzinfo=dt.UTC)
    assert article.snapshot is not None and article.snapshot.body == ARTICLE
    assert article.raw["article_extracted"] is True
    # extraction failed: the page is kept with the feed's title, date and text, and a warning says so
    assert no_article.snapshot is not None and no_article.snapshot.body == NO_ARTICLE
    assert no_article.text == "Синоптики обещают дожди."
    assert no_article.title == "Погода на выходные"
    assert any("no article text found" in w and "/news/pogoda" in w for w in context.warnings)


def test_fetch_articles_keeps_the_entry_when_the_page_is_missing(http_server: Any) -> None:
    url = http_server.add("/feed.xml", rss_for(http_server))
    records, context = read_feed(url, fetch_articles=True)
    assert [i.text for i in items_of(records)][1] == "Синоптики обещают дожди."
    assert all(i.snapshot is None for i in items_of(records))
    assert sum("404" in w and "kept the feed entry" in w for w in context.warnings) == 2


# ---- through the CLI ----


def test_cli_feed_ingest_stores_validators_and_reports_bad_entries(db_url: str, http_server: Any) -> None:
    url = http_server.add("/feed.xml", rss_for(http_server), etag='"abc"')
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_url, "ingest", "feed", url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["inserted"], report["skipped"]) == (2, 2)
    assert any("[published]" in line for line in report["bad_records"])
    store = open_store(db_url)
    try:
        assert store.sources.state("127.0.0.1") == {"etag": '"abc"'}
    finally:
        store.close()
    again = runner.invoke(cli, ["--db", db_url, "ingest", "feed", url, "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["read"] == 0


def test_cli_not_a_feed_exits_1_naming_the_file(tmp_path: Path) -> None:
    path = str(FEEDS / "not_a_feed.html")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "mobrief", "--db", db, "ingest", "feed", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"{path}: not a feed" in result.stderr


def test_cli_feed_cut_mid_tag_stores_plain_text(db_url: str, http_server: Any) -> None:
    body = (FEEDS / "cut_mid_tag.xml").read_bytes()
    url = http_server.add("/cut.xml", body, headers={"Content-Type": "application/rss+xml"})
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "feed", url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inserted"] == 2
    store = open_store(db_url)
    try:
        stored = {i.external_id: i for i in store.items.page(limit=10)}
    finally:
        store.close()
    assert stored["cut-1"].text == "Жительницу Энска оштрафовали за пост о мобилизации.\n\nСуд учёл её объяснения"
    assert stored["cut-2"].text == "В военкомат пришли родственники мобилизованных, видео"
    assert stored["cut-2"].links == ("https://cut.example.org/video",)
    assert all("<" not in item.text for item in stored.values())


# ---- a property: an entry's HTML cut anywhere, through feedparser and the adapter, gives plain text ----

_WORDS = st.text(st.sampled_from("абвгд ежзик ABC xyz 0123 .,;:!?«»—-"), min_size=1, max_size=20)
_ESCAPED = st.text(st.sampled_from("абв xyz <>p/ "), max_size=15).map(
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
)
_MARKUP = st.one_of(
    st.sampled_from(["<p>", "</p>", "<b>", "</b>", "<br>", "<br/>", "</a>", "</span>", "<li>", "</li>", "<hr>"]),
    st.builds(lambda n: f'<a href="https://a.example/{n}">', st.integers(0, 99)),
    st.builds(lambda body: f'<span data-id="1" class="FootnoteLink" data-body="{body}">', _ESCAPED),
    st.just("<!-- note -->"),
)
_ENTRY_PIECES = st.lists(st.one_of(_WORDS.map(lambda t: (t, True)), _MARKUP.map(lambda m: (m, False))),
                         min_size=1, max_size=20)  # fmt: skip


def _feed_with(html: str, *, cdata: bool) -> bytes:
    body = f"<![CDATA[{html}]]>" if cdata else html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Лента</title>'
        "<item><guid>https://feed.example/1</guid><link>https://feed.example/1</link><title>Заголовок</title>"
        "<pubDate>Sun, 02 Jun 2024 10:00:00 +0300</pubDate>"
        f"<content:encoded>{body}</content:encoded></item></channel></rss>"
    ).encode()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(_ENTRY_PIECES, st.floats(0, 1), st.booleans())
def test_an_entry_cut_anywhere_is_stored_as_text_with_no_tag_and_nothing_before_the_cut_lost(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[tuple[str, bool]], where: float, cdata: bool
) -> None:
    html = "".join(piece for piece, _ in pieces)
    cut = round(len(html) * where)
    before, position = [], 0
    for piece, is_text in pieces:
        if is_text:
            before.append(piece[: max(0, cut - position)])
        position += len(piece)
    path = tmp_path_factory.mktemp("feed") / "cut.xml"
    path.write_bytes(_feed_with(html[:cut], cdata=cdata))
    (item,) = items_of(read_feed(str(path))[0])
    assert not re.search(r"<[a-zA-Z/!?]", item.text), item.text
    assert "".join(item.text.split()) == "".join("".join(before).split())


def test_cli_fetch_articles_keeps_entries_whose_link_cannot_be_fetched(db_url: str, http_server: Any) -> None:
    entries = "".join(
        f"<item><guid>entry-{n}</guid><link>{link}</link><title>Запись {n}</title>"
        f"<pubDate>Sun, 02 Jun 2024 10:00:00 +0300</pubDate><description>Текст {n}.</description></item>"
        for n, link in enumerate(["https://xn--/bad-label", "https://a.example/\x7fcontrol"])
    )  # both refused before any request is made
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Лента</title>{entries}</channel></rss>'
    url = http_server.add("/bad-links.xml", feed.encode())
    args = ["--db", db_url, "ingest", "feed", url, "--fetch-articles", "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["inserted"] == 2
    assert sum("kept the feed entry" in w for w in report["warnings"]) == 2
