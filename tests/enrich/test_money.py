from hypothesis import given, settings
from hypothesis import strategies as st

from mobrief.enrich import money


def _one(text: str) -> tuple[str, float, float | None, str | None]:
    found = money.parse_amounts(text)
    assert len(found) == 1, found
    a = found[0]
    return a.currency, a.value, a.value_to, a.per


def test_russian_money_forms() -> None:
    assert _one("выплата составит 3 млн рублей") == ("RUB", 3e6, None, None)
    assert _one("смета — 2,2 млрд руб.") == ("RUB", 2.2e9, None, None)
    assert _one("премия 200 тыс. ₽") == ("RUB", 2e5, None, None)
    assert _one("от 1,7 до 2 млн рублей") == ("RUB", 1.7e6, 2e6, None)
    assert _one("по 65 000 рублей в месяц") == ("RUB", 65000, None, "month")
    assert _one("увеличили до 2 800 000 рублей") == ("RUB", 2.8e6, None, None)


def test_dollars_euros_and_english() -> None:
    assert _one("пакет на $550 миллионов") == ("USD", 5.5e8, None, None)
    assert _one("штраф 10 тысяч евро") == ("EUR", 1e4, None, None)
    assert _one("a bonus of 200,000 rubles") == ("RUB", 2e5, None, None)
    assert _one("from 1.7 million to 2 million rubles") == ("RUB", 1.7e6, 2e6, None)


def test_counts_of_people_and_prison_terms() -> None:
    assert _one("более 8000 погибших") == ("people", 8000, None, None)
    assert _one("почти 410 тыс. граждан") == ("people", 410000, None, None)
    assert _one("приговорили к шести годам колонии") == ("months", 72, None, None)
    assert _one("1 год и 8 месяцев принудительных работ") == ("months", 20, None, None)
    assert _one("к двум с половиной годам колонии общего режима") == ("months", 30, None, None)
    assert _one("sentenced to six years in a penal colony") == ("months", 72, None, None)


def test_years_and_dates_are_not_amounts() -> None:
    assert money.parse_amounts("В 2024 году закон вступил в силу, через 5 лет после войны") == []


def test_with_usd_converts_rubles_and_euros() -> None:
    rub, eur = money.parse_amounts("3 млн рублей и 100 евро")
    assert money.with_usd(rub, 90.0).usd == 33333.33
    assert money.with_usd(eur, 90.0, 99.0).usd == 110.0
    assert money.with_usd(rub, None).usd is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_never_crashes(text: str) -> None:
    for amount in money.parse_amounts(text):
        assert 0 <= amount.start < amount.end <= len(text)
        assert amount.value >= 0


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999_999), st.sampled_from(["рублей", "руб.", "₽"]))
def test_any_integer_of_rubles_is_read_back(value: int, unit: str) -> None:
    (amount,) = money.parse_amounts(f"сумма {value} {unit} на счёт")
    assert amount.currency == "RUB"
    assert amount.value == value


def test_ages_are_not_prison_terms() -> None:
    text = "Его задержали, когда ему было 15 лет; в возрасте 19 лет суд приговорил его к шести годам колонии."
    terms = [a for a in money.parse_amounts(text) if a.currency == "months"]
    assert [a.value for a in terms] == [72.0]
