"""People's Latin forms: press spellings of well-known people from the glossary, the schema for everyone else."""

from mobrief.enrich import entities


def _people(text: str) -> set[str]:
    return {m.latin for m in entities.find_entities(text, lang="ru") if m.kind == "person"}


def test_well_known_people_take_their_press_spelling_in_any_case() -> None:
    text = "Мэр Москвы Сергей Собянин встретился с Николаем Патрушевым, сообщили в мэрии."
    assert {"Sergei Sobyanin", "Nikolai Patrushev"} <= _people(text)


def test_ordinary_people_keep_the_schema_spelling() -> None:
    text = "Военкомат вручил повестку Сергею Кощееву, рассказал его брат Николай Кощеев."
    people = _people(text)
    assert "Sergey Koshcheev" in people
    assert "Nikolay Koshcheev" in people


def test_ie_inside_a_surname_is_ie() -> None:
    text = "Структуры Михаила Гуцериева финансируют добровольческий батальон."
    assert "Mikhail Gutseriev" in _people(text)
