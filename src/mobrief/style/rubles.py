"""Find ruble amounts in English brief text and write their dollar values with the house rounding.

Written here rather than taken from a money-parsing library because the house forms are specific: scale words
("2.2 billion rubles"), ranges that share one scale ("1.7-2 million rubles"), adjectival "300,000-ruble
payment", the conversion in square brackets right after the amount, and a rounding rule of three significant
figures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

SCALES = {
    "thousand": 1e3, "k": 1e3,
    "million": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bln": 1e9, "bn": 1e9,
    "trillion": 1e12, "trln": 1e12, "tn": 1e12,
}  # fmt: skip
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"thousand|million|billion|trillion|mln|bln|trln|bn|mn"


def _amount(number: str, scale: str) -> str:
    return rf"(?P<{number}>{_NUMBER})(?:[\s\u00a0]?(?P<{scale}>{_SCALE})\b)?"


_LOW = _amount("low", "low_scale")
_HIGH = _amount("value", "scale")
_DASH = r"\s?[-–—]\s?"
_RUBLE_RE = re.compile(
    rf"(?<![\w.,$€])(?<!\d[\s\u00a0])"  # not the tail of a space-grouped number ("150 000 ₽")
    rf"(?:(?:(?P<range_word>from|between)\s+)?{_LOW}(?P<joint>\s+(?:to|and)\s+|{_DASH})(?=\d))?"
    rf"{_HIGH}(?P<unit>[\s\u00a0]+(?:rubles|ruble|roubles|rouble|RUB)\b|-ruble\b|-rouble\b|[\s\u00a0]?₽)"
    rf"(?P<conv>\s*[\[(](?:about |approx\. |approximately |around |some |nearly |over |from |up to |~)?"
    rf"(?:US)?\$[^\])\n]{{0,80}}[\])])?"
    rf"(?P<per>\s+(?:per|a|each)\s+(?P<period>month|year|day|week|hour)\b)?",
    re.IGNORECASE,
)
# what every unit `_RUBLE_RE` matches holds, in any case (spelled out: IGNORECASE searched several times slower)
_UNIT_HINT = re.compile(r"[Rr](?:[Uu]|[Oo][Uu])[Bb]|₽")
_USD_RE = re.compile(rf"\$\s?({_NUMBER})(?:[\s\u00a0]?({_SCALE})\b)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class RubleAmount:
    """One ruble amount in a text: where it is, its value (a range has `low`), and its conversion if
    written.
    """

    start: int  # first character of the amount (or of "from" in a range)
    end: int  # just past "rubles"/"ruble": where a conversion goes
    text: str
    value: float
    low: float | None = None  # the first end of a range ("from 1.7 million to 2 million rubles")
    per: str | None = None  # "month" in "65,000 rubles per month"
    joined: str = "to"  # "and" for two amounts sharing one unit ("420,000 and 150,000 rubles"), not a range
    conversion: str | None = None  # the bracket as written, e.g. "[$33,200]"
    conversion_start: int = -1
    conversion_end: int = -1
    usd: tuple[float, ...] = ()  # the dollar figures in that bracket


def _scale(word: str | None) -> float:
    return SCALES.get((word or "").lower(), 1.0)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_usd(text: str) -> tuple[float, ...]:
    """Every dollar figure in a conversion or a formatted value: "[$20,900 to $24,600]" → (20900.0,
    24600.0)."""
    return tuple(_number(m.group(1)) * _scale(m.group(2)) for m in _USD_RE.finditer(text))


def _is_year(text: str, m: re.Match[str]) -> bool:
    """ "in 2023 rubles were worth less": a bare year before "rubles" is not an amount."""
    if m.group("scale") or m.group("low") or not re.fullmatch(r"(19|20)\d\d", m.group("value")):
        return False
    return bool(re.search(r"\b(?:in|of|since|by|until|from)\s+$", text[max(0, m.start() - 8) : m.start()], re.I))


def find_ruble_amounts(text: str) -> list[RubleAmount]:
    """Every ruble amount in `text`, in order, with its existing `[$…]` conversion if it has one."""
    found: list[RubleAmount] = []
    if not _UNIT_HINT.search(text):  # most entries name no rubles: the full pattern tries every position
        return found
    for m in _RUBLE_RE.finditer(text):
        if _is_year(text, m):
            continue
        value = _number(m.group("value")) * _scale(m.group("scale"))
        low: float | None = None
        start = m.start()
        joined = "and" if m.group("low") and "and" in m.group("joint") and not m.group("range_word") else "to"
        if m.group("low"):
            low_scale = m.group("low_scale") or (m.group("scale") if not m.group("low_scale") else None)
            raw_low = _number(m.group("low"))
            # "1.7-2 million", "from 1.7 to 2 million": the scale written once applies to both ends, but not
            # in
            # "from 500,000 to 1.5 million" where the first number is already a full amount
            if not m.group("low_scale") and raw_low >= 1000:
                low_scale = None
            low = raw_low * _scale(low_scale)
        conv = m.group("conv")
        unit_end = m.end("unit")
        found.append(
            RubleAmount(
                start=start,
                end=unit_end,
                text=text[start:unit_end],
                value=value,
                low=low,
                per=m.group("period").lower() if m.group("period") else None,
                joined=joined,
                conversion=conv.strip() if conv else None,
                conversion_start=m.start("conv") + (len(conv) - len(conv.lstrip())) if conv else -1,
                conversion_end=m.end("conv") if conv else -1,
                usd=parse_usd(conv) if conv else (),
            )
        )
    return found


def to_usd(rubles: float, rate: float) -> float:
    """Dollars for `rubles` at `rate` rubles per dollar."""
    if rate <= 0:
        raise ValueError(f"an exchange rate must be positive, got {rate}")
    return rubles / rate


def _three_figures(value: float) -> float:
    if value == 0:
        return 0.0
    digits = 3 - math.floor(math.log10(abs(value))) - 1
    return round(value, digits)


def _trim(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text


def format_usd(usd: float) -> str:
    """House rounding: "$21", "$535", "$2,080", "$33,200", "$38.4 million", "$315 million", "$8.22
    billion".
    """
    if usd < 0 or math.isnan(usd) or math.isinf(usd):
        raise ValueError(f"cannot format {usd} dollars")
    if usd < 999.5:
        return f"${round(usd):,}"
    rounded = _three_figures(usd)
    if rounded < 1e6:
        return f"${int(rounded):,}"
    for word, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if rounded >= scale:
            return f"${_trim(_three_figures(rounded / scale))} {word}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_conversion(amount: RubleAmount, rate: float) -> str:
    """The bracket the house writes after `amount`: "[$33,200]", or "[$20,900 to $24,600]" for a range."""
    high = format_usd(to_usd(amount.value, rate))
    if amount.low is None:
        return f"[{high}]"
    return f"[{format_usd(to_usd(amount.low, rate))} {amount.joined} {high}]"


def conversion_error(amount: RubleAmount, rate: float) -> float | None:
    """Relative difference between the written conversion and the one at `rate` (None without a
    conversion)."""
    if not amount.usd:
        return None
    expected = [to_usd(amount.low, rate), to_usd(amount.value, rate)] if amount.low is not None else []
    expected = expected or [to_usd(amount.value, rate)]
    pairs = list(zip(amount.usd, expected, strict=False))
    if len(amount.usd) == 1 and len(expected) == 2:
        pairs = [(amount.usd[0], expected[0])]
    return max(abs(written - want) / want for written, want in pairs if want > 0) if pairs else None
