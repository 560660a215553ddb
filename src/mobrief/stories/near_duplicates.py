"""Find copies: the same URL, Telegram post or text, a forward, or a near-copy with a few words changed.

Near-copies use datasketch's MinHash LSH over hashed lemma 3-grams. The hashes are crc32, not Python's
`hash()`, so a signature computed in one process matches one computed in another.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from array import array
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from datasketch import MinHash, MinHashLSH

from mobrief.records import DIGEST_OF

NUM_PERM = 64
SHINGLE = 3
NEAR_COPY_THRESHOLD = 0.6  # estimated Jaccard of lemma 3-grams: a reworded repost, not a report in other words
MIN_SHINGLES = 8  # a text of a few words is too short to call a near-copy
MIN_HASHED_TEXT = 60  # "Фото", "Срочно": short texts are equal without being the same story
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|ref|from|rss|amp|_openstat)$", re.IGNORECASE)
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")
_TELEGRAM_HOSTS = {"t.me", "telegram.me", "telegram.dog"}
_SPACE = re.compile(r"\s+")
# what urlsplit strips from a URL's start (C0 controls and space), and any other whitespace
_C0_CONTROL_OR_SPACE = "".join(c for c in map(chr, range(0x3001)) if c <= " " or c.isspace())
_PATH_END = "/" + _C0_CONTROL_OR_SPACE  # an end slash, and what would be stripped after it
_INDEX_PAGES = ("/amp", "/index.html", "/index.php")


def normalize_url(url: str) -> str:
    """A URL reduced to what names the page: no scheme, `www.`/`m.`/`amp.`, tracking, fragment, end slash.

    Normalising a result again leaves it as it is.
    """
    stripped = url.strip(_C0_CONTROL_OR_SPACE)
    try:
        parts = urlsplit(stripped)
    except ValueError:  # an unclosed "[" in the host reads as a broken IPv6 address: the text is the key
        return stripped
    host = parts.netloc.lower().split("@")[-1]
    if host.endswith((":80", ":443")):
        host = host.rsplit(":", 1)[0]
    while host.startswith(_HOST_PREFIXES):
        host = host.split(".", 1)[1]
    path = parts.path
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    path = path.rstrip(_PATH_END)
    while path.endswith(_INDEX_PAGES):
        path = path.rsplit("/", 1)[0].rstrip(_PATH_END)
    query = ""
    if parts.query:
        try:
            query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)))
        except UnicodeEncodeError:  # a lone surrogate (broken JSON escapes): the query as written is the key
            query = parts.query
    if host in _TELEGRAM_HOSTS:
        host = "t.me"
        if path.startswith("/s/"):  # the channel's web preview of the same post
            path = path[2:]
        query = ""
    # a result must not start or end with what urlsplit would strip: normalising it again must not change it
    return urlunsplit(("", host, path, query, "")).lstrip("/").strip(_C0_CONTROL_OR_SPACE)


def telegram_post_key(url: str | None) -> str | None:
    """`tg:channel/123` for a link to one Telegram post (t.me/channel/123 or t.me/s/channel/123)."""
    if not url:
        return None
    return _post_key(normalize_url(url))


_POST_RE = re.compile(r"t\.me/([A-Za-z0-9_]{4,})/(\d+)")


def _post_key(normalized: str) -> str | None:
    if not normalized.startswith("t.me/"):
        return None
    match = _POST_RE.fullmatch(normalized)
    if match is None:
        return None
    return f"tg:{match.group(1).lower()}/{match.group(2)}"


def text_key(text: str) -> str | None:
    """A hash of the text with case and spacing folded; None for texts too short to identify a story."""
    folded = " ".join(text.lower().replace("ё", "е").split())  # runs of whitespace as one space
    if len(folded) < MIN_HASHED_TEXT:
        return None
    return "text:" + hashlib.sha256(folded.encode(errors="surrogatepass")).hexdigest()[:32]


def exact_keys(*, url: str | None, source: str, external_id: str, text: str, raw: Mapping[str, Any]) -> tuple[str, ...]:
    """Every key under which another item is certainly the same report: its URL, its Telegram post, its text.

    A forwarded Telegram post carries the original's text (so the text key joins them) and, when the
    export says which post it copies, the original's post key too.
    """
    keys: list[str] = []
    if url and not (isinstance(raw, Mapping) and DIGEST_OF in raw):  # a digest's parts share the post's URL
        normalized = normalize_url(url)
        keys.append("url:" + normalized)
        post = _post_key(normalized)
        if post:
            keys.append(post)
    hashed = text_key(text)
    if hashed:
        keys.append(hashed)
    forwarded = raw.get("forwarded_from") if isinstance(raw, Mapping) else None
    original = raw.get("forwarded_from_url") or raw.get("forward_url") if isinstance(raw, Mapping) else None
    if isinstance(original, str):
        post = telegram_post_key(original)
        if post:
            keys.append(post)
    if isinstance(forwarded, str) and forwarded.strip() and hashed:
        # the same forwarded text from the same origin, even if the forwarding channel added a signature line
        first = _SPACE.sub(" ", text.strip().split("\n", 1)[0].lower())
        if len(first) >= MIN_HASHED_TEXT:
            forwarded_hash = hashlib.sha256(f"{forwarded.lower()}\n{first}".encode(errors="surrogatepass"))
            keys.append("fwd:" + forwarded_hash.hexdigest()[:32])
    return tuple(dict.fromkeys(keys))


_word_hashes: dict[str, int] = {}  # lemma → crc32; a plain dict is the fastest lookup on this hot path


def _word_hash(word: str) -> int:
    if len(_word_hashes) >= 300_000:
        _word_hashes.clear()
    value = _word_hashes[word] = zlib.crc32(word.encode())
    return value


def shingle_hashes(lemma_list: Sequence[str]) -> list[int]:
    """Distinct 32-bit hashes of the lemma 3-grams of a text, combined from each lemma's crc32."""
    return [int(x) for x in _shingle_array(lemma_list)]


def _shingle_array(lemma_list: Sequence[str]) -> Any:
    if len(lemma_list) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    get = _word_hashes.get
    words = np.fromiter([get(w) or _word_hash(w) for w in lemma_list], dtype=np.uint64, count=len(lemma_list))
    grams = np.sort((words[:-2] * _MIX_A + words[1:-1] * _MIX_B + words[2:]) & _MASK32)
    return grams[np.concatenate(([True], grams[1:] != grams[:-1]))]  # np.unique, three times faster this small


_MIX_A = np.uint64(0x9E3779B1)
_MIX_B = np.uint64(0x85EBCA77)
_MASK32 = np.uint64(0xFFFFFFFF)


def _identity(value: int) -> int:
    return value


@functools.cache
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity)


def sketch_of(lemma_list: Sequence[str]) -> tuple[int, ...]:
    """The MinHash values of a text's lemma 3-grams (crc32 in place of datasketch's sha1); () if too short."""
    shingles = _shingle_array(lemma_list)
    if len(shingles) < MIN_SHINGLES:
        return ()
    return tuple(_min_hashes(shingles).tolist())


_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _min_hashes(shingles: Any) -> Any:
    """What datasketch's `MinHash.update_batch` computes for its default scheme, on all shingles at once.

    datasketch calls the hash function once per value in Python; this is the same arithmetic (the
    MurmurHash3 finaliser, then each affine permutation mod 2^32, then the minimum) as array operations.
    """
    a, b = _template().permutations
    values = shingles.astype(np.uint32).reshape(-1, 1)
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    values = values ^ (values >> s3)
    return (values * a + b).min(axis=0)


class NearDuplicateIndex:
    """MinHash LSH over the items still inside the clustering window; items leave when their story does.

    The banding (b bands of r values each) is the one datasketch's `MinHashLSH` picks for the threshold, and a
    query finds the items it would find. The band tables are plain dicts of a band's bytes, not datasketch's
    own: its insert, query and remove go through a storage layer that cost 90 µs per clustered item, a sixth
    of assignment, where these cost a few.
    """

    def __init__(self, threshold: float = NEAR_COPY_THRESHOLD) -> None:
        self.threshold = threshold
        # byte offsets of each band in a sketch's uint32 values
        self._bands = [(4 * start, 4 * end) for start, end in MinHashLSH(threshold, num_perm=NUM_PERM).hashranges]
        self._tables: list[dict[bytes, set[int]]] = [{} for _ in self._bands]
        self._sketches: dict[int, bytes] = {}  # item id → its MinHash values as uint32 bytes

    def __len__(self) -> int:
        return len(self._sketches)

    def add(self, item_id: int, sketch: Sequence[int]) -> None:
        if item_id in self._sketches or len(sketch) != NUM_PERM:
            return
        raw = self._sketches[item_id] = array("I", sketch).tobytes()
        for (start, end), table in zip(self._bands, self._tables, strict=True):
            band = raw[start:end]
            found = table.get(band)
            if found is None:
                table[band] = {item_id}
            else:
                found.add(item_id)

    def remove(self, item_id: int) -> None:
        raw = self._sketches.pop(item_id, None)
        if raw is None:
            return
        for (start, end), table in zip(self._bands, self._tables, strict=True):
            band = raw[start:end]
            found = table[band]
            found.discard(item_id)
            if not found:
                del table[band]

    def query(self, sketch: Sequence[int]) -> list[tuple[int, float]]:
        """Indexed items whose estimated Jaccard similarity reaches the threshold, most similar first."""
        if len(sketch) != NUM_PERM or not self._sketches:
            return []
        raw = array("I", sketch).tobytes()
        hits: set[int] = set()
        for (start, end), table in zip(self._bands, self._tables, strict=True):
            found = table.get(raw[start:end])
            if found:
                hits.update(found)
        found_items = []
        probe = np.frombuffer(raw, dtype=np.uint32)
        for item_id in hits:
            # the share of equal values, as `MinHash.jaccard` estimates it
            similarity = (
                float(np.count_nonzero(probe == np.frombuffer(self._sketches[item_id], dtype=np.uint32))) / NUM_PERM
            )
            if similarity >= self.threshold:
                found_items.append((item_id, similarity))
        return sorted(found_items, key=lambda x: (-x[1], x[0]))
