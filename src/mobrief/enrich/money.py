"""Find sums of money, counts of people and prison terms in Russian and English text.

Written with regular expressions and the cached lemmatiser rather than a library: no offline parser reads
«от 1,7 до 2 млн руб.», «2 800 000 рублей», «двум с половиной годам колонии» and "$550 million" alike, and the
rules stay small enough to test property by property (the parser must never crash on any text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mobrief import lemmas
from mobrief.records import Amount

VERSION = "money-4"

_SPACE = r"[ \u00a0\u202f]"
# digits: Russian thousands by (narrow) spaces, English by commas; decimals by comma (ru) or point
_NUM = rf"(?:\d{{1,3}}(?:{_SPACE}\d{{3}})+|\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)(?:[.,]\d+)?"
_MULT = (
    r"(?:тыс(?:яч[а-яё]*|\.)?|млн\.?|миллион[а-яё]*|млрд\.?|миллиард[а-яё]*|трлн\.?|триллион[а-яё]*"
    r"|thousand|million|mln|billion|bln|bn|trillion)(?![а-яёa-z])"
)
_CUR = (
    r"(?:руб(?:л[а-яё]*|\.)?|р\.(?!\w)|₽|доллар[а-яё]*|долл\.|\$|евро|€|rubles?|roubles?|dollars?|euros?"
    r"|usd|eur|rub)(?![а-яёa-z])"
)
_WORDNUM = r"[А-Яа-яЁёA-Za-z]+"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


MONEY_RE = re.compile(
    rf"(?:(?:от|from){_SPACE}+)?(?P<pre>[$€₽]{_SPACE}?)?(?<![\d.,])(?P<n1>{_NUM})(?:{_SPACE}?(?P<m1>{_MULT}))?"
    rf"(?:{_SPACE}*(?:-|–|—|до|to){_SPACE}*(?P<pre2>[$€₽])?(?P<n2>{_NUM})(?:{_SPACE}?(?P<m2>{_MULT}))?)?"
    rf"{_SPACE}?(?P<cur>{_CUR})?",
    re.IGNORECASE,
)
_PER_RE = re.compile(
    r"\s*(?:(?P<m>в\s+месяц|ежемесячно|per\s+month|a\s+month|monthly)|(?P<y>в\s+год|ежегодно|per\s+year|a\s+year"
    r"|annually)|(?P<d>в\s+(?:день|сутки)|per\s+day|a\s+day))",
    re.IGNORECASE,
)
_SCALE = (
    ("трлн", 1e12), ("триллион", 1e12), ("trillion", 1e12),
    ("млрд", 1e9), ("миллиард", 1e9), ("billion", 1e9), ("bln", 1e9), ("bn", 1e9),
    ("млн", 1e6), ("миллион", 1e6), ("million", 1e6), ("mln", 1e6),
    ("тыс", 1e3), ("thousand", 1e3),
)  # fmt: skip
_NUMBER_WORDS = {
    "один": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13,
    "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18,
    "девятнадцать": 19, "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "сто": 100,
    "полтора": 1.5, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "a": 1,
}  # fmt: skip
_PEOPLE = _word_set(
    """
    человек люди погибнуть погибший убитый убить раненый ранить военнослужащий мобилизовать
    мобилизованный контрактник призывник запасник солдат боец гражданин заключенный резервист казак
    ребенок школьник студент доброволец добровольец мигрант пленный военный срочник офицер семья вдова
    участник уклонист people person men women soldiers soldier servicemen troops reservists conscripts
    recruits prisoners convicts migrants students children volunteers fighters dead killed wounded
    casualties citizens residents mobilized
    """
)
_TERM_TAIL = re.compile(
    r"[^.;\n]{0,60}?(?:колони|лишени[яе]\s+свободы|тюрьм|заключени|принудительн|строгого\s+режима|"
    r"общего\s+режима|исправительн|ограничени[яе]\s+свободы|условн|penal\s+colon|prison|jail|forced\s+labou?r|"
    r"imprisonment|behind\s+bars|suspended)",
    re.IGNORECASE,
)
TERM_RE = re.compile(
    rf"(?P<y>\d+(?:[.,]\d+)?|{_WORDNUM})(?P<half>{_SPACE}+с{_SPACE}+половиной)?{_SPACE}*(?:-{_SPACE}*)?"
    rf"(?P<yunit>год[а-яё]*|лет|years?)(?:{_SPACE}+(?:и|and){_SPACE}+(?P<m>\d+|{_WORDNUM}){_SPACE}+"
    rf"(?:месяц[а-яё]*|months?))?(?![а-яёa-z])"
    rf"|(?P<mo>\d+|{_WORDNUM}){_SPACE}+(?P<munit>месяц[а-яё]*|months?)(?![а-яёa-z])",
    re.IGNORECASE,
)


def _number(token: str | None) -> float | None:
    """A digit string ("2 800 000", "2,2", "200,000", "1.5") or a number word («двум», "six") as a float."""
    if not token:
        return None
    token = token.strip()
    if not token:
        return None
    if token[0].isdigit():
        compact = re.sub(_SPACE, "", token)
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", compact):
            compact = compact.replace(",", "")
        try:
            return float(compact.replace(",", "."))
        except ValueError:
            return None
    value = _NUMBER_WORDS.get(lemmas.lemma(token))
    return None if value is None else float(value)


def _scale(mult: str | None) -> float:
    if not mult:
        return 1.0
    low = mult.lower()
    for prefix, factor in _SCALE:
        if low.startswith(prefix):
            return factor
    return 1.0


def _currency(cur: str | None, pre: str | None) -> str | None:
    mark = (pre or "").strip() or (cur or "")
    low = mark.lower()
    if not low:
        return None
    if low.startswith(("руб", "р.", "₽", "rub", "roub")):
        return "RUB"
    if low.startswith(("доллар", "долл", "$", "dollar", "usd")):
        return "USD"
    if low.startswith(("евро", "€", "euro", "eur")):
        return "EUR"
    return None


def _per(text: str, end: int) -> str | None:
    match = _PER_RE.match(text, end, min(len(text), end + 24))
    if match is None:
        return None
    return "month" if match.group("m") else "year" if match.group("y") else "day"


def _iter_money(text: str) -> Iterator[Amount]:
    for match in MONEY_RE.finditer(text):
        currency = _currency(match.group("cur"), match.group("pre") or match.group("pre2"))
        n1 = _number(match.group("n1"))
        if currency is None or n1 is None:
            continue
        n2 = _number(match.group("n2"))
        m2 = match.group("m2")
        m1 = match.group("m1") or (m2 if n2 is not None else None)
        value = n1 * _scale(m1)
        value_to = None if n2 is None else n2 * _scale(m2 or m1)
        yield Amount(
            currency=currency,
            value=value,
            value_to=value_to,
            text=match.group(0).strip(),
            per=_per(text, match.end()),
            start=match.start(),
            end=match.end(),
        )


_AGE_BEFORE = re.compile(
    r"(?:было|исполнил[оа]сь|исполнится|возраст[еа]?|в\s+возрасте|лет\s+от\s+роду|aged?|was|turned|at\s+the\s+age\s+of)"
    r"[\s\u00a0]*(?:ему|ей|им|всего|лишь|только|около|почти)?[\s\u00a0]*$",
    re.IGNORECASE,
)
_AGE_AFTER = re.compile(r"[\s\u00a0]*(?:от\s+роду|назад|old|ago)\b", re.IGNORECASE)


def _is_age(text: str, start: int, end: int) -> bool:
    """«когда ему было 15 лет», «в возрасте 19 лет», "aged 15", «10 лет назад»: an age or a time, not a term."""
    return bool(_AGE_BEFORE.search(text, max(0, start - 30), start) or _AGE_AFTER.match(text, end))


def _iter_terms(text: str) -> Iterator[Amount]:
    for match in TERM_RE.finditer(text):
        if not _TERM_TAIL.match(text, match.end(), min(len(text), match.end() + 80)):
            continue
        if _is_age(text, match.start(), match.end()):
            continue
        if match.group("munit"):
            months = _number(match.group("mo"))
            if months is None:
                continue
        else:
            years = _number(match.group("y"))
            if years is None or years > 50:
                continue
            months = years * 12 + (6 if match.group("half") else 0)
            extra = _number(match.group("m")) if match.group("m") else 0.0
            if extra is None:
                continue
            months += extra
        if not 0 < months <= 600:
            continue
        yield Amount(currency="months", value=months, text=match.group(0).strip(), start=match.start(), end=match.end())


_COUNT_RE = re.compile(
    rf"(?P<n>{_NUM})(?:{_SPACE}?(?P<m>{_MULT}))?{_SPACE}+(?P<w>[А-Яа-яЁёA-Za-z]+)",
    re.IGNORECASE,
)


def _iter_counts(text: str) -> Iterator[Amount]:
    for match in _COUNT_RE.finditer(text):
        if lemmas.lemma(match.group("w")) not in _PEOPLE:
            continue
        value = _number(match.group("n"))
        if value is None:
            continue
        yield Amount(
            currency="people",
            value=value * _scale(match.group("m")),
            text=match.group(0).strip(),
            start=match.start(),
            end=match.end(),
        )


def parse_amounts(text: str) -> list[Amount]:
    """Every sum of money, count of people and prison term in `text`, in reading order, never overlapping.

    Prison terms are read first so «два года колонии» is never a count; money before counts so «3 млн рублей
    бойцам» stays money.
    """
    taken: list[tuple[int, int]] = []
    found: list[Amount] = []
    for finder in (_iter_terms, _iter_money, _iter_counts):
        for amount in finder(text):
            if any(amount.start < end and start < amount.end for start, end in taken):
                continue
            taken.append((amount.start, amount.end))
            found.append(amount)
    return sorted(found, key=lambda a: a.start)


def with_usd(amount: Amount, rubles_per_usd: float | None, rubles_per_eur: float | None = None) -> Amount:
    """The amount with its dollar value: rubles at `rubles_per_usd`, dollars as is, euros via both rates."""
    from dataclasses import replace

    if amount.currency == "USD":
        return replace(amount, usd=amount.value)
    if amount.currency == "RUB" and rubles_per_usd:
        return replace(amount, usd=round(amount.value / rubles_per_usd, 2))
    if amount.currency == "EUR" and rubles_per_usd and rubles_per_eur:
        return replace(amount, usd=round(amount.value * rubles_per_eur / rubles_per_usd, 2))
    return amount
