"""One outlet, one name: what filters and attributions call a source. Stored aliases come first, then the
glossary's outlets (their Russian forms → the house spelling), then the house transliteration, so "Медиазона"
and "Mediazona" show as one outlet."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping

from mobrief.brief import house_style
from mobrief.store import Store
from mobrief.style import glossary
from mobrief.style.transliteration import transliterate

_CYRILLIC = re.compile("[А-яЁё]")


GLOSSARY_TTL = 60.0  # seconds a process keeps the glossary's spellings: merging it costs milliseconds a page
_overrides: dict[int, tuple[float, dict[str, str]]] = {}


def _glossary_overrides(store: Store) -> dict[str, str]:
    """The glossary's Russian form → house spelling, kept a minute per store (a new term shows within it)."""
    now = time.monotonic()
    kept = _overrides.get(id(store))
    if kept is None or now - kept[0] > GLOSSARY_TTL:
        kept = (now, glossary.overrides_from(house_style.newsroom_glossary(store)))
        _overrides[id(store)] = kept
    return kept[1]


class OutletNames:
    """Source name → outlet name, for one request (aliases can change between requests)."""

    def __init__(self, aliases: Mapping[str, str], overrides: Mapping[str, str]) -> None:
        self.aliases = dict(aliases)
        self.overrides = dict(overrides)
        self._cache: dict[str, str] = {}

    @classmethod
    def of(cls, store: Store) -> OutletNames:
        return cls(store.outlet_aliases.all(), _glossary_overrides(store))

    def name(self, source: str) -> str:
        """The outlet a source name stands for, as the brief names it."""
        found = self._cache.get(source)
        if found is None:
            found = self.aliases.get(source) or self.overrides.get(source)
            if found is None:
                found = transliterate(source, self.overrides) if _CYRILLIC.search(source) else source
            self._cache[source] = found
        return found

    def names(self, sources: Iterable[str]) -> list[str]:
        """Outlet names of several sources, each once, in order."""
        return list(dict.fromkeys(self.name(s) for s in sources))

    def sources_of(self, outlet: str, all_sources: Iterable[str]) -> tuple[str, ...]:
        """Every stored source name that stands for `outlet` (itself included when it is one)."""
        return tuple(s for s in all_sources if s == outlet or self.name(s) == outlet)
