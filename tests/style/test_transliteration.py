import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobrief.style.transliteration import romanize, transliterate

CYRILLIC = st.text(alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x04FF) | st.sampled_from(" -.,«»ё"))


@pytest.mark.parametrize(
    ("russian", "latin"),
    [
        ("Вёрстка", "Vyorstka"),
        ("Пушкарёв", "Pushkaryov"),
        ("Андрей", "Andrey"),
        ("Сибирский", "Sibirsky"),
        ("Егор", "Yegor"),
        ("Евгений", "Yevgeny"),
        ("Хабаровск", "Khabarovsk"),
        ("Щукин", "Shchukin"),
        ("Росгвардия", "Rosgvardia"),
        ("Сергей Шойгу", "Sergei Shoigu"),
        ("Алексей Навальный", "Alexei Navalny"),
        ("Люди Байкала", "Lyudi Baikala"),
    ],
)
def test_house_spellings(russian: str, latin: str) -> None:
    assert transliterate(russian) == latin


def test_plain_schema_differs_where_the_press_convention_wins() -> None:
    assert romanize("Росгвардия") == "Rosgvardiya"
    assert transliterate("Росгвардия") == "Rosgvardia"


def test_overrides_match_whole_words_in_any_case() -> None:
    assert transliterate("ЗАВОД Ромашка", {"ромашка": "Romashka Plant"}) == "ZAVOD Romashka Plant"
    assert transliterate("Ромашкин", {"Ромашка": "Romashka Plant"}) == "Romashkin"


@given(CYRILLIC)
def test_output_is_ascii_and_stable(text: str) -> None:
    once = transliterate(text)
    assert once.isascii()
    assert not any("\u0400" <= ch <= "\u04ff" for ch in once)
    assert transliterate(text) == once


@given(st.text(alphabet="абвгдежзиклмнопрстуфхцчшщыэюя", min_size=1, max_size=12), CYRILLIC)
def test_given_overrides_win(word: str, context: str) -> None:
    out = transliterate(f"{context} {word} {context}", {word: "Zzz"})
    assert " Zzz " in f" {out} "
