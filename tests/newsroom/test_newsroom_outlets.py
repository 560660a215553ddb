"""The newsroom's outlet names (both backends): an alias an editor stores shows at once; a glossary term within
the minute a process keeps the glossary's spellings."""

from __future__ import annotations

import pytest

from mobrief.newsroom import glossary, outlets
from mobrief.store import Store


def test_an_alias_shows_at_once_and_the_glossary_within_a_minute(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    assert outlets.outlet_names(store).name("Уральский курьер") == "Uralsky kuryer"
    store.outlet_aliases.set("uralsky_tg", "Uralsky Kuryer")
    glossary.add_term(store, "Uralsky Kuryer", "regional outlet", kind="outlet", russian=["Уральский курьер"])
    names = outlets.outlet_names(store)
    assert names.name("uralsky_tg") == "Uralsky Kuryer"  # the alias shows at once
    assert names.name("Уральский курьер") == "Uralsky kuryer"  # the glossary as read a moment ago
    monkeypatch.setattr(outlets, "GLOSSARY_TTL", -1.0)  # as if the minute had passed
    assert outlets.outlet_names(store).name("Уральский курьер") == "Uralsky Kuryer"
