import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobrief.enrich import entities


def _by_kind(text: str, lang: str = "ru") -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for m in entities.find_entities(text, lang=lang):
        out.setdefault(m.kind, []).append((m.normalized, m.latin))
    return out


def test_people_are_nominative_with_yo_restored_and_house_latin() -> None:
    found = _by_kind("Суд арестовал Алексея Пушкарева, сообщил адвокат. Пушкарев вину не признал.")
    assert found["person"] == [("Алексей Пушкарёв", "Aleksey Pushkaryov")]


def test_normalize_person_reads_case_and_gender_from_the_first_name() -> None:
    assert entities.normalize_person("Нины Останиной") == "Нина Останина"
    assert entities.normalize_person("Олега Дерипаски") == "Олег Дерипаска"
    assert entities.normalize_person("Сергею Кощееву") == "Сергей Кощеев"


def test_a_first_name_is_read_as_its_surname_allows() -> None:
    assert entities.normalize_person("Яна Лантратова") == "Яна Лантратова"  # not the genitive of Ян Лантратов
    assert entities.normalize_person("Леонида Михельсона") == "Леонид Михельсон"  # not Леонида, a woman
    assert entities.normalize_person("Владислава Канюса") == "Владислав Канюс"
    assert entities.normalize_person("Анастасия Ракова") == "Анастасия Ракова"


def test_a_surname_alone_is_one_person_and_the_house_latin_drops_the_patronymic() -> None:
    assert entities.normalize_person("Хабиров") == "Хабиров"  # not «Хабиры», a plural of the first name Хабир
    assert entities.normalize_person("Зарипов") == "Зарипов"
    found = _by_kind("Глава региона Радий Фаритович Хабиров заявил, что план выполнен.")
    assert found["person"] == [("Радий Фаритович Хабиров", "Rady Khabirov")]  # the archive prints no patronymics


def test_a_name_with_a_patronymic_is_read_in_the_patronymics_case_and_in_any_order() -> None:
    assert entities.normalize_person("Марии Петровне Ивановой") == "Мария Петровна Иванова"
    assert entities.normalize_person("Хабирова Радия Фаритовича") == "Радий Фаритович Хабиров"  # surname first
    assert entities.normalize_person("Романова Романа Петровича") == "Роман Петрович Романов"
    assert entities.normalize_person("Александр Александрович Блок") == "Александр Александрович Блок"
    found = _by_kind("Суд приговорил Иванова Ивана Петровича к пяти годам.")
    assert found["person"] == [("Иван Петрович Иванов", "Ivan Ivanov")]


def test_gazetteer_outlets_units_and_organisations() -> None:
    text = "По данным «Вёрстки» и Кавказ.Реалии, бойцов «Шторм Z» из 88-го стрелкового полка вернули в Минобороны."
    found = {m.latin: m.kind for m in entities.find_entities(text, lang="ru")}
    assert found["Vyorstka"] == "outlet"
    assert found["Kavkaz.Realii"] == "outlet"
    assert found["Storm-Z"] == "unit"
    assert found["88th Rifle Regiment"] == "unit"
    assert found["the Ministry of Defense"] == "org"


def test_english_text_uses_gazetteer_and_first_name_rules() -> None:
    found = _by_kind("Defense Minister Andrey Belousov told the State Duma, Mediazona reported.", lang="en")
    assert ("Andrey Belousov", "Andrey Belousov") in found["person"]
    assert found["org"] == [("the State Duma", "the State Duma")]
    assert found["outlet"] == [("Mediazona", "Mediazona")]


def test_english_people_beyond_the_common_first_names_are_read_through_the_russian_dictionary() -> None:
    text = "Police detained Rifat Salimov after the rally; Vera Ostanina, his lawyer, said Salimov was beaten."
    people = [latin for _, latin in _by_kind(text, lang="en")["person"]]
    assert people == ["Rifat Salimov", "Vera Ostanina"]


def test_english_people_spelled_letter_by_letter_or_with_a_surname_no_dictionary_lists() -> None:
    # «Радий» written "Radiy" (the scheme gives "Rady"); «Хабиров» has a surname's ending but no dictionary entry
    text = "Governor Radiy Khabirov said the quota was met; Georgiy Myasnikov agreed. Khabirov spoke in Ufa."
    people = [latin for _, latin in _by_kind(text, lang="en")["person"]]
    assert people == ["Radiy Khabirov", "Georgiy Myasnikov"]


def test_english_capitalised_words_without_a_surname_are_no_people() -> None:
    text = "Man Dies in Custody. The Kremlin Palace hosted a concert; Lada Granta sales fell. Mark Twain wrote."
    assert "person" not in _by_kind(text, lang="en")


def test_english_names_keep_their_hyphen_and_drop_the_possessive() -> None:
    text = "Svetlana Lada-Rus leads the council. President Vladimir Putin’s decree and Dmitry Peskov's words."
    people = [latin for _, latin in _by_kind(text, lang="en")["person"]]
    assert people == ["Svetlana Lada-Rus", "Vladimir Putin", "Dmitry Peskov"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("AVRSDPaeiovrsnt -’'\n.")), max_size=60))
def test_english_person_spans_are_the_text_they_cover_and_end_on_a_letter(text: str) -> None:
    for mention in entities.find_entities(text, lang="en"):
        if mention.kind != "person":
            continue
        assert text[mention.start : mention.end] == mention.text
        assert mention.text[-1].isalpha() and "\n" not in mention.text


def test_empty_text_has_no_entities() -> None:
    assert entities.find_entities("   ") == []


def test_mentions_never_cross_a_line_break() -> None:
    found = entities.find_entities("Об этом сообщило Минобороны\nРоссии. Новость дня.", lang="ru")
    assert found and all("\n" not in m.text for m in found)


def test_capitalised_verbs_are_not_people_and_first_names_read_nominative() -> None:
    found = entities.find_entities(
        "Отвечает на вопросы зампред комитета Яна Лантратова. Соглашается с ней депутат Олег Смолин.", lang="ru"
    )
    people = {m.latin for m in found if m.kind == "person"}
    assert "Yana Lantratova" in people
    assert not any(name.startswith(("Otvechaet", "Soglashaet")) for name in people)


def test_a_long_text_is_read_in_pieces_that_cover_it_and_offsets_stay_true() -> None:
    filler = "Жители района обсуждали погоду и цены на продукты. " * 900  # about 46,000 characters
    text = filler + "Губернатор Вячеслав Гладков заявил о выплатах."
    pieces = list(entities.ner_pieces(text))
    assert len(pieces) >= 3
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= entities.NER_PIECE_CHARS for _, piece in pieces)
    assert all(text.startswith(piece, offset) for offset, piece in pieces)
    (person,) = [m for m in entities.find_entities(text, lang="ru") if m.kind == "person"]
    assert person.latin == "Vyacheslav Gladkov"
    assert text[person.start : person.end] == person.text


def test_a_womans_first_name_in_ia_is_written_as_the_press_writes_it() -> None:
    found = _by_kind("Об этом рассказала Юлия Соколова, а Марию Лебедеву вызвали в суд. Россия ответила.")
    assert found["person"] == [("Юлия Соколова", "Yulia Sokolova"), ("Мария Лебедева", "Maria Lebedeva")]
    assert entities.find_entities("Наталья Орлова", lang="ru")[0].latin == "Natalya Orlova"  # -ья keeps "ya"
    assert entities.find_entities("Виталий Ия", lang="ru")[0].latin.endswith("Iya")  # a surname keeps the scheme


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("По словам председателя Госдумы Вячеслава Володина, закон нужен.", "Vyacheslav Volodin"),
        ("После встречи губернатора Александра Беглова с семьями решение приняли.", "Aleksandr Beglov"),
        ("Полицейские задержали журналистку Яну Лантратову.", "Yana Lantratova"),
        ("Отвечает на вопросы зампред комитета Яна Лантратова.", "Yana Lantratova"),
        ("Суд приговорил 33-летнюю Александру Скочиленко к семи годам.", "Aleksandra Skochilenko"),
        ("Премию вручили известному Александру Петрову.", "Aleksandr Petrov"),
    ],
)
def test_a_name_takes_the_case_of_the_title_before_it(text: str, name: str) -> None:
    """«председателя … Вячеслава Володина» is Vyacheslav's genitive, not a woman named Vyacheslava."""
    assert name in {m.latin for m in entities.find_entities(text, lang="ru") if m.kind == "person"}


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Правозащитника Олега Орлова приговорили. Художницу арестовали.", {"Oleg Orlov"}),
        ("Экс-депутат Гудков уехал, сообщили в Telegram-канале суда.", {"Gudkov"}),
        ("Полковник А.Борисенко вышел к ним. Об этом сказал В.В. Путин.", {"Borisenko", "Putin"}),
        ("Генерал Александр Борисенко вышел. Затем полковник А. Борисенко ушёл.", {"Aleksandr Borisenko"}),
        ("Колонку пишет Дмитрий Прокофьев\n\nРисунок Г. Ломидзе", {"Dmitry Prokofyev", "Lomidze"}),
    ],
)
def test_titles_initials_and_words_opening_a_sentence_are_no_part_of_a_name(text: str, people: set[str]) -> None:
    assert {m.latin for m in entities.find_entities(text, lang="ru") if m.kind == "person"} == people


_PIECES = ["Правозащитника", "Художницу", "Экс-депутат", "полковник", "А.", "В.В.", "Олега Орлова", "Радий Хабиров"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([*_PIECES, "сказал", "Telegram-канале"]), min_size=1, max_size=6), st.data())
def test_russian_person_spans_are_one_line_and_start_on_a_name(words: list[str], data: st.DataObject) -> None:
    """Whatever the order: a person is the text it covers, on one line, without initials or titles before it,
    and never a word alone opening a sentence that the dictionary knows as no name."""
    joins = data.draw(st.lists(st.sampled_from([" ", " ", ", ", ". ", "\n"]), min_size=len(words), max_size=len(words)))
    text = "".join(w + j for w, j in zip(words, joins, strict=True))
    for mention in entities.find_entities(text, lang="ru"):
        if mention.kind != "person":
            continue
        assert text[mention.start : mention.end] == mention.text
        assert "\n" not in mention.text and mention.text[0].isupper()
        assert not entities._INITIALS.match(mention.text)
        assert mention.text.split()[0] not in {"Экс-депутат", "Telegram-канале"}
        if mention.text in {"Правозащитника", "Художницу"}:  # capitalised mid-sentence: a name, maybe
            assert not entities._sentence_start(text, mention.start)
