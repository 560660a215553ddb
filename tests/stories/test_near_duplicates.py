"""Exact keys and near-copies: URLs, Telegram posts, texts, forwards, lightly edited reposts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from hypothesis import example, given
from hypothesis import strategies as st

from mobrief import lemmas
from mobrief.stories import near_duplicates

TEXT = (
    "Власти Тамбовской области увеличили единовременную выплату добровольцам, подписавшим контракт "
    "с Министерством обороны, до 3 млн рублей. Об этом сообщил губернатор региона."
)


def test_normalize_url_drops_what_does_not_name_the_page() -> None:
    assert near_duplicates.normalize_url("https://www.Example.com/news/1/?utm_source=tg&id=7#top") == (
        "example.com/news/1?id=7"
    )
    assert near_duplicates.normalize_url("http://m.example.com/news/1") == "example.com/news/1"
    assert near_duplicates.normalize_url("https://example.com/news/1/amp") == "example.com/news/1"


def test_telegram_post_key_reads_preview_and_post_links() -> None:
    assert near_duplicates.telegram_post_key("https://t.me/s/verstka_media/812") == "tg:verstka_media/812"
    assert near_duplicates.telegram_post_key("https://telegram.me/Verstka_Media/812?single") == ("tg:verstka_media/812")
    assert near_duplicates.telegram_post_key("https://t.me/verstka_media") is None
    assert near_duplicates.telegram_post_key(None) is None


def test_text_key_folds_case_spacing_and_yo_but_skips_short_texts() -> None:
    assert near_duplicates.text_key(TEXT) == near_duplicates.text_key("  " + TEXT.upper().replace(" ", "\n "))
    assert near_duplicates.text_key("Ещё одна") is None
    assert near_duplicates.text_key("Фото") is None


def test_a_forward_shares_the_originals_keys() -> None:
    original = near_duplicates.exact_keys(
        url="https://t.me/verstka_media/812", source="Вёрстка", external_id="812", text=TEXT, raw={}
    )
    forward = near_duplicates.exact_keys(
        url="https://t.me/other_channel/55",
        source="Другой канал",
        external_id="55",
        text=TEXT,
        raw={"forwarded_from": "Вёрстка", "forwarded_from_url": "https://t.me/verstka_media/812"},
    )
    assert "tg:verstka_media/812" in forward
    assert set(original) & set(forward) >= {"tg:verstka_media/812", near_duplicates.text_key(TEXT)}


def test_near_copy_is_found_and_a_retelling_is_not() -> None:
    index = near_duplicates.NearDuplicateIndex()
    index.add(1, near_duplicates.sketch_of(lemmas.lemmatize(TEXT)))
    repost = "Срочно! " + TEXT + " Подписывайтесь на наш канал."
    retelling = (
        "Губернатор Тамбовской области подписал постановление о повышении региональной выплаты для "
        "граждан, заключивших контракт на военную службу: теперь это 3 миллиона рублей."
    )
    hits = index.query(near_duplicates.sketch_of(lemmas.lemmatize(repost)))
    assert [item_id for item_id, _ in hits] == [1]
    assert index.query(near_duplicates.sketch_of(lemmas.lemmatize(retelling))) == []
    index.remove(1)
    assert index.query(near_duplicates.sketch_of(lemmas.lemmatize(repost))) == []
    assert len(index) == 0


def test_sketch_is_the_same_in_every_process() -> None:
    # crc32, not hash(): a stored sketch must match one computed after a restart
    code = (
        "import json, sys; from mobrief import lemmas; from mobrief.stories import near_duplicates as n; "
        "print(json.dumps(n.sketch_of(lemmas.lemmatize(sys.argv[1]))))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, TEXT], capture_output=True, text=True, env=env, check=True)
    assert tuple(json.loads(out.stdout)) == near_duplicates.sketch_of(lemmas.lemmatize(TEXT))
    assert near_duplicates.shingle_hashes(["а", "б", "в"]) == [1399997474]
    assert near_duplicates.sketch_of(["слово"]) == ()


@given(st.text())
@example("/\x1b")  # urlsplit strips a leading C0 control; the first pass must not leave one behind
def test_normalize_url_never_fails_and_is_idempotent(url: str) -> None:
    once = near_duplicates.normalize_url(url)
    assert near_duplicates.normalize_url(once) == once or once.startswith(("/", ":", "?"))


@given(st.text(), st.text())
def test_exact_keys_never_fail(url: str, text: str) -> None:
    keys = near_duplicates.exact_keys(url=url or None, source="s", external_id="1", text=text, raw={})
    assert len(keys) == len(set(keys))
