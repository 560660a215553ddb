"""Detect an item's language with lingua, limited to the newsroom's languages (never all: 1.3 GB)."""

from __future__ import annotations

import functools
from typing import Any

VERSION = "language-1"
SURE = 0.7  # below this confidence the source's declared language wins
MIN_LETTERS = 12  # shorter texts are too short to tell Russian from Ukrainian


@functools.cache
def _detector(languages: tuple[str, ...]) -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [IsoCode639_1.from_str(code) for code in languages]
    if len(codes) == 1:
        return None
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect_language(text: str, *, languages: tuple[str, ...], declared: str | None = None) -> str | None:
    """The ISO 639-1 code of `text` among `languages`; the declared code when detection is unsure.

    Raises:
        ValueError: a code in `languages` is not an ISO 639-1 code lingua knows.
    """
    declared = (declared or "").strip().lower()[:2] or None
    langs = tuple(sorted({code.strip().lower() for code in languages if code.strip()}))
    if not langs:
        return declared
    if len(langs) == 1:
        return langs[0]
    try:
        detector = _detector(langs)
    except ValueError as exc:
        raise ValueError(f"unknown language code in {langs!r}: {exc}") from exc
    letters = sum(ch.isalpha() for ch in text[:2000])
    if letters < MIN_LETTERS:
        return declared or None
    values = detector.compute_language_confidence_values(text[:2000])
    if not values:
        return declared
    best = values[0]
    code = str(best.language.iso_code_639_1.name).lower()
    if best.value < SURE and declared in langs:
        return declared
    return code
