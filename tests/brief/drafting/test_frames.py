"""The `frames` backend: each kind of event, on Russian reports we wrote, gives the expected English."""

from __future__ import annotations

import re

import pytest
from draft_examples import report, story
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobrief.brief.drafting import backends, frames, guard, units
from mobrief.brief.drafting.records import DRAFTED, DraftContext, StoryReports

CONTEXT = DraftContext(outlet_names={"Медиазона": "Mediazona", "Вёрстка": "Vyorstka"})
CYRILLIC = re.compile("[А-Яа-яЁё]")


def drafted(*texts: str) -> str:
    result = backends.draft_story(story(*texts), CONTEXT, frames.FramesBackend())
    assert result.backend == "frames"
    return result.text


EXAMPLES = [
    (
        "sentence",
        "Суд в Курске приговорил 34-летнего местного жителя Ивана Сидорова к 12 годам колонии строгого режима "
        "по статье о государственной измене. Он переводил деньги на счета ВСУ.",
        ["According to Mediazona", "has sentenced Ivan Sidorov", "34-year-old", "12 years",
         "a maximum-security penal colony", "high treason"],
    ),
    (
        "sentence by article",
        "Гарнизонный военный суд приговорил мобилизованного к 5 годам и 6 месяцам колонии общего режима "
        "по ч. 5 ст. 337 УК РФ.",
        ["garrison military court has sentenced", "5 years and 6 months", "general-regime penal colony",
         "leaving a unit without authorization (Article 337 of the Criminal Code)"],
    ),
    (
        "arrest",
        "В Томске сотрудники ФСБ задержали 19-летнего студента по делу о диверсии.",
        ["the Federal Security Service (FSB) in Tomsk has detained a 19-year-old student", "sabotage"],
    ),
    (
        "criminal case",
        "Пётр Кузнецов стал фигурантом уголовного дела о дискредитации армии в Самаре.",
        ["a criminal case", "opened against Pyotr Kuznetsov", "Samara"],
    ),
    (
        "payment",
        "В Ленинградской области единовременную выплату за заключение контракта увеличили до 2 млн рублей.",
        ["in the Leningrad region, the one-time payment for signing a contract with the Ministry of Defense "
         "has been increased to 2 million rubles"],
    ),
    (
        "deaths",
        "В Бурятии похоронили мобилизованного Олега Николаева, погибшего в зоне СВО.",
        ["Oleg Nikolayev", "has been killed in the war against Ukraine"],
    ),
    (
        "appeal",
        "Жёны мобилизованных из Новосибирска записали видеообращение к Владимиру Путину с требованием демобилизации.",
        ["wives of mobilized soldiers from Novosibirsk have recorded a video address to Vladimir Putin",
         "demobilization"],
    ),
    (
        "law",
        "Госдума приняла законопроект о статусе ветерана боевых действий для добровольцев.",
        ["the State Duma has passed a bill on combat veteran status"],
    ),
    (
        "recruitment",
        "В Белгородской области появилась реклама контрактной службы с выплатой 500 тысяч рублей.",
        ["in the Belgorod region, advertisements for contract military service", "500,000 rubles"],
    ),
    (
        "desertion",
        "Военнослужащий из Твери самовольно оставил часть и отказался возвращаться на фронт.",
        ["a serviceman from Tver has", "without authorization"],
    ),
    (
        "youth",
        "В школах Пермского края школьники начнут изучать начальную военную подготовку и управление дронами.",
        ["in the Perm region", "basic military training"],
    ),
    (
        "treason",
        "В Курске задержали подростка по подозрению в поджоге релейного шкафа; возбуждено дело о диверсии.",
        ["have detained a teenager", "Kursk", "sabotage"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "text", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_each_kind_gives_the_expected_english(kind: str, text: str, expected: list[str]) -> None:
    english = drafted(text)
    for part in expected:
        assert part.lower() in english.lower(), f"{kind}: {part!r} not in {english!r}"
    assert not CYRILLIC.search(english)


def test_a_draft_is_checked_and_keeps_each_sentences_source() -> None:
    text = "В Казани суд приговорил активиста Артёма Белова к 3 годам колонии общего режима за фейки об армии."
    result = backends.draft_story(story(text), CONTEXT, frames.FramesBackend())
    assert result.status == DRAFTED and result.findings == ()
    first = result.sentences[0]
    assert first.item_id == 1
    assert text[first.start : first.end].startswith("В Казани суд")
    assert first.source_text == text


def test_no_kind_says_who_reported_what() -> None:
    english = drafted("Вопрос о частичной мобилизации обсуждают в Красноярском крае.")
    assert english.startswith("Mediazona has reported on") and "mobilization" in english
    assert "Krasnoyarsk" in english


def test_a_story_without_facts_still_names_its_source() -> None:
    assert drafted("Сегодня было много сообщений.") == "Mediazona has reported on this story."


def test_the_same_reports_always_give_the_same_draft() -> None:
    text = EXAMPLES[0][1]
    assert drafted(text) == drafted(text)


def test_lead_report_is_russian_and_full() -> None:
    short = report("Коротко: суд.", item_id=1)
    full = report(EXAMPLES[0][1], item_id=2)
    english = report("A court in Kursk sentenced a man.", item_id=3, lang="en")
    assert frames.lead_report([short, english, full]).item_id == 2


WORDS = (
    "суд приговорил задержали выплату увеличили до млн рублей тысяч лет колонии строгого режима мобилизованного "
    "Ивана Петрова в Курской области жены записали видеообращение Госдума приняла законопроект о СВО школьники "
    "статье 207.3 УК поджог военкомата 12 5 3 1,5 48-летнего житель Москвы погиб"
)
RUSSIAN_WORDS = st.sampled_from(WORDS.split())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RUSSIAN_WORDS, min_size=3, max_size=40).map(" ".join))
def test_a_draft_never_holds_cyrillic_and_every_number_is_traceable(text: str) -> None:
    reports = StoryReports(story_id=1, reports=(report(text + "."),))
    result = frames.FramesBackend().draft(reports, CONTEXT)
    assert not CYRILLIC.search(result.text)
    numbers = [f for f in guard.check(result.text, reports, CONTEXT) if f.kind == "number"]
    assert numbers == []


def test_a_later_sentence_adds_its_own_event() -> None:
    english = drafted(
        "В Самаре сотрудники ФСБ задержали 23-летнего Андрея Волкова по делу о госизмене. "
        "Ранее суд приговорил его брата Павла Волкова к 6 годам колонии общего режима за фейки об армии."
    )
    first, second = english.split(". ")[:2]
    assert first.startswith("According to Mediazona") and "detained Andrey Volkov" in first
    assert "has sentenced Pavel Volkov to 6 years" in second and not second.startswith("According to")


def test_lines_that_state_nothing_give_no_names() -> None:
    """A photo credit or a page's menu is no sentence: the people it names are not the story's."""
    english = drafted(
        "Перейти к основному контенту\nФото: Никита Попов / РБК\n"
        "В Казани суд приговорил активиста Артёма Белова к 3 годам колонии общего режима за фейки об армии."
    )
    assert "Artyom Belov" in english and "Popov" not in english


def test_the_dead_are_named_only_beside_the_word_for_their_death() -> None:
    english = drafted("Владимир Путин выразил соболезнования. В Курской области погиб мобилизованный Сергей Чебнев.")
    assert "Sergey Chebnev, a mobilized soldier from the Kursk region, has been killed" in english
    assert "Putin from" not in english and "Putin has been killed" not in english


def test_a_half_year_stays_as_the_report_writes_it() -> None:
    english = drafted("Суд в Москве приговорил Илью Яшина к 8,5 года колонии общего режима по делу о фейках.")
    assert "8.5 years" in english and "6 months" not in english


def test_facts_not_yet_stated_read_as_a_sentence() -> None:
    english = drafted(
        "В Бурятии объявили о повышении выплат. Глава республики Алексей Цыденов провёл встречу с семьями 12 мая."
    )
    assert "The report also names Aleksey Tsydenov" in english and "cites May 12" in english
    assert ";" not in english


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Госдума рассмотрит законопроект о статусе ветерана боевых действий.", "the State Duma will consider a bill"),
        ("Госдума планирует принять законопроект о мобилизационном резерве.", "the State Duma plans to pass a bill"),
        ("Госдума приняла законопроект о мобилизационном резерве.", "the State Duma has passed a bill"),
        ("В Госдуму внесли законопроект о конфискации имущества.", "a bill on asset seizure has been introduced"),
        ("В Госдуму внесут законопроект о конфискации имущества.", "a bill on asset seizure will be introduced"),
    ],
)
def test_a_law_is_told_in_the_reports_tense(text: str, expected: str) -> None:
    assert expected in drafted(text)


def test_a_surname_alone_is_the_person_named_in_full_elsewhere() -> None:
    english = drafted(
        "Путин подписал закон о статусе ветерана боевых действий. Владимир Путин также провёл совещание в Кремле."
    )
    assert english.startswith("According to Mediazona, Vladimir Putin has signed a law on combat veteran status")


def test_the_wounded_are_wounded_not_killed() -> None:
    english = drafted("Журналист Сергей Кощеев получил тяжелое ранение в зоне СВО.")
    assert "Sergey Koshcheev" in english and "has been wounded in the war against Ukraine" in english
    assert "killed" not in english


def test_facts_of_other_reports_are_the_reports_facts() -> None:
    english = drafted(
        "В Бурятии похоронили мобилизованного Олега Николаева, погибшего в зоне СВО.",
        "Глава Бурятии Алексей Цыденов пообещал семье выплату. Призывной возраст повысили до 30 лет, напомнил он.",
    )
    assert "The reports also discuss the conscription age. They name Aleksey Tsydenov" in english
    assert "the age of 30" in english


def test_a_prison_term_range_is_cited_as_a_range() -> None:
    english = drafted(
        "В Пензе депутаты предложили ужесточить статью. Уклонистам будет грозить от 2 до 4 лет лишения свободы."
    )
    assert "from 2 to 4 years in prison" in english


def test_named_bodies_are_among_the_facts_and_vague_ones_are_not() -> None:
    english = drafted(
        "В Бурятии похоронили мобилизованного Олега Николаева, погибшего в зоне СВО. "
        "Соболезнования семье выразили в Министерстве обороны. Суд отложил заседание."
    )
    assert "the Ministry of Defense" in english
    assert "a court" not in english


def test_a_murder_at_home_is_no_death_in_the_war() -> None:
    english = drafted("В Волновахе неизвестные убили семью из девяти человек; возбуждено уголовное дело об убийстве.")
    assert "war" not in english and "murder" in english


def test_where_the_wounded_were_is_not_where_they_are_from() -> None:
    english = drafted("Журналист Сергей Кощеев из Казани получил тяжелое ранение на СВО в ДНР.")
    assert "Sergey Koshcheev" in english and "has been wounded" in english
    assert "from Kazan" in english and "from the occupied Donetsk" not in english


def test_a_contract_someone_is_made_to_sign_is_not_signed() -> None:
    english = drafted("В Курганской области мать срочника заявила, что её сына в части заставляют подписать контракт.")
    assert "has signed a contract" not in english


def test_a_raise_already_told_is_not_cited_again() -> None:
    english = drafted(
        "В Белгородской области единовременную выплату увеличили с 1,7 млн до 2 млн рублей. "
        "Ранее губернатор говорил о выплате 1,7 млн рублей и 500 тысяч рублей от региона."
    )
    assert english.count("1.7 million") == 1 and "500,000 rubles" in english


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "В Курганской области мать срочника заявила, что её сына заставляют подписать контракт.",
            "the mother of a conscript from the Kurgan region has said that her son is being pressured to sign a "
            "contract with the Ministry of Defense",
        ),
        (
            "В Росгвардии создают добровольческие подразделения; обещают 150 000 рублей в месяц.",
            "Rosgvardia is forming volunteer units, offering 150,000 rubles per month",
        ),
        (
            "В Подмосковье из-за весеннего призыва открыли дополнительные призывные пункты.",
            "in the Moscow region, new recruitment points have been opened",
        ),
        (
            "В здание военкомата в Екатеринбурге бросили бутылку с зажигательной смесью.",
            "an arson attack has targeted the military enlistment office in Yekaterinburg",
        ),
    ],
    ids=["pressed to sign", "volunteer units", "recruitment points", "arson attack"],
)
def test_the_beats_common_events(text: str, expected: str) -> None:
    assert expected in drafted(text)


def test_a_topic_the_event_already_names_is_not_discussed_again() -> None:
    english = drafted("В Белгородской области единовременную выплату увеличили с 1,7 млн до 2 млн рублей.")
    assert "the one-time payment has been increased" in english and "discusses a one-time payment" not in english


def test_the_backend_version_is_the_phrasebook_it_drafts_with() -> None:
    """The version is read without building the phrasebook's index, and is the version of the book drafts use."""
    from mobrief.brief.drafting import phrasebook

    made = backends.draft_story(story("Суд приговорил студента к шести годам."), CONTEXT, frames.FramesBackend())
    assert frames.FramesBackend().version == made.backend_version == f"{frames.VERSION}+{phrasebook.load().version}"


@pytest.mark.parametrize(
    ("text", "expected", "never"),
    [
        (
            "В Ленинградской области выплату за заключение контракта увеличили с 1,7 миллиона рублей до 2 миллионов "
            "рублей.",
            "has been increased from 1.7 million to 2 million rubles",
            "increased to 1.7 million",
        ),
        (
            "В Курганской области выплату за заключение контракта увеличили на 500 тысяч рублей.",
            "has been increased by 500,000 rubles",
            "increased to 500,000",
        ),
        (
            "Выплату за заключение контракта увеличили с 1,7 млн рублей.",
            "1.7 million rubles",
            "offering 1.7 million",
        ),
    ],
    ids=["both ends in full", "raised by", "old sum alone"],
)
def test_a_change_of_a_sum_states_it_as_the_report_does(text: str, expected: str, never: str) -> None:
    """The old end of a change never reads as the new sum, and «на» is "by", not "to"."""
    english = drafted(text)
    assert expected in english and never not in english


def test_signing_a_contract_is_no_prisoner() -> None:
    """«заключившим контракт» and «заключённые» share the lemma «заключить»: only the participle is a prisoner."""
    signed = drafted("В Тверской области гражданам, заключившим контракт, выплатят по 1 млн рублей.")
    assert "prisoner" not in signed
    assert "prisoner" in drafted("Суд в Курске рассмотрел дело о вербовке заключённых в колонии для СВО.")


def test_a_payment_sentence_that_does_not_say_which_payment_is_not_told_as_the_event() -> None:
    """A later «размер выплат составляет …» may be another payment (a land certificate's): its sum is only cited."""
    english = drafted(
        "В Ленинградской области выплаты подписавшим контракт с Минобороны увеличили до 2,8 млн рублей. "
        "Участникам СВО также выдают сертификат на земельный участок или денежную выплату. "
        "На сегодняшний день размер выплат составляет 419 600 рублей."
    )
    assert (
        "2.8 million rubles" in english and "payment amounts to 419,600" not in english and "419,600 rubles" in english
    )


def test_a_recap_of_another_region_is_not_told_as_part_of_the_event() -> None:
    english = drafted(
        "В Ленинградской области выплату за заключение контракта увеличили до 2 млн рублей. "
        "3 октября в Тамбовской области была увеличена единовременная выплата за заключение контракта до 3 млн рублей. "
        "Теперь единовременная выплата заключившим контракт составит 3 млн рублей."
    )
    assert "In the Tambov region" not in english and "offering 3 million" not in english
    assert "increased to 2 million rubles" in english


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.tuples(st.integers(1, 99), st.integers(1, 99)).filter(lambda ab: ab[0] != ab[1]),
    st.sampled_from([("увеличили", "increased"), ("снизили", "lowered")]),
    st.sampled_from(["тысяч рублей", "млн рублей"]),
)
def test_a_change_written_in_full_keeps_both_ends(ends: tuple[int, int], verb: tuple[str, str], unit: str) -> None:
    """«с A рублей до B рублей» is told "from A to B", whatever the sums: never "to A"."""
    old, new = (n * 100 for n in ends) if unit.startswith("тысяч") else ends
    english = drafted(
        f"В Ленинградской области выплату за заключение контракта {verb[0]} с {old} {unit} до {new} {unit}."
    )
    scale = 1e3 if unit.startswith("тысяч") else 1e6
    told = f"from {units.number(old * scale)} to {units.number(new * scale)} rubles"
    assert f"has been {verb[1]} {told}" in english


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Как минимум в 40 регионах разовые выплаты за контракт превышают 1 млн рублей.",
            "the payment for signing a contract amounts to more than 1 million rubles",
        ),
        (
            "В Татарстане выплату семьям погибших добровольцев увеличили до 1 млн рублей.",
            "in Tatarstan, the payment to the families of fallen volunteer fighters has been increased to 1 million",
        ),
        (
            "Депутаты Госдумы внесли законопроект о статусе ветеранов боевых действий для добровольцев.",
            "lawmakers in the State Duma",
        ),
        (
            "Военком заявил, что с осени повестки будут приходить через «Госуслуги».",
            "draft notices will be sent",
        ),
        (
            "Матери срочников из Курской области обратились к уполномоченному по правам человека.",
            "mothers of conscripts from the Kursk region have appealed",
        ),
        (
            "В Санкт-Петербурге мужчине вручили повестку в отделе кадров завода.",
            "in St. Petersburg, a man has been handed a draft notice",
        ),
        (
            "Сколько платят за контракт в регионах: обзор «Вёрстки».",
            "has reported on payments for signing a contract",
        ),
        (
            "Почти 410 тыс. граждан заключили контракт с Минобороны в 2025 году.",
            "nearly 410,000 citizens have signed contracts",
        ),
        (
            "Госдума хочет принять законопроект, позволяющий включить до 60 тысяч резервистов в резерв.",
            "up to 60,000 reservists",
        ),
    ],
    ids=[
        "bounded sum",
        "whose payment",
        "lawmakers act",
        "future notices",
        "who appeals",
        "one notice",
        "overview",
        "bounded count",
        "cited count",
    ],
)
def test_a_clause_keeps_what_its_sentence_says_of_the_fact(text: str, expected: str) -> None:
    """A sum keeps its bound («превышают» is "more than"), a payment whom it is for, an act its actor and tense."""
    english = drafted(text)
    assert expected in english and "discusses payments" not in english  # the event told it: not discussed again


def test_the_lead_is_a_report_that_states_the_event() -> None:
    """Of reports alike, the one whose opening a frame can tell leads; the others' facts are 'the reports''."""
    about = report(
        "Ветераны боевых действий и участники специальной военной операции обсуждают меры поддержки семей. "
        "Тема поддержки семей участников СВО остаётся одной из главных в регионах страны, отмечают эксперты.",
        item_id=1,
    )
    event = report("Президент Владимир Путин подписал указ о создании комиссии по поддержке ветеранов.", item_id=2)
    assert frames.lead_report([about, event]).item_id == 2
    english = frames.FramesBackend().draft(StoryReports(story_id=1, reports=(about, event)), CONTEXT).text
    assert english.startswith("According to Mediazona, ") and "signed a decree" in english
