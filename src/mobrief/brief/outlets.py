"""One outlet, one name: what filters and attributions call a source. Stored aliases come first, then the
glossary's outlets (their Russian forms → the house spelling), then the house transliteration, so "Медиазона"
and "Mediazona" show as one outlet. `newsroom.outlets` reads the aliases and the glossary through the store."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from mobrief.style.transliteration import transliterate

_CYRILLIC = re.compile("[А-яЁё]")


class OutletNames:
    """Source name → outlet name, for one request (aliases can change between requests)."""

    def __init__(self, aliases: Mapping[str, str], overrides: Mapping[str, str]) -> None:
        self.aliases = dict(aliases)
        self.overrides = dict(overrides)
        self._cache: dict[str, str] = {}

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
