"""The brief's section taxonomy: canonical keys in house order, the heading printed for each, all seen."""

from __future__ import annotations

import re

from mobrief import records

SECTION_ORDER: tuple[str, ...] = (
    "special",
    "authorities",
    "recruitment",
    "soldiers",
    "legal",
    "children",
    "longreads",
)

# Stored for paragraphs printed under no heading (many 2025–26 briefs); exported as `key: null`.
UNHEADED = records.UNHEADED

CURRENT_HEADINGS: dict[str, str] = {
    "authorities": "Authorities and Relatives of Mobilized Soldiers",
    "recruitment": "Army Recruitment",
    "soldiers": "Mobilized Soldiers, Volunteer Fighters and Contract Soldiers",
    "legal": "Sentences, Legal Proceedings and Incidents",
    "children": "Children and Educational System",
    "longreads": "Longreads",
}

# Every heading the archive has printed for a stable section, newest first within a key.
HEADINGS_SEEN: dict[str, tuple[str, ...]] = {
    "authorities": (
        "Authorities and Relatives of Mobilized Soldiers",
        "Authorities and Legislation",
        "Statements by Authorities and Legislation",
        "Putin’s Statements and Legislation",
        "State Duma",
    ),
    "recruitment": (
        "Army Recruitment",
        "Army Recruitment and Military Service Advertising",
        "Recruitment and Military Service Advertising",
        "Recruitment to the Armed Forces and Military Service Advertising",
        "Military Service Advertising, Volunteer Fighters’ Recruitment and Draft Notices",
        "Military Service Advertising",
        "Digital Draft Notices",
        "Draft Notices",
    ),
    "soldiers": (
        "Mobilized Soldiers, Volunteer Fighters and Contract Soldiers",
        "Mobilized Soldiers and Volunteer Fighters",
        "Mobilized Soldiers, Contract Soldiers and Conscripts",
    ),
    "legal": ("Sentences, Legal Proceedings and Incidents",),
    "children": ("Children and Educational System",),
    "longreads": ("Longreads",),
}

# One-off topical sections seen in the archive: they sort first, under their own heading.
SPECIAL_HEADINGS_SEEN: tuple[str, ...] = (
    "Three Years of Full-Scale War",
    "Kursk Region and Border Areas",
    "Direct Line with Putin",
    "Crocus City Hall Terrorist Attack",
    "Russia’s “Presidential Election”",
    "Incidents at Polling Stations",
    "Alexei Navalny’s Death",
    "Protests in Bashkortostan",
    "Prigozhin’s Armed Rebellion: Consequences",
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "\u00a0": " "})


def normalize_heading(heading: str) -> str:
    """A heading reduced for comparison: straight quotes, single spaces, no trailing colon, lower case."""
    text = re.sub(r"\s+", " ", heading.translate(_QUOTES)).strip()
    return text.rstrip(":").strip().lower()


_KEY_BY_HEADING: dict[str, str] = {
    normalize_heading(heading): key for key, headings in HEADINGS_SEEN.items() for heading in headings
}
_SPECIAL = frozenset(normalize_heading(heading) for heading in SPECIAL_HEADINGS_SEEN)


def section_key(heading: str | None) -> str:
    """The canonical key of a printed heading; a heading we do not know is a one-off ("special") one."""
    if heading is None or not heading.strip():
        return UNHEADED
    return _KEY_BY_HEADING.get(normalize_heading(heading), "special")


def is_known_heading(text: str) -> bool:
    """True when `text` is a heading the archive has printed (stable or one-off)."""
    normalized = normalize_heading(text)
    return normalized in _KEY_BY_HEADING or normalized in _SPECIAL


def heading_for(key: str) -> str:
    """The heading mobrief prints today for a stable section key.

    Raises:
        KeyError: for "special" (each topical section brings its own heading) and for unknown keys.
    """
    if key not in CURRENT_HEADINGS:
        raise KeyError(f"no standing heading for section key {key!r}")
    return CURRENT_HEADINGS[key]


def order_of(key: str) -> int:
    """Where a section with `key` goes in a brief (unheaded and unknown keys go last)."""
    return SECTION_ORDER.index(key) if key in SECTION_ORDER else len(SECTION_ORDER)
