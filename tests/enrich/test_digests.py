"""A digest post is told from a report by its shape: short parts on unrelated subjects, under a heading or none.

Every text here is written for these tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from mobrief.enrich import digests, relevance, stages
from mobrief.records import DIGEST_OF, DIGEST_PARTS, Enrichment, Item

# one story each, in words the others do not use
TOPICS = (
    "В области подняли единовременную выплату контрактникам до трёх миллионов рублей.",
    "Суд приговорил жителя Самары к шести годам колонии за поджог военкомата.",
    "Футбольный клуб выиграл домашний матч чемпионата и поднялся на второе место.",
    "Синоптики обещают похолодание и снегопад к выходным.",
    "Жёны мобилизованных вышли на пикет с требованием ротации.",
    "Центробанк сохранил ключевую ставку на прежнем уровне.",
    "Ученики начали посещать уроки начальной военной подготовки.",
    "Губернатор открыл новый мост через реку после ремонта.",
)
MARKERS = ("▪️", "•", "—", "🔹", "⚡️")
HEADINGS = ("Вечерний итог", "Главное за день", "Коротко", "Итоги дня", "Main news", "In brief", "Сводка на 18:00")
# a list of one case's sentences, and of several regions' payments: one story each, however many lines
SENTENCES = (
    "Иван Смирнов получил двенадцать лет колонии строгого режима за теракт;",
    "Пётр Кузнецов получил десять лет колонии строгого режима за теракт;",
    "Олег Попов получил восемь лет колонии строгого режима за теракт;",
    "Антон Васильев получил семь лет колонии строгого режима за теракт;",
    "Денис Фёдоров получил шесть лет колонии строгого режима за теракт.",
)
REGIONS = (
    "В Белгородской области выплату контрактникам подняли до двух миллионов рублей.",
    "В Курской области выплату контрактникам подняли до полутора миллионов рублей.",
    "В Самарской области выплату контрактникам подняли до миллиона рублей.",
    "В Тверской области выплату контрактникам подняли до восьмисот тысяч рублей.",
    "В Липецкой области выплату контрактникам подняли до семисот тысяч рублей.",
)


def _bulleted(lines: list[str], marker: str, heading: str | None) -> str:
    body = "\n".join(f"{marker} {line}" for line in lines)
    return f"{heading}\n\n{body}" if heading else body


@settings(max_examples=60, deadline=None)
@given(
    topics=st.lists(st.sampled_from(TOPICS), min_size=4, max_size=6, unique=True),
    marker=st.sampled_from(MARKERS),
    heading=st.one_of(st.none(), st.sampled_from(HEADINGS)),
)
def test_four_or_more_bulleted_stories_are_a_digest_with_or_without_a_heading(
    topics: list[str], marker: str, heading: str | None
) -> None:
    parts = digests.parts(_bulleted(topics, marker, heading))
    assert [part.removeprefix(marker).strip() for part in parts] == topics


@settings(max_examples=40, deadline=None)
@given(
    topics=st.lists(st.sampled_from(TOPICS), min_size=3, max_size=3, unique=True),
    marker=st.sampled_from(MARKERS),
    heading=st.sampled_from(HEADINGS),
)
def test_three_bulleted_stories_need_a_heading(topics: list[str], marker: str, heading: str) -> None:
    assert len(digests.parts(_bulleted(topics, marker, heading))) == 3
    assert digests.parts(_bulleted(topics, marker, None)) == []


@settings(max_examples=60, deadline=None)
@given(
    lines=st.sampled_from((SENTENCES, REGIONS)).flatmap(
        lambda pool: st.lists(st.sampled_from(pool), min_size=3, max_size=5, unique=True)
    ),
    marker=st.sampled_from(MARKERS),
    heading=st.one_of(st.none(), st.sampled_from(HEADINGS)),
)
def test_a_list_of_sentences_or_regions_is_one_story(lines: list[str], marker: str, heading: str | None) -> None:
    assert digests.parts(_bulleted(lines, marker, heading)) == []


@settings(max_examples=40, deadline=None)
@given(
    topics=st.lists(st.sampled_from(TOPICS), min_size=3, max_size=6, unique=True),
    marker=st.sampled_from(MARKERS),
)
def test_a_list_a_sentence_introduces_is_one_report(topics: list[str], marker: str) -> None:
    lead = "Суд в Самаре рассмотрел за неделю несколько дел, рассказали в пресс-службе:"
    assert digests.parts(_bulleted(topics, marker, lead)) == []


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("аоеид ртсн,.:;\n▪•—1)"), max_size=400))
def test_parts_are_three_or_more_pieces_of_the_post(text: str) -> None:
    parts = digests.parts(text)
    assert parts == [] or len(parts) >= 3
    assert all(part in text for part in parts)


@settings(max_examples=60, deadline=None)
@given(paragraphs=st.lists(st.sampled_from(TOPICS), min_size=1, max_size=5, unique=True))
def test_a_report_in_paragraphs_without_a_heading_is_one_story(paragraphs: list[str]) -> None:
    assert digests.parts("\n\n".join(paragraphs)) == []


def test_a_list_under_a_heading_naming_its_subject_is_one_story() -> None:
    text = (
        "Что известно о деле Пушкарёва\n"
        "— Студента Пушкарёва задержали в марте у здания военкомата с бутылкой бензина.\n"
        "— Следствие вменяет Пушкарёву покушение на теракт, он признал вину частично.\n"
        "— Мать студента рассказала, что он хотел остановить отправку знакомых на фронт.\n"
        "— Прокурор запросил восемь лет колонии общего режима."
    )
    assert digests.parts(text) == []
    assert len(digests.parts(text.replace("Что известно о деле Пушкарёва", "Главное за неделю"))) == 4


def test_clauses_listed_after_a_heading_are_a_digest() -> None:
    text = (
        "Итоги дня: военкоматы рассылают повестки студентам, суды выносят приговоры за поджоги, "
        "власти региона обещают новые выплаты семьям. До завтра!"
    )
    assert digests.parts(text) == [
        "военкоматы рассылают повестки студентам",
        "суды выносят приговоры за поджоги",
        "власти региона обещают новые выплаты семьям",
    ]


def test_places_or_people_listed_after_a_colon_are_one_report() -> None:
    assert digests.parts("Повестки пришли в трёх городах: в Самаре, в Тольятти и в Сызрани, сообщают жители.") == []
    text = "Военком заявил: повестки получат студенты, выпускники колледжей, работники заводов."
    assert digests.parts(text) == []  # a heading has no verb
    assert digests.parts("Суд приговорил мужчину к шести годам колонии за поджог военкомата.") == []


def test_paragraphs_under_a_heading_are_a_digest_and_a_headlined_article_is_not() -> None:
    digest = "Коротко о главном\n\n" + "\n\n".join(TOPICS[:4])
    assert digests.parts(digest) == list(TOPICS[:4])
    article = (
        "Выплаты контрактникам в области\n\n"
        "Власти области подняли единовременную выплату контрактникам до трёх миллионов рублей.\n\n"
        "Как пояснили в правительстве области, выплату получат все, кто подпишет контракт до конца года.\n\n"
        "Прежде выплата контрактникам в области составляла полтора миллиона рублей.\n\n"
        "Губернатор области назвал решение вынужденным, но необходимым."
    )
    assert digests.parts(article) == []


def _enriched(text: str, **values: object) -> Enrichment:
    item = Item(id=1, source="channel", external_id="7", published_at=dt.datetime(2024, 6, 3, tzinfo=dt.UTC), text=text)
    return stages.enrich_item(dataclasses.replace(item, **values), stages.EnrichOptions(rates=None))


def test_a_digest_is_told_by_its_parts_which_sit_below_the_days_reports() -> None:
    model = relevance.default_model()
    post = Item(
        source="channel",
        external_id="7",
        url="https://t.me/channel/7",
        published_at=dt.datetime(2024, 6, 3, 20, tzinfo=dt.UTC),
        text=_bulleted(list(TOPICS[:4]), "▪️", "Вечерний итог"),
    )
    items = digests.with_parts(post)
    assert items[0] == dataclasses.replace(post, raw={DIGEST_PARTS: 4})
    assert [item.text for item in items[1:]] == list(TOPICS[:4])
    assert [item.external_id for item in items[1:]] == ["7#part-1", "7#part-2", "7#part-3", "7#part-4"]
    assert all(
        (i.url, i.published_at, i.source, i.raw[DIGEST_OF]) == (post.url, post.published_at, "channel", "7")
        for i in items[1:]
    )
    assert digests.with_parts(items[1]) == [items[1]]  # a part is never split again
    assert _enriched(post.text, raw=items[0].raw).is_relevant is False  # its parts tell its stories
    stored_unsplit = _enriched(post.text)  # by a version that did not split digests: listed, below the reports
    assert stored_unsplit.is_relevant is True and stored_unsplit.relevance == model.threshold
    payment = _enriched(TOPICS[0], raw={DIGEST_OF: "7"})
    assert payment.is_relevant is True and payment.relevance == model.threshold  # on the beat, below the reports
    assert model.score(TOPICS[0]) > model.threshold
    assert _enriched(TOPICS[2], raw={DIGEST_OF: "7"}).is_relevant is False  # the football stays off the beat


def test_a_one_line_recap_stays_whole_and_off_the_beat() -> None:
    """Its clauses are headlines of the day's stories, which their reports tell: drafted alone, the demo's recap
    («родственники … продолжают добиваться ротации») became "relatives … have held a protest" in the brief."""
    text = (
        "Итоги дня: военкоматы рассылают повестки студентам, суды выносят приговоры за поджоги, "
        "власти региона обещают новые выплаты семьям. До завтра!"
    )
    post = Item(source="channel", external_id="8", published_at=dt.datetime(2024, 6, 3, tzinfo=dt.UTC), text=text)
    assert digests.with_parts(post) == [post]
    model = relevance.default_model()
    enrichment = _enriched(text)
    assert enrichment.is_relevant is False and enrichment.relevance == model.threshold
    clauses = digests.parts(text)
    assert digests.is_recap(clauses) and max(map(model.score, clauses)) > model.threshold  # only being a recap
