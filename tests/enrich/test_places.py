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


def test_a_regions_office_named_by_its_adjective_is_that_region() -> None:
    # «областной» and «краевой» say the adjective before them is the region's, in any case
    assert _keys("Иркутский областной военком заявил") == ["irkutsk-region"]
    assert _keys("приговор Курганского областного суда") == ["kurgan-region"]
    assert _keys("в Свердловском областном военкомате") == ["sverdlovsk-region"]
    (krai, city) = places.find_places("Краснодарский краевой суд приговорил жителя Сочи")
    assert (krai.key, krai.text, city.key) == ("krasnodar-region", "Краснодарский краевой", "sochi")
    assert _keys("Иркутский военком заявил") == []  # the adjective alone: the city's or the region's, unsaid


def test_english_names_and_lower_case_words_are_not_places() -> None:
    assert _keys("In the Leningrad region and Karelia") == ["leningrad-region", "karelia"]
    assert _keys("московский суд и курская магнитная аномалия") == []


def test_gazetteer_version_is_stable() -> None:
    assert places.version() == places.version()
    assert places.version().startswith("places-")
