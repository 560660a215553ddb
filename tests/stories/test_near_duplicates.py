"""Exact keys and near-copies: URLs, Telegram posts, texts, forwards, lightly edited reposts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from urllib.parse import urlsplit

import numpy as np
from datasketch import MinHash, MinHashLSH
from hypothesis import example, given, settings
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
    # a channel whose name starts with "s": only a whole "/s/" segment is the preview's
    assert near_duplicates.telegram_post_key("https://t.me/sotaproject/12") == "tg:sotaproject/12"
    assert near_duplicates.telegram_post_key("https://t.me/s/sotaproject/12") == "tg:sotaproject/12"


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


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(0, 64), min_size=1, max_size=30))
def test_the_band_index_finds_what_datasketch_finds(seed: int, changed: list[int]) -> None:
    # sketches that share a varying number of values with a base sketch, so some share whole bands and some not
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2**32, near_duplicates.NUM_PERM, dtype=np.uint64)
    sketches = {}
    for item_id, count in enumerate(changed, start=1):
        values = base.copy()
        values[rng.choice(near_duplicates.NUM_PERM, count, replace=False)] = rng.integers(0, 2**32, count)
        sketches[item_id] = values
    ours = near_duplicates.NearDuplicateIndex()
    theirs = MinHashLSH(threshold=near_duplicates.NEAR_COPY_THRESHOLD, num_perm=near_duplicates.NUM_PERM)
    for item_id, values in sketches.items():
        ours.add(item_id, values.tolist())
        theirs.insert(item_id, _minhash(values))
    for gone in list(sketches)[::3]:
        ours.remove(gone)
        theirs.remove(gone)
        del sketches[gone]
    probe = _minhash(base)
    expected = sorted(
        ((key, probe.jaccard(_minhash(sketches[key]))) for key in theirs.query(probe)),
        key=lambda hit: (-hit[1], hit[0]),
    )
    assert ours.query(base.tolist()) == [hit for hit in expected if hit[1] >= near_duplicates.NEAR_COPY_THRESHOLD]
    assert len(ours) == len(sketches)


@given(st.lists(st.sampled_from(["а", "б", "в", "слово", "военкомат"]), max_size=40))
def test_shingle_hashes_are_the_distinct_hashes_of_lemma_3grams_in_order(words: list[str]) -> None:
    crc = [zlib.crc32(word.encode()) for word in words]
    grams = {(a * 0x9E3779B1 + b * 0x85EBCA77 + c) & 0xFFFFFFFF for a, b, c in zip(crc, crc[1:], crc[2:], strict=False)}
    assert near_duplicates.shingle_hashes(words) == sorted(grams)


def _minhash(values: np.ndarray) -> MinHash:
    return MinHash(num_perm=near_duplicates.NUM_PERM, hashvalues=values, scheme="affine32")


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
@example("0/ ?")  # a space after the end slash: both go, or the next pass would take the slash
@example("https://t.me/sotaproject/12")  # a channel whose name starts with "s" is not a "/s/" preview
def test_normalize_url_never_fails_and_is_idempotent(url: str) -> None:
    once = near_duplicates.normalize_url(url)
    # what still reads as a scheme or a relative reference was never a URL: it only must not fail
    assert near_duplicates.normalize_url(once) == once or once.startswith(("/", ":", "?")) or urlsplit(once).scheme


@given(st.text(), st.text())
@example("https://[broken/news", "")  # urlsplit raises on an unclosed bracket in the host
@example("https://example.com/?q=\ud800", "текст с обломком суррогатной пары \ud800 " * 3)  # from broken JSON escapes
def test_exact_keys_never_fail(url: str, text: str) -> None:
    keys = near_duplicates.exact_keys(url=url or None, source="s", external_id="1", text=text, raw={})
    assert len(keys) == len(set(keys))
