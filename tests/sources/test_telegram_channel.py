"""Public channel previews (t.me/s/<name>): page parsing, paging back to the last stored post, HTTP errors."""

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
from mobrief.sources.telegram_channel import TelegramChannel, parse_preview_page, views_count
from mobrief.store import open_store

DATA = Path(__file__).parent.parent / "data" / "sources" / "tme"
PAGE1 = (DATA / "page1.html").read_text(encoding="utf-8")


def serve_channel(http_server: Any) -> None:
    http_server.add("/s/test_channel", PAGE1)
    http_server.add("/s/test_channel?before=11", (DATA / "page2.html").read_text(encoding="utf-8"))
    http_server.add("/s/test_channel?before=6", (DATA / "page3.html").read_text(encoding="utf-8"))


def read_channel(
    http_server: Any, *, state: dict[str, Any] | None = None, timeout: float = 5.0, **options: Any
) -> tuple[list[Item | BadRecord], SourceContext]:
    context = SourceContext(settings=Settings(request_delay=0, request_timeout=timeout), state=state or {})
    adapter = TelegramChannel(context, base_url=http_server.base_url, **options)
    return list(adapter.read("test_channel")), context


def ids(records: list[Item | BadRecord]) -> list[int]:
    return sorted(int(r.external_id) for r in records if isinstance(r, Item))


# ---- parsing one page ----


def test_page_parse_finds_posts_paging_id_and_title() -> None:
    page = parse_preview_page(PAGE1)
    assert [p.post_id for p in page.posts] == [11, 12, 13, 14, 15]
    assert page.before == 11
    assert page.is_channel
    assert page.title == "Тестовый канал"


def test_post_text_keeps_line_breaks_and_links() -> None:
    post = parse_preview_page(PAGE1).posts[0]
    assert post.text == (
        "Военкомат в Энске\nУтром сотрудники военкомата раздавали повестки у проходной завода.\n\n"
        "Подробнее — на сайте ⚡"
    )
    assert post.links == ["https://example.org/news/povestki"]
    assert post.datetime == "2024-06-02T07:15:00+00:00"
    assert post.views == "1.2K"


def test_forwarded_edited_photo_reply_and_preview_are_told_apart() -> None:
    posts = parse_preview_page(PAGE1).posts
    forwarded, reply = posts[1], posts[2]
    assert forwarded.forwarded_from == "Другой канал"
    assert forwarded.forwarded_from_url == "https://t.me/other_channel/345"
    assert forwarded.edited and forwarded.photos == 1
    assert reply.text == "Обновление: прокуратура начала проверку."  # the quoted post stays out
    assert reply.links == ["https://example.org/news/proverka"]
    assert reply.author == "Мария Иванова"
    assert not posts[0].edited


@pytest.mark.parametrize(("shown", "count"), [("845", 845), ("1.2K", 1200), ("3.4M", 3_400_000), ("", None)])
def test_views_count(shown: str, count: int | None) -> None:
    assert views_count(shown) == count


# ---- paging against a real local server ----


def test_first_run_pages_back_to_the_start_of_the_channel(http_server: Any) -> None:
    serve_channel(http_server)
    records, context = read_channel(http_server)
    assert ids(records) == list(range(1, 14))  # 14 is a service message, 15 has no time
    bad = [r for r in records if isinstance(r, BadRecord)]
    assert [(b.line, b.field) for b in bad] == [(15, "time")]
    assert context.counters == {"service messages skipped": 1}
    assert context.state == {"last_id": 15, "recent_ids": list(range(15, 0, -1))}
    assert [path for path, _ in http_server.requests] == [
        "/s/test_channel",
        "/s/test_channel?before=11",
        "/s/test_channel?before=6",
    ]


def test_items_carry_permalinks_utc_times_and_raw_fields(http_server: Any) -> None:
    serve_channel(http_server)
    records, _ = read_channel(http_server)
    by_id = {r.external_id: r for r in records if isinstance(r, Item)}
    first = by_id["11"]
    assert first.source == "test_channel"
    assert first.url == "https://t.me/test_channel/11"
    assert first.published_at == dt.datetime(2024, 6, 2, 7, 15, tzinfo=dt.UTC)
    assert first.raw["views_count"] == 1200
    assert by_id["12"].raw["forwarded_from"] == "Другой канал"
    assert by_id["12"].raw["edited"] is True
    assert by_id["2"].text == "Пост номер 2.\nВторая строка поста 2."


def test_next_run_stops_at_the_last_stored_post(http_server: Any) -> None:
    serve_channel(http_server)
    records, context = read_channel(http_server, state={"last_id": 8})
    assert ids(records) == [9, 10, 11, 12, 13]
    assert context.state["last_id"] == 15
    assert [path for path, _ in http_server.requests] == ["/s/test_channel", "/s/test_channel?before=11"]


def test_nothing_new_costs_one_request_and_the_newest_page_is_read_again(http_server: Any) -> None:
    serve_channel(http_server)
    records, context = read_channel(http_server, state={"last_id": 15})
    assert ids(records) == [11, 12, 13]  # stored already: read again for edits
    assert context.state["last_id"] == 15
    assert len(http_server.requests) == 1
    records, _ = read_channel(http_server, state={"last_id": 15}, recheck=0)
    assert records == []


def test_max_pages_stops_early_and_says_so(http_server: Any) -> None:
    serve_channel(http_server)
    records, context = read_channel(http_server, state={"last_id": 2}, max_pages=1)
    assert ids(records) == [11, 12, 13]
    assert len(http_server.requests) == 1
    assert any("stopped after 1 pages" in w for w in context.warnings)


def test_a_failing_later_page_keeps_earlier_posts_and_does_not_advance_state(http_server: Any) -> None:
    http_server.add("/s/test_channel", PAGE1)  # no page 2: the server answers 404
    records, context = read_channel(http_server, state={"last_id": 3})
    assert ids(records) == [11, 12, 13]
    assert context.state["last_id"] == 3  # the next run reads the gap again
    assert any("404" in w and "before=11" in w for w in context.warnings)


def test_404_is_a_clear_unavailable_source(http_server: Any) -> None:
    with pytest.raises(SourceUnavailable, match="404") as caught:
        read_channel(http_server)
    assert "/s/test_channel" in str(caught.value)


def test_a_page_that_is_no_channel_is_unavailable(http_server: Any) -> None:
    http_server.add("/s/test_channel", (DATA / "not_a_channel.html").read_text(encoding="utf-8"))
    with pytest.raises(SourceUnavailable, match="no public channel preview"):
        read_channel(http_server)


def test_429_is_retried_honouring_retry_after(http_server: Any) -> None:
    answers = iter([(429, {"Retry-After": "0"}, b"slow down"), (200, {}, PAGE1.encode())])

    def handler(_request: Any) -> tuple[int, dict[str, str], bytes]:
        status, headers, body = next(answers)
        return status, {"Content-Type": "text/html; charset=utf-8", **headers}, body

    http_server.add("/s/test_channel", handler=handler)
    records, _ = read_channel(http_server, max_pages=1)
    assert ids(records) == [11, 12, 13]
    assert len(http_server.requests) == 2


def test_429_forever_gives_up_after_bounded_retries(http_server: Any) -> None:
    http_server.add("/s/test_channel", "slow down", status=429, headers={"Retry-After": "0"})
    with pytest.raises(SourceUnavailable, match="429"):
        read_channel(http_server)
    assert len(http_server.requests) == 4  # the first try and three retries


def test_a_slow_server_times_out_with_a_clear_message(http_server: Any) -> None:
    http_server.add("/s/test_channel", PAGE1, delay=1.5)
    with pytest.raises(SourceUnavailable, match="timed out"):
        read_channel(http_server, timeout=0.3)


# ---- through the CLI, state kept in the store ----


def test_cli_ingest_remembers_the_last_post_between_runs(
    db_url: str, http_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOBRIEF_REQUEST_DELAY", "0")
    serve_channel(http_server)
    runner = CliRunner()
    args = ["--db", db_url, "ingest", "telegram-channel", "test_channel", "--base-url", http_server.base_url]
    first = runner.invoke(cli, [*args, "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["inserted"] == 13
    http_server.requests.clear()
    second = runner.invoke(cli, [*args, "--json"])
    assert second.exit_code == 0, second.output
    again = json.loads(second.stdout)
    assert (again["read"], again["inserted"], again["unchanged"]) == (3, 0, 3)  # the newest page, read again
    assert [path for path, _ in http_server.requests] == ["/s/test_channel"]
    store = open_store(db_url)
    try:
        assert store.sources.state("test_channel")["last_id"] == 15
    finally:
        store.close()


def test_cli_recheck_reads_that_many_stored_posts_again_across_pages(
    db_url: str, http_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOBRIEF_REQUEST_DELAY", "0")
    serve_channel(http_server)
    runner = CliRunner()
    args = ["--db", db_url, "ingest", "telegram-channel", "test_channel", "--base-url", http_server.base_url, "--json"]
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    http_server.requests.clear()
    again = runner.invoke(cli, [*args, "--recheck", "8"], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert (report["read"], report["inserted"], report["unchanged"]) == (6, 0, 6)  # posts 8–13 (14, 15 unusable)
    assert [path for path, _ in http_server.requests] == ["/s/test_channel", "/s/test_channel?before=11"]


# ---- links, forwards, views and edits as fields; edits and deletions of recent posts seen ----

V1 = (DATA / "recheck_v1.html").read_text(encoding="utf-8")
V2 = (DATA / "recheck_v2.html").read_text(encoding="utf-8")


def test_relative_links_resolve_to_t_me_and_forward_views_reply_are_fields(http_server: Any) -> None:
    http_server.add("/s/edit_channel", V1)
    context = SourceContext(settings=Settings(request_delay=0))
    records = list(TelegramChannel(context, base_url=http_server.base_url).read("edit_channel"))
    by_id = {r.external_id: r for r in records if isinstance(r, Item)}
    assert by_id["21"].links == (
        "https://t.me/s/edit_channel?q=%23%D0%BF%D0%BE%D0%B2%D0%B5%D1%81%D1%82%D0%BA%D0%B8",
        "https://t.me/edit_channel/20",
    )
    forwarded = by_id["22"]
    assert (forwarded.forwarded_from, forwarded.forwarded_from_id) == ("Канал соседей", "https://t.me/neighbours/77")
    assert (forwarded.views, by_id["21"].views) == (2000, 1100)
    assert by_id["23"].reply_to == "20"
    assert not by_id["20"].edited


def test_cli_an_edit_between_two_fetches_becomes_a_revision_and_a_deletion_is_marked(
    db_url: str, http_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOBRIEF_REQUEST_DELAY", "0")
    pages = iter([V1, V2, V2])

    def changing(_request: Any) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/html; charset=utf-8"}, next(pages).encode()

    http_server.add("/s/edit_channel", handler=changing)
    args = ["--db", db_url, "ingest", "telegram-channel", "edit_channel", "--base-url", http_server.base_url, "--json"]
    runner = CliRunner()
    first = runner.invoke(cli, args, catch_exceptions=False)
    assert json.loads(first.stdout)["inserted"] == 5
    second = runner.invoke(cli, args, catch_exceptions=False)
    report = json.loads(second.stdout)
    assert (report["inserted"], report["updated"], report["refreshed"]) == (1, 1, 3)  # 25 new, 23 edited, views
    assert report["counters"]["posts deleted upstream (kept, marked deleted)"] == 1
    store = open_store(db_url)
    try:
        stored = {i.external_id: i for i in store.items.page(source="edit_channel", limit=10)}
        edited = stored["23"]
        assert edited.text == "Уточнение: в военкомат вызывают только резервистов." and edited.edited
        assert [r.text for r in store.items.revisions(edited.id or 0)] == ["Черновик: в военкомат вызывают всех."]
        assert stored["24"].deleted_at is not None and stored["24"].text == "Пост, который потом удалят."
        assert stored["20"].deleted_at is None and stored["20"].views == 1500
    finally:
        store.close()
    third = runner.invoke(cli, args, catch_exceptions=False)  # the same page again changes nothing
    again = json.loads(third.stdout)
    assert (again["inserted"], again["updated"], again["refreshed"], again["unchanged"]) == (0, 0, 0, 5)
    assert "posts deleted upstream (kept, marked deleted)" not in again["counters"]


def test_cli_a_post_with_a_malformed_link_keeps_the_post_and_its_other_links(
    db_url: str, http_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOBRIEF_REQUEST_DELAY", "0")
    page = V1.replace('href="?q=', 'href="http://[oops/x">кривая</a> <a href="?q=', 1)
    assert page != V1
    http_server.add("/s/edit_channel", page)
    args = ["--db", db_url, "ingest", "telegram-channel", "edit_channel", "--base-url", http_server.base_url, "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inserted"] == 5
    store = open_store(db_url)
    try:
        post = next(i for i in store.items.page(source="edit_channel", limit=10) if i.external_id == "21")
    finally:
        store.close()
    assert "кривая" in post.text and post.links == (
        "https://t.me/s/edit_channel?q=%23%D0%BF%D0%BE%D0%B2%D0%B5%D1%81%D1%82%D0%BA%D0%B8",
        "https://t.me/edit_channel/20",
    )
