import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobrief.style import rubles


@pytest.mark.parametrize(
    ("usd", "text"),
    [
        (21.3, "$21"),
        (535, "$535"),
        (2083.2, "$2,080"),
        (33212, "$33,200"),
        (38_412_345, "$38.4 million"),
        (315_200_000, "$315 million"),
        (8_223_400_000, "$8.22 billion"),
    ],
)
def test_house_rounding(usd: float, text: str) -> None:
    assert rubles.format_usd(usd) == text


@pytest.mark.parametrize(
    ("text", "value", "low", "per"),
    [
        ("paid 3 million rubles to", 3e6, None, None),
        ("a 2.2 billion rubles budget", 2.2e9, None, None),
        ("fined 200,000 rubles.", 2e5, None, None),
        ("earn 65,000 rubles per month", 65_000, None, "month"),
        ("from 1.7 million to 2 million rubles", 2e6, 1.7e6, None),
        ("1.7-2 million rubles", 2e6, 1.7e6, None),
        ("from 1.7 to 2 million rubles", 2e6, 1.7e6, None),
        ("between 50,000 and 80,000 rubles a month", 80_000, 50_000, "month"),
        ("a 300,000-ruble payment", 3e5, None, None),
    ],
)
def test_finds_every_house_form(text: str, value: float, low: float | None, per: str | None) -> None:
    (amount,) = rubles.find_ruble_amounts(text)
    assert (amount.value, amount.low, amount.per) == (value, low, per)
    assert text[amount.end - 5 : amount.end].endswith(("ruble", "rubles"[-5:]))


def test_existing_conversion_is_found() -> None:
    (amount,) = rubles.find_ruble_amounts("bonus of 3 million rubles [$33,200] for")
    assert amount.conversion == "[$33,200]"
    assert amount.usd == (33_200.0,)
    assert rubles.conversion_error(amount, 90.0) == pytest.approx(abs(33_200 - 3e6 / 90) / (3e6 / 90))


def test_range_conversion_in_house_form() -> None:
    (amount,) = rubles.find_ruble_amounts("from 1.7 million to 2 million rubles")
    assert rubles.format_conversion(amount, 81.3) == "[$20,900 to $24,600]"


def test_a_year_is_not_an_amount() -> None:
    assert rubles.find_ruble_amounts("in 2023 rubles bought less") == []


@given(st.text())
def test_never_crashes_on_any_text(text: str) -> None:
    for amount in rubles.find_ruble_amounts(text):
        assert 0 <= amount.start < amount.end <= len(text)
        assert amount.value >= 0


@given(st.floats(min_value=0, max_value=1e13, allow_nan=False))
def test_format_parse_round_trip(usd: float) -> None:
    text = rubles.format_usd(usd)
    (parsed,) = rubles.parse_usd(text)
    assert rubles.format_usd(parsed) == text
    assert parsed == pytest.approx(usd, rel=0.006, abs=0.5)
