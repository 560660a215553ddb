"""Reports of one event that name its act in different words of one family, and give one age, join one story;
reports that share only a city and a word stay apart."""

from __future__ import annotations

import dataclasses

from story_reports import Report, enriched

from mobrief.enrich import features
from mobrief.stories import clustering, same_event, signatures

SARATOV = {"key": "saratov", "name": "Saratov", "text": "Саратове", "kind": "city"}


def _report(key: str, event: str, source: str, hours: float, text: str) -> Report:
    return Report(
        key=key,
        event=event,
        source=source,
        url=f"https://{key}.example/news/1",
        hours=hours,
        text=text,
        places=(SARATOV,),
        section="legal",
    )


# One fire at an enlistment office, told four times: at night (the fire), in the morning (an outlet's report
# with the arrest), then the arrest alone in a short post, and an outlet's report of the arrest. The short post
# names the act «поджог» where the story so far says «подожгли» and «бутылку с зажигательной смесью».
ARSON = [
    _report(
        "arson-night",
        "arson",
        "Сводка",
        0,
        "Ночью в Саратове неизвестный бросил бутылку с зажигательной смесью в окно военкомата Ленинского "
        "района. Пострадавших нет, пламя потушил сторож. Возбуждено дело о теракте.",
    ),
    _report(
        "arson-outlet",
        "arson",
        "Волжский вестник",
        1,
        "В Саратове подожгли окно военкомата.\nВ ночь на субботу в здание военного комиссариата Ленинского "
        "района Саратова бросили бутылку с зажигательной смесью. Загорелась оконная рама, огонь быстро "
        "потушили. Утром полиция задержала 22-летнего курьера. Источник «Волжского вестника» говорит, что "
        "ему заплатили через Telegram. СК возбудил дело о теракте.",
    ),
    _report(
        "arson-arrest",
        "arson",
        "Сводка",
        7,
        "Задержан подозреваемый в поджоге военкомата в Саратове — 22-летний курьер службы доставки. "
        "За поджог ему пообещали 30 тысяч рублей в Telegram.",
    ),
    _report(
        "arson-charge",
        "arson",
        "Новая неделя",
        8,
        "Задержанный по делу о поджоге военкомата Ленинского района Саратова 22-летний курьер рассказал "
        "следователям, что за поджог ему пообещали 30 тыс. рублей в Telegram-канале с предложениями "
        "«лёгкого заработка». Ему предъявлено обвинение в теракте.",
    ),
]
# Saratov again, each sharing a word of the fire: a garage set on fire by a neighbour, and students' prize.
GARAGE = _report(
    "garage",
    "garage",
    "Городские новости",
    9,
    "В Саратове сосед поджег гараж после ссоры из-за парковки. Огонь перекинулся на два автомобиля, "
    "пожарные тушили пламя два часа. Полиция ищет 45-летнего поджигателя.",
)
OLYMPIAD = _report(
    "olympiad",
    "olympiad",
    "Городские новости",
    10,
    "Курьер доставил в Саратов кубок: студенты местного университета заняли первое место на олимпиаде по "
    "программированию и получили по 30 тысяч рублей.",
)


def _stories(reports: list[Report]) -> set[frozenset[str]]:
    sigs = [signatures.sign_item(enriched(r, i + 1)) for i, r in enumerate(reports)]
    groups: dict[int, set[str]] = {}
    for assignment in clustering.cluster_signatures(sigs):
        groups.setdefault(assignment.story_key, set()).add(reports[assignment.item_id - 1].key)
    return {frozenset(g) for g in groups.values()}


def test_a_word_and_its_derivation_count_as_one_term() -> None:
    families = features.word_families()
    assert families["поджечь"] == "поджог" and families["приговорить"] == "приговор"
    assert families["военком"] == "военкомат"
    assert "суд" not in families and "приговор" not in families  # words of one concept from other roots
    noun = signatures.sign_item(enriched(ARSON[2], 1))
    verb = signatures.sign_item(enriched(ARSON[1], 2))
    assert "поджог" in noun.terms and "поджог" in verb.terms and "поджечь" not in verb.terms


def test_an_age_is_a_number_both_languages_give_alike() -> None:
    keys = signatures.number_keys("Задержан 22-летний курьер; 22-летнего курьера; a 22-year-old courier")
    assert keys == {"22-year-old"}
    assert signatures.number_keys("22 мая задержали курьера") == set()  # a day is still no number


def test_four_reports_of_one_arson_join_one_story() -> None:
    assert _stories(ARSON) == {frozenset(r.key for r in ARSON)}


def test_the_short_post_joins_through_the_act_and_the_age() -> None:
    story = same_event.StoryProfile.start(1, signatures.sign_item(enriched(ARSON[0], 1)))
    story.add(signatures.sign_item(enriched(ARSON[1], 2)))
    post = signatures.sign_item(enriched(ARSON[2], 3))
    match = same_event.score_match(post, story)
    threshold = same_event.DEFAULT_WEIGHTS.threshold
    assert match.score > threshold and "22-year-old" in match.shared_numbers
    # told without the age and with the act in a word of another family, the same post stays apart
    bare = dataclasses.replace(
        ARSON[2], text=ARSON[2].text.replace("22-летний ", "").replace("поджоге", "нападении на")
    )
    bare = dataclasses.replace(bare, text=bare.text.replace("За поджог", "За это"))
    assert same_event.score_match(signatures.sign_item(enriched(bare, 4)), story).score < threshold


def test_reports_sharing_only_a_city_and_a_word_stay_apart() -> None:
    stories = _stories([*ARSON, GARAGE, OLYMPIAD])
    assert stories == {frozenset(r.key for r in ARSON), frozenset({"garage"}), frozenset({"olympiad"})}
