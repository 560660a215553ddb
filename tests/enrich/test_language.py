from mobrief.enrich.language import detect_language

LANGS = ("ru", "uk", "en")


def test_detects_among_the_newsroom_languages_only() -> None:
    assert detect_language("Власти региона увеличили выплаты добровольцам", languages=LANGS) == "ru"
    assert detect_language("Влада області збільшила виплати добровольцям", languages=LANGS) == "uk"
    assert detect_language("The regional government raised payments to volunteers", languages=LANGS) == "en"


def test_declared_language_wins_only_when_unsure() -> None:
    assert detect_language("ok", languages=LANGS, declared="ru") == "ru"
    assert detect_language("Власти региона увеличили выплаты добровольцам", languages=LANGS, declared="en") == "ru"
    assert detect_language("anything", languages=("ru",)) == "ru"
