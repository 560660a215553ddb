from mobrief.enrich import places


def _keys(text: str) -> list[str]:
    return [p.key for p in places.find_places(text)]


def test_every_inflection_and_nickname_meets_one_region() -> None:
    for text in (
        "в Белгородской области",
        "Белгородская область",
        "на Белгородчине",
        "Белгородчина сообщила",
    ):
        assert _keys(text) == ["belgorod-region"], text
    (place,) = places.find_places("губернатор Белгородской области заявил")
    assert place.name == "the Belgorod region"
    assert place.text == "Белгородской области"


def test_republics_okrugs_cities_and_occupied_territories() -> None:
    assert _keys("власти Марий Эл и Башкирии") == ["mari-el", "bashkortostan"]
    assert places.find_places("в Ханты-Мансийском автономном округе")[0].name == (
        "the Khanty-Mansi autonomous region–Yugra"
    )
    assert _keys("школы под Брянском и в Казани") == ["bryansk", "kazan"]
    assert places.find_places("в оккупированной Запорожской области")[0].name == "the occupied Zaporizhzhia region"


def test_english_names_and_lower_case_words_are_not_places() -> None:
    assert _keys("In the Leningrad region and Karelia") == ["leningrad-region", "karelia"]
    assert _keys("московский суд и курская магнитная аномалия") == []


def test_gazetteer_version_is_stable() -> None:
    assert places.version() == places.version()
    assert places.version().startswith("places-")
