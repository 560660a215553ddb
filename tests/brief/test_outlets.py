"""One outlet, one name, over what it is given: an editors' alias first, then the glossary's spelling, then the
house transliteration."""

from __future__ import annotations

from mobrief.brief.outlets import OutletNames


def test_an_alias_wins_then_the_glossary_then_transliteration() -> None:
    names = OutletNames({"mediazona_tg": "Mediazona"}, {"Медиазона": "Mediazona", "Вёрстка": "Verstka"})
    assert names.name("mediazona_tg") == "Mediazona"  # the editors' alias
    assert names.name("Медиазона") == "Mediazona"  # the glossary's spelling
    assert names.name("Уральский курьер") == "Uralsky kuryer"  # transliterated in house style
    assert names.name("Meduza") == "Meduza"  # a Latin name as it is
    assert names.names(["Медиазона", "mediazona_tg", "Вёрстка"]) == ["Mediazona", "Verstka"]
    sources = ["Медиазона", "mediazona_tg", "Вёрстка", "Mediazona"]
    assert names.sources_of("Mediazona", sources) == ("Медиазона", "mediazona_tg", "Mediazona")
