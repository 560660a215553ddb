"""Telegram Desktop exports: text rebuild, times, raw fields, full-account exports, bad and cut files."""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from mobrief.cli import cli
from mobrief.errors import BadRecord, ConfigError, SourceUnavailable
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.sources.registry import SourceContext
from mobrief.sources.telegram_export import TelegramExport, channel_username, rebuild_text
from mobrief.store import open_store

DATA = Path(__file__).parent.parent / "data" / "sources" / "telegram"
SINGLE = DATA / "single_chat.json"


def read_all(path: Path | str, **options: Any) -> tuple[list[Item | BadRecord], SourceContext]:
    context = SourceContext(settings=Settings(request_delay=0))
    adapter = TelegramExport(context, **options)
    return list(adapter.read(str(path))), context


def items_of(records: list[Item | BadRecord]) -> list[Item]:
    return [r for r in records if isinstance(r, Item)]


def bad_of(records: list[Item | BadRecord]) -> list[BadRecord]:
    return [r for r in records if isinstance(r, BadRecord)]


# ---- a single-chat export ----


def test_single_chat_export_gives_one_item_per_message_and_counts_service_messages() -> None:
    records, context = read_all(SINGLE)
    items = items_of(records)
    assert [i.external_id for i in items] == ["2", "3", "4", "6"]
    assert not bad_of(records)
    assert {i.source for i in items} == {"Тестовый канал"}
    assert context.counters == {"service messages skipped": 2}
    assert all(i.url is None for i in items)  # no username given, no permalink


def test_channel_option_gives_permalinks_and_source_name() -> None:
    records, _ = read_all(SINGLE, channel="@test_channel")
    items = items_of(records)
    assert {i.source for i in items} == {"test_channel"}
    assert items[1].url == "https://t.me/test_channel/3"
    context = SourceContext(settings=Settings())
    by_url = TelegramExport(context, channel="https://t.me/s/test_channel")
    assert by_url.source_name(str(SINGLE)) == "test_channel"
    assert TelegramExport(context).source_name(str(SINGLE)) == "Тестовый канал"


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("name", "name"),
        ("@name", "name"),
        ("https://t.me/name", "name"),
        ("https://t.me/s/name/", "name"),
        ("t.me/name/123", "name"),
        ("https://t.me/s/name?before=40", "name"),
    ],
)
def test_channel_username_accepts_the_usual_spellings(given_name: str, expected: str) -> None:
    assert channel_username(given_name) == expected


def test_mixed_text_array_is_rebuilt_with_every_link() -> None:
    item = items_of(read_all(SINGLE)[0])[1]
    assert item.text == (
        "Выплата выросла. Власти региона повысили выплату контрактникам до 2 млн рублей, сообщает "
        "пресс-служба. Источник: example.net/post/7"
    )
    assert item.links == ("https://example.org/news/vyplata", "https://example.net/post/7")


def test_times_come_from_unix_fields_in_utc_never_from_local_date() -> None:
    item = items_of(read_all(SINGLE)[0])[1]
    # "date" says 15:10 local time; date_unixtime 1717157400 is 12:10 UTC
    assert item.published_at == dt.datetime(2024, 5, 31, 12, 10, tzinfo=dt.UTC)
    assert item.edited_at == dt.datetime(2024, 5, 31, 12, 40, tzinfo=dt.UTC)
    assert item.published_at.tzinfo is dt.UTC


def test_raw_keeps_author_forward_reply_media_and_unknown_keys() -> None:
    items = items_of(read_all(SINGLE)[0])
    edited, forwarded = items[1], items[2]
    assert edited.author == "Мария Иванова"
    assert edited.raw["photo"] == "photos/photo_3@31-05-2024_15-10-00.jpg"
    assert forwarded.raw["forwarded_from"] == "Другой канал"
    assert forwarded.raw["reply_to_message_id"] == 2
    assert forwarded.raw["media_type"] == "video_file"
    assert forwarded.raw["file"].startswith("(File not included")
    assert forwarded.raw["some_future_key"] == {"nested": [1, 2.5, "x"]}
    assert "text_entities" not in forwarded.raw
    json.dumps(dict(forwarded.raw))  # storable as JSON: no Decimal from the parser


def test_old_export_without_text_entities_uses_text() -> None:
    item = items_of(read_all(SINGLE)[0])[-1]
    assert item.text == "Старый формат: без text_entities, только строка."
    assert item.links == ()


# ---- full-account export ----


def test_full_account_export_reads_every_chat_as_its_own_source() -> None:
    records, context = read_all(DATA / "account.json")
    items = items_of(records)
    assert [(i.source, i.external_id) for i in items] == [
        ("Канал Альфа", "10"),
        ("Канал Альфа", "12"),
        ("Канал Бета", "10"),
        ("Канал Гамма", "1"),
    ]
    assert items[1].links == ("https://example.org/alpha",)
    assert items[2].raw["chat"] == {"name": "Канал Бета", "type": "public_channel", "id": 1700000202}
    assert context.counters == {"service messages skipped": 1}
    assert not bad_of(records)


def test_full_account_export_source_name_names_the_account() -> None:
    adapter = TelegramExport(SourceContext(settings=Settings()))
    assert adapter.source_name(str(DATA / "account.json")) == "telegram account Анна Редакторова"


# ---- bad input ----


def test_wrong_shaped_messages_become_bad_records_naming_index_and_field() -> None:
    records, _ = read_all(DATA / "wrong_shapes.json", timezone="UTC")
    assert [i.external_id for i in items_of(records)] == ["1", "3", "8"]  # 3 has only its local date
    bad = {(b.line, b.field) for b in bad_of(records)}
    assert bad == {
        (1, None),
        (2, "id"),
        (4, "date_unixtime"),
        (5, "text"),
        (6, "text"),
        (7, "edited_unixtime"),
    }
    assert all(b.path == str(DATA / "wrong_shapes.json") for b in bad_of(records))
    assert "date_unixtime" in str(next(b for b in bad_of(records) if b.line == 4))


def test_truncated_export_yields_complete_messages_then_one_bad_record(tmp_path: Path) -> None:
    body = SINGLE.read_bytes()
    cut = body.index(b'"forwarded_from"')  # inside message id 4
    truncated = tmp_path / "result.json"
    truncated.write_bytes(body[:cut])
    records, _ = read_all(truncated)
    assert [i.external_id for i in items_of(records)] == ["2", "3"]
    assert isinstance(records[-1], BadRecord)
    assert "truncated" in records[-1].reason
    assert records[-1].line == 3  # the fourth message of the array, the one cut short


def _export(messages: int) -> dict[str, Any]:
    return {
        "name": "Канал",
        "type": "public_channel",
        "id": 1,
        "messages": [
            {
                "id": n,
                "type": "message",
                "date_unixtime": str(1717200000 + n),
                "text": ["Пост номер ", {"type": "text_link", "text": str(n), "href": f"https://e.org/{n}"}],
                "text_entities": [
                    {"type": "plain", "text": "Пост номер "},
                    {"type": "text_link", "text": str(n), "href": f"https://e.org/{n}"},
                ],
            }
            for n in range(1, messages + 1)
        ],
    }


@pytest.mark.parametrize("account", [False, True])
def test_every_cut_point_keeps_the_complete_messages_and_never_raises(tmp_path: Path, account: bool) -> None:
    export = _export(30)
    document = {"chats": {"list": [export]}} if account else export
    body = json.dumps(document, ensure_ascii=False, indent=1).encode()
    ends = []  # where each message's closing brace is: the message is complete in any prefix that holds it
    for n in range(1, 31):
        last_href = body.rindex(f'"https://e.org/{n}"'.encode())
        ends.append(body.index(b"}", body.index(b"]", last_href)) + 1)
    for cut in range(body.index(b'"messages"') + len('"messages"'), len(body) - 1, 89):
        path = tmp_path / f"cut{cut}.json"
        path.write_bytes(body[:cut])
        records, _ = read_all(path)
        complete = sum(1 for end in ends if end <= cut)
        assert [i.external_id for i in items_of(records)] == [str(n) for n in range(1, complete + 1)], cut
        assert isinstance(records[-1], BadRecord), cut
        assert "truncated" in records[-1].reason
        path.unlink()


def test_file_that_is_not_json_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text("<html>this is not an export</html>", encoding="utf-8")
    with pytest.raises(SourceUnavailable, match="not JSON"):
        read_all(path)


@pytest.mark.parametrize("document", ["[1, 2, 3]", '{"name": "x", "type": "public_channel"}', '"text"'])
def test_json_that_is_not_an_export_is_unavailable(tmp_path: Path, document: str) -> None:
    path = tmp_path / "result.json"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(SourceUnavailable, match="not a Telegram Desktop export"):
        read_all(path)


def test_missing_file_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match="cannot read"):
        read_all(tmp_path / "nope.json")


def test_progress_reports_bytes_read_up_to_the_file_size() -> None:
    seen: list[tuple[int, int | None]] = []
    context = SourceContext(settings=Settings(), progress=lambda done, total: seen.append((done, total)))
    list(TelegramExport(context).read(str(SINGLE)))
    size = SINGLE.stat().st_size
    assert seen and seen[-1][1] == size
    assert max(done for done, _ in seen) == size


@pytest.mark.parametrize("account", [False, True])
def test_memory_does_not_grow_with_file_size(tmp_path: Path, account: bool) -> None:
    peaks = []
    for count in (500, 4_000):
        export = _export(count)
        path = tmp_path / f"r{count}.json"
        path.write_text(json.dumps({"chats": {"list": [export]}} if account else export), encoding="utf-8")
        context = SourceContext(settings=Settings())
        tracemalloc.start()
        seen = sum(1 for _ in TelegramExport(context).read(str(path)))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert seen == count
    assert peaks[1] < peaks[0] * 1.5, peaks  # eight times the messages, about the same peak


# ---- text rebuild, as properties ----

plain_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
hrefs = st.from_regex(r"https://[a-z]{1,10}\.example/[a-z0-9]{0,8}", fullmatch=True)
entity = st.one_of(
    st.builds(lambda t: {"type": "plain", "text": t}, plain_text),
    st.builds(lambda t, k: {"type": k, "text": t}, plain_text, st.sampled_from(["bold", "italic", "code"])),
    st.builds(lambda t, h: {"type": "text_link", "text": t, "href": h}, plain_text, hrefs),
)
mixed = st.lists(st.one_of(plain_text, entity), max_size=12)


def _expected(parts: list[Any]) -> tuple[str, list[str]]:
    text = "".join(p if isinstance(p, str) else p["text"] for p in parts)
    links = [p["href"] for p in parts if isinstance(p, dict) and "href" in p]
    return text, links


@given(mixed)
def test_rebuilt_text_is_the_concatenation_and_keeps_every_href(parts: list[Any]) -> None:
    text, links = _expected(parts)
    entities = [p if isinstance(p, dict) else {"type": "plain", "text": p} for p in parts]
    for message in ({"text": parts}, {"text": parts, "text_entities": entities}, {"text_entities": entities}):
        rebuilt, found = rebuild_text(message)
        assert rebuilt == text
        assert list(found) == list(dict.fromkeys(links))


@given(st.lists(st.one_of(st.integers(), st.none(), st.lists(st.integers(), max_size=2)), min_size=1))
def test_rebuild_rejects_arrays_of_the_wrong_shape_with_a_value_error(parts: list[Any]) -> None:
    with pytest.raises(ValueError, match="text"):
        rebuild_text({"text": parts})


# ---- through the CLI into a real store ----


def test_cli_ingest_stores_the_export_and_a_rerun_changes_nothing(db_url: str) -> None:
    runner = CliRunner()
    args = ["--db", db_url, "ingest", "telegram-export", str(SINGLE), "--channel", "test_channel", "--json"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["inserted"] == 4
    assert report["counters"] == {"service messages skipped": 2}
    second = runner.invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["unchanged"] == 4
    store = open_store(db_url)
    try:
        stored = {i.external_id: i for i in store.items.page(source="test_channel", limit=100)}
    finally:
        store.close()
    assert stored["3"].links == ("https://example.org/news/vyplata", "https://example.net/post/7")
    assert stored["3"].url == "https://t.me/test_channel/3"


# ---- every exporter generation ----

OLD_CHANNEL = DATA / "old_channel.json"
OLD_ACCOUNT = DATA / "old_account.json"
GROUP = DATA / "group_chat.json"


def test_an_export_without_date_unixtime_is_read_in_the_zone_given() -> None:
    records, context = read_all(OLD_CHANNEL, timezone="Europe/Moscow")
    items = items_of(records)
    assert [i.external_id for i in items] == ["101", "103", "104"]
    assert not bad_of(records)
    first, edited, forwarded = items
    assert first.published_at == dt.datetime(2021, 3, 1, 12, 10, tzinfo=dt.UTC)  # 15:10 in Moscow
    assert edited.edited_at == dt.datetime(2021, 3, 2, 6, 30, tzinfo=dt.UTC) and edited.edited
    assert forwarded.published_at == dt.datetime(2021, 3, 27, 23, 30, tzinfo=dt.UTC)
    assert len(context.warnings) == 1  # said once, not per message
    assert "3 messages without date_unixtime" in context.warnings[0] and "Europe/Moscow" in context.warnings[0]


def test_without_a_zone_the_machines_is_assumed_and_said_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Yekaterinburg")
    records, context = read_all(OLD_CHANNEL)
    assert items_of(records)[0].published_at == dt.datetime(2021, 3, 1, 10, 10, tzinfo=dt.UTC)  # UTC+5
    (warning,) = context.warnings
    assert "Asia/Yekaterinburg" in warning and "this machine's zone" in warning and "--timezone" in warning


def test_an_unknown_zone_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="Europe/Moskva"):
        TelegramExport(SourceContext(settings=Settings()), timezone="Europe/Moskva")


def test_author_sender_forward_reply_and_edit_are_item_fields() -> None:
    items = items_of(read_all(OLD_CHANNEL, timezone="UTC")[0])
    assert items[0].author == "Старый канал" and items[0].author_id == "channel9000000001"
    assert items[1].author == "Иван Редактор"  # the post's signature
    assert (items[2].forwarded_from, items[2].reply_to) == ("Соседний канал", "101")
    group = items_of(read_all(GROUP)[0])
    assert [(i.author, i.author_id) for i in group] == [
        ("Анна Петрова", "user333"),
        ("Ольга Сидорова", "user444"),
        ("Анна Петрова", "user333"),
    ]
    assert group[1].reply_to == "1"
    assert (group[2].forwarded_from, group[2].forwarded_from_id) == ("Канал помощи", "channel555")
    assert group[2].edited_at == dt.datetime(2024, 6, 2, 7, 25, tzinfo=dt.UTC)


def test_text_comes_from_whichever_of_text_and_entities_holds_more_and_no_link_is_lost() -> None:
    first, second, _ = items_of(read_all(GROUP)[0])
    assert first.text == "Мужа отправили в часть без подготовки, пишите в бот."
    assert first.links == ("https://t.me/example_help_bot",)
    assert second.text == "Нам ответили в прокуратуре, вот письмо, а ещё жалоба ушла в военкомат."
    assert second.links == ("https://docs.example.org/otvet",)


def test_a_full_account_export_without_unix_times_names_the_chat_of_a_bad_message() -> None:
    records, context = read_all(OLD_ACCOUNT, timezone="Europe/Moscow")
    items = items_of(records)
    assert [(i.source, i.external_id) for i in items] == [
        ("Группа волонтёров", "1"),
        ("Группа волонтёров", "2"),
        ("Канал Дельта", "1"),
    ]
    assert items[1].links == ("https://news.example.org/a/5",)
    assert (items[1].author, items[1].reply_to, items[1].forwarded_from) == ("Мария Участница", "1", "Новостной канал")
    (bad,) = bad_of(records)
    assert (bad.line, bad.field) == (1, "date")
    assert "chat 'Канал Дельта', message 1 (id 2)" in bad.reason
    assert len(context.warnings) == 1


def test_cli_reads_an_old_export_whole_and_says_the_zone_once(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    args = ["--db", db_url, "ingest", "telegram-export", str(OLD_CHANNEL), "--channel", "old_channel"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("without date_unixtime") == 1
    with_zone = CliRunner().invoke(cli, [*args, "--timezone", "Europe/Moscow", "--json"], catch_exceptions=False)
    assert with_zone.exit_code == 0, with_zone.output
    report = json.loads(with_zone.stdout)
    assert (report["updated"], report["refreshed"]) == (0, 3)  # times corrected in place, no revision
    store = open_store(db_url)
    try:
        stored = {i.external_id: i for i in store.items.page(source="old_channel", limit=10)}
    finally:
        store.close()
    assert set(stored) == {"101", "103", "104"}
    assert stored["103"].author == "Иван Редактор" and stored["103"].edited
    assert stored["104"].forwarded_from == "Соседний канал" and stored["104"].reply_to == "101"
    assert stored["103"].links == ("https://old.example.org/punkt",)
    assert stored["101"].published_at == dt.datetime(2021, 3, 1, 12, 10, tzinfo=dt.UTC)


def test_cli_exits_non_zero_when_no_message_of_a_readable_export_can_be_used(tmp_path: Path) -> None:
    export = {"name": "Канал", "type": "public_channel", "id": 1, "messages": [{"id": 1, "type": "message"}]}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "ingest", "telegram-export", str(path)])
    assert result.exit_code == 1
    assert "nothing stored" in result.stderr and "neither date_unixtime nor date" in result.stderr


def test_a_channel_post_without_a_sender_is_the_channels_own() -> None:
    items = items_of(read_all(DATA / "wrong_shapes.json", timezone="UTC")[0])
    assert {i.author for i in items} == {"Канал с ошибками"}


def test_cli_reads_an_old_full_account_export_naming_the_chat_of_a_bad_message(db_url: str) -> None:
    args = ["--db", db_url, "ingest", "telegram-export", str(OLD_ACCOUNT), "--timezone", "Europe/Moscow"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("without date_unixtime") == 1 and "Europe/Moscow" in result.stderr
    assert "chat 'Канал Дельта', message 1 (id 2)" in result.stderr and "[date]" in result.stderr
    assert f"{OLD_ACCOUNT}: could not use 1 record" in result.stdout
    store = open_store(db_url)
    try:
        group = {i.external_id: i for i in store.items.page(source="Группа волонтёров", limit=10)}
        channel = {i.external_id: i for i in store.items.page(source="Канал Дельта", limit=10)}
    finally:
        store.close()
    assert set(group) == {"1", "2"} and set(channel) == {"1"}
    assert group["1"].published_at == dt.datetime(2021, 5, 10, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow
    reply = group["2"]
    assert (reply.author, reply.author_id, reply.reply_to) == ("Мария Участница", "user222", "1")
    assert reply.forwarded_from == "Новостной канал" and reply.links == ("https://news.example.org/a/5",)


def test_cli_a_group_chat_keeps_who_wrote_what_and_the_fuller_of_text_and_entities(db_url: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "telegram-export", str(GROUP), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inserted"] == 3
    store = open_store(db_url)
    try:
        (source,) = {i.source for i in store.items.page(limit=10)}
        stored = {i.external_id: i for i in store.items.page(source=source, limit=10)}
    finally:
        store.close()
    assert [(stored[n].author, stored[n].author_id) for n in "123"] == [
        ("Анна Петрова", "user333"),
        ("Ольга Сидорова", "user444"),
        ("Анна Петрова", "user333"),
    ]
    assert stored["1"].text == "Мужа отправили в часть без подготовки, пишите в бот."
    assert stored["1"].links == ("https://t.me/example_help_bot",)
    assert stored["2"].text == "Нам ответили в прокуратуре, вот письмо, а ещё жалоба ушла в военкомат."
    assert stored["2"].links == ("https://docs.example.org/otvet",) and stored["2"].reply_to == "1"
    forwarded = stored["3"]
    assert (forwarded.forwarded_from, forwarded.forwarded_from_id) == ("Канал помощи", "channel555")
    assert forwarded.edited_at == dt.datetime(2024, 6, 2, 7, 25, tzinfo=dt.UTC)


@pytest.mark.parametrize("account", [False, True])
@pytest.mark.parametrize("spoiled", [b"NaN", b'"\xff\xfe"'])  # not JSON; not UTF-8
def test_a_message_that_is_not_json_is_named_as_such_not_as_a_cut_file(
    tmp_path: Path, account: bool, spoiled: bytes
) -> None:
    export = _export(5)
    export["messages"][2]["extra"] = "SPOILED"
    document = {"chats": {"list": [export]}} if account else export
    path = tmp_path / "result.json"
    path.write_bytes(json.dumps(document, ensure_ascii=False, indent=1).encode().replace(b'"SPOILED"', spoiled))
    records, _ = read_all(path)
    assert [i.external_id for i in items_of(records)] == ["1", "2"]
    (bad,) = bad_of(records)
    assert (bad.line, bad.cause) == (2, "not JSON")
    assert "not JSON inside message 2 of 'Канал'" in bad.reason and "truncated" not in bad.reason


def _old_chat(kind: str) -> dict[str, Any]:
    return {
        "name": "Родительский чат",
        "type": kind,
        "id": 9000000009,
        "messages": [
            {"id": 1, "type": "message", "date": "2019-03-01T15:10:00", "from": None, "from_id": 12345,
             "text": "Сообщение удалённого аккаунта."},
            {"id": 2, "type": "message", "date": "2019-03-01T15:11:00", "edited": "1970-01-01T03:00:00",
             "from": "Хозяйка чата", "from_id": 12346, "text": "Не правилось ни разу."},
        ],
    }  # fmt: skip


@pytest.mark.parametrize("kind", ["private_group", "personal_chat"])
def test_cli_a_deleted_accounts_message_is_nobodys_and_an_epoch_edit_is_no_edit(
    db_url: str, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(_old_chat(kind), ensure_ascii=False), encoding="utf-8")
    args = ["--db", db_url, "ingest", "telegram-export", str(path), "--timezone", "Europe/Moscow"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    store = open_store(db_url)
    try:
        stored = {i.external_id: i for i in store.items.page(source="Родительский чат", limit=10)}
    finally:
        store.close()
    assert (stored["1"].author, stored["1"].author_id) == (None, "12345")  # not the chat's name
    assert (stored["2"].author, stored["2"].edited, stored["2"].edited_at) == ("Хозяйка чата", False, None)


def test_in_a_full_account_export_only_a_channel_owns_its_unsigned_posts(tmp_path: Path) -> None:
    channel = {**_old_chat("public_channel"), "name": "Канал"}
    account = {"chats": {"list": [_old_chat("private_supergroup"), channel]}}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(account, ensure_ascii=False), encoding="utf-8")
    items = items_of(read_all(path, timezone="UTC")[0])
    assert [(i.source, i.author) for i in items if i.external_id == "1"] == [
        ("Родительский чат", None),
        ("Канал", "Канал"),
    ]
