"""The newsroom's house style (both backends): its own terms merged over the shipped glossary, and the rates it
fetched added to the shipped ones."""

from __future__ import annotations

import datetime as dt

from mobrief.newsroom import glossary, house_style
from mobrief.records import ExchangeRate
from mobrief.store import Store


def test_stored_terms_and_fetched_rates_join_the_shipped_ones(store: Store) -> None:
    shipped = {t.term: t for t in house_style.newsroom_glossary(store)}
    assert "Rosgvardia" in shipped and "Volny Veter" not in shipped
    glossary.add_term(store, "Volny Veter", "Free Wind", russian=["Вольный ветер"])
    glossary.edit_term(store, "Rosgvardia", gloss="Russia's National Guard")
    merged = {t.term: t for t in house_style.newsroom_glossary(store)}
    assert merged["Volny Veter"].gloss == "Free Wind"
    assert merged["Rosgvardia"].gloss == "Russia's National Guard"  # the editors' entry over the shipped one
    assert len(merged) == len(shipped) + 1
    later = dt.date(2031, 1, 5)
    store.rates.save([ExchangeRate(date=later, currency="USD", rate=123.45)])
    assert house_style.newsroom_rates(store).rate_on(later + dt.timedelta(days=1)) == 123.45
    assert house_style.newsroom_rates(store).rate_on(dt.date(2024, 6, 3)) == 90.1915  # shipped rows stay
