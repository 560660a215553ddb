"""Official Bank of Russia exchange rates: the shipped table, rows added to the database, and the bank's XML
service.

A rate row applies from its date until the next row (see the bank's publication calendar), so a lookup takes
the most recent row on or before the day; a day before the first row or long after the last one is an error,
never a guess.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from importlib import resources

import httpx

from mobrief.errors import MobriefError, SourceUnavailable
from mobrief.records import ExchangeRate

# A day more than this past the last row means the table is out of date (ordinary pauses are 1–4 days).
MAX_STALE_DAYS = 10
CBR_DAILY_URL = "https://www.cbr.ru/scripts/XML_daily.asp"
CBR_DYNAMIC_URL = "https://www.cbr.ru/scripts/XML_dynamic.asp"
CBR_CODES = {"USD": "R01235", "EUR": "R01239"}


class RateUnavailable(MobriefError):
    """No official rate is known for that day and currency."""


def load_shipped_rates() -> list[ExchangeRate]:
    """The rates shipped with mobrief (`style/data/cbr_usd_rub.csv`)."""
    text = resources.files("mobrief.style").joinpath("data/cbr_usd_rub.csv").read_text(encoding="utf-8")
    return [
        ExchangeRate(date=dt.date.fromisoformat(row["date"]), currency=row["currency"], rate=float(row["rate"]))
        for row in csv.DictReader(io.StringIO(text))
    ]


@functools.cache
def _shipped() -> tuple[ExchangeRate, ...]:
    return tuple(load_shipped_rates())


class RateTable:
    """Rates by currency, each a sorted list of (date from which it applies, rubles per unit)."""

    def __init__(self, rates: Iterable[ExchangeRate]) -> None:
        by_currency: dict[str, dict[dt.date, float]] = {}
        for rate in rates:
            by_currency.setdefault(rate.currency.upper(), {})[rate.date] = rate.rate
        self._dates = {cur: sorted(rows) for cur, rows in by_currency.items()}
        self._rates = {cur: [rows[d] for d in self._dates[cur]] for cur, rows in by_currency.items()}

    @classmethod
    def shipped(cls, extra: Iterable[ExchangeRate] = ()) -> RateTable:
        """The shipped table with `extra` rows (from the database) added; extra rows win on the same date."""
        return cls([*_shipped(), *extra])

    def currencies(self) -> list[str]:
        return sorted(self._dates)

    def span(self, currency: str = "USD") -> tuple[dt.date, dt.date] | None:
        dates = self._dates.get(currency.upper())
        return (dates[0], dates[-1]) if dates else None

    def row_on(self, day: dt.date, currency: str = "USD") -> ExchangeRate:
        """The row in force on `day`; RateUnavailable outside the table."""
        cur = currency.upper()
        dates = self._dates.get(cur)
        if not dates:
            raise RateUnavailable(f"no {cur} rates are known; run `mobrief rates update`")
        if day < dates[0]:
            raise RateUnavailable(f"no {cur} rate for {day}: the table starts on {dates[0]}")
        index = bisect.bisect_right(dates, day) - 1
        if (day - dates[index]).days > MAX_STALE_DAYS and index == len(dates) - 1:
            raise RateUnavailable(f"no {cur} rate for {day}: the table ends on {dates[-1]}; run `mobrief rates update`")
        return ExchangeRate(date=dates[index], currency=cur, rate=self._rates[cur][index])

    def rate_on(self, day: dt.date, currency: str = "USD") -> float:
        """Rubles per unit of `currency` in force on `day` (the most recent row on or before it)."""
        return self.row_on(day, currency).rate


def _number(text: str) -> float:
    return float(text.strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))


def _day(text: str) -> dt.date:
    day, month, year = text.strip().split(".")
    return dt.date(int(year), int(month), int(day))


def parse_cbr_xml(body: bytes, currency: str = "USD") -> list[ExchangeRate]:
    """Rows from a Bank of Russia XML_daily.asp (`ValCurs`/`Valute`) or XML_dynamic.asp (`ValCurs`/`Record`)
    answer.

    The bytes carry their own encoding declaration (windows-1251); values use decimal commas and are per
    `Nominal`.
    """
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceUnavailable("Bank of Russia XML", f"not XML: {exc}") from exc
    if root.tag != "ValCurs":
        raise SourceUnavailable("Bank of Russia XML", f"unexpected root element <{root.tag}>")
    cur = currency.upper()
    rows: list[ExchangeRate] = []
    records = root.findall("Record")
    if records:  # XML_dynamic: one currency, one Record per date
        for record in records:
            nominal = _number(record.findtext("Nominal") or "1")
            value = _number(record.findtext("Value") or "")
            rows.append(ExchangeRate(date=_day(record.get("Date", "")), currency=cur, rate=round(value / nominal, 4)))
        return rows
    day = _day(root.get("Date", ""))
    for valute in root.findall("Valute"):
        if (valute.findtext("CharCode") or "").strip().upper() != cur:
            continue
        nominal = _number(valute.findtext("Nominal") or "1")
        value = _number(valute.findtext("Value") or "")
        rows.append(ExchangeRate(date=day, currency=cur, rate=round(value / nominal, 4)))
    return rows


def fetch_cbr_rates(
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    currency: str = "USD",
    url: str | None = None,
    timeout: float = 20.0,
) -> list[ExchangeRate]:
    """Rates from the bank's XML service: XML_dynamic.asp for a range, XML_daily.asp for one day (or today).

    `url` points at another server speaking the same format (a mirror, or a test server).
    """
    cur = currency.upper()
    if start is not None:
        end = end or dt.date.today()
        target = url or CBR_DYNAMIC_URL
        params = {
            "date_req1": start.strftime("%d/%m/%Y"),
            "date_req2": end.strftime("%d/%m/%Y"),
            "VAL_NM_RQ": CBR_CODES.get(cur, cur),
        }
    else:
        target = url or CBR_DAILY_URL
        params = {"date_req": end.strftime("%d/%m/%Y")} if end else {}
    try:
        response = httpx.get(target, params=params, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise SourceUnavailable(target, f"request failed: {exc}") from exc
    if response.status_code != 200:
        raise SourceUnavailable(target, f"HTTP {response.status_code}")
    rows = parse_cbr_xml(response.content, cur)
    if start is not None:
        rows = [r for r in rows if start <= r.date <= (end or r.date)]
    return rows
