"""Numbers as the house writes them in English: rubles, prison terms, head counts, ages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def number(value: float) -> str:
    """1700000 → "1.7 million", 419600 → "419,600", 2.5 → "2.5"."""
    for word, scale in (("billion", 1e9), ("million", 1e6)):
        if value >= scale:
            return f"{value / scale:.3f}".rstrip("0").rstrip(".") + f" {word}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def count(value: float) -> str:
    """A head count or small number: words below ten, as the house writes them ("two", "15")."""
    n = int(value)
    return _SMALL[n] if n == value and 0 <= n < 10 else number(value)


def rubles(amount: Mapping[str, Any]) -> str:
    """A ruble amount from enrichment: "2 million rubles", "from 1.7 million to 2 million rubles" (the brief's
    house style adds the dollar value when the entry is composed)."""
    value, value_to = float(amount["value"]), amount.get("value_to")
    if value_to is not None and float(value_to) != value:
        text = f"from {number(value)} to {number(float(value_to))} rubles"
    else:
        text = f"{number(value)} rubles"
    if amount.get("per"):
        text += f" per {amount['per']}"
    return text


def term(months: float, written: str = "") -> str:
    """A prison term in months as the house writes it: "12 years", "6 years and 6 months", "10 months"; a half year
    the report writes as a fraction («8,5 года», «восьми с половиной лет») stays one: "8.5 years"."""
    years, rest = divmod(round(months), 12)
    if years and rest == 6 and re.search(r"\d[,.]5|половин", written):
        return f"{years}.5 years"
    parts = []
    if years:
        parts.append(f"{years} year{'s' * (years != 1)}")
    if rest:
        parts.append(f"{rest} month{'s' * (rest != 1)}")
    return " and ".join(parts) or "0 months"


def people(value: float, noun: str = "people") -> str:
    """A head count: "15 people", "about 600,000 people"."""
    return f"{count(value)} {noun}"
