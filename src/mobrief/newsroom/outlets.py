"""One outlet, one name, as the newsroom spells it: the editors' stored aliases and the glossary's outlets, read
through the store, for the pages that filter and attribute by outlet (see `brief.outlets.OutletNames`)."""

from __future__ import annotations

import time

from mobrief.brief.outlets import OutletNames
from mobrief.newsroom import house_style
from mobrief.store import Store
from mobrief.style import glossary

GLOSSARY_TTL = 60.0  # seconds a process keeps the glossary's spellings: merging it costs milliseconds a page
_overrides: dict[int, tuple[float, dict[str, str]]] = {}


def outlet_names(store: Store) -> OutletNames:
    """Source name → outlet name, for one request (aliases can change between requests)."""
    aliases = store.kept.get("outlet_aliases", store.outlet_aliases.all)  # read again after any commit
    return OutletNames(aliases, _glossary_overrides(store))


def _glossary_overrides(store: Store) -> dict[str, str]:
    """The glossary's Russian form → house spelling, kept a minute per store (a new term shows within it)."""
    now = time.monotonic()
    kept = _overrides.get(id(store))
    if kept is None or now - kept[0] > GLOSSARY_TTL:
        kept = (now, glossary.overrides_from(house_style.newsroom_glossary(store)))
        _overrides[id(store)] = kept
    return kept[1]
