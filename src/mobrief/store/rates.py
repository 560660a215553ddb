"""Rows of `exchange_rates`: official rates fetched after the shipped table was made, one per date and
currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mobrief.records import ExchangeRate
from mobrief.store.database import reading
from mobrief.store.schema import exchange_rates


class RateRepository:
    """Stored exchange rates; `save` is idempotent (a date already stored gets the new value)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, rates: Iterable[ExchangeRate]) -> tuple[int, int]:
        """Store rows; returns (new, changed) counts."""
        new = changed = 0
        with self.engine.begin() as conn:
            for rate in rates:
                key = (exchange_rates.c.date == rate.date) & (exchange_rates.c.currency == rate.currency.upper())
                old = conn.execute(sa.select(exchange_rates.c.rate).where(key)).scalar()
                if old is None:
                    conn.execute(
                        exchange_rates.insert().values(date=rate.date, currency=rate.currency.upper(), rate=rate.rate)
                    )
                    new += 1
                elif abs(float(old) - rate.rate) > 1e-9:
                    conn.execute(exchange_rates.update().where(key).values(rate=rate.rate))
                    changed += 1
        return new, changed

    def all(self, currency: str | None = None) -> list[ExchangeRate]:
        """Every stored row, oldest first (only `currency` when given)."""
        query = sa.select(exchange_rates).order_by(exchange_rates.c.date, exchange_rates.c.currency)
        if currency:
            query = query.where(exchange_rates.c.currency == currency.upper())
        with reading(self.engine) as conn:
            return [
                ExchangeRate(date=row.date, currency=row.currency, rate=float(row.rate)) for row in conn.execute(query)
            ]

    def between(self, start: dt.date, end: dt.date, currency: str = "USD") -> list[ExchangeRate]:
        """Stored rows of `currency` from `start` to `end` inclusive."""
        query = (
            sa.select(exchange_rates)
            .where(exchange_rates.c.currency == currency.upper())
            .where(exchange_rates.c.date >= start)
            .where(exchange_rates.c.date <= end)
            .order_by(exchange_rates.c.date)
        )
        with reading(self.engine) as conn:
            return [
                ExchangeRate(date=row.date, currency=row.currency, rate=float(row.rate)) for row in conn.execute(query)
            ]
