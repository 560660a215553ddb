"""Fictional reports written for the clustering tests, and helpers to store them with their enrichment.

A module of its own name (not `conftest`): tests/web has a conftest too, and test modules that import
helpers from "conftest" get whichever was imported first when both rooms run in one pytest call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from mobrief.records import EnrichedItem, Item
from mobrief.store import Store
from mobrief.store.schema import item_enrichments, items

T0 = dt.datetime(2024, 6, 3, 8, 0, tzinfo=dt.UTC)


def _region(key: str, name: str, text: str) -> dict[str, Any]:
    return {"key": key, "name": name, "text": text, "kind": "region"}


def _person(text: str, normalized: str, latin: str) -> dict[str, Any]:
    return {"kind": "person", "text": text, "normalized": normalized, "latin": latin}


TAMBOV = _region("tambov-region", "the Tambov region", "Тамбовской области")
LIPETSK = _region("lipetsk-region", "the Lipetsk region", "Липецкой области")
SAMARA = _region("samara-region", "the Samara region", "Самаре")
GOVERNOR_T = _person("Евгений Первухин", "Евгений Первухин", "Yevgeny Pervukhin")
GOVERNOR_L = _person("Игорь Артемьев", "Игорь Артемьев", "Igor Artemyev")
DEFENDANT = _person("Алексей Пушкарев", "Алексей Пушкарёв", "Aleksei Pushkaryov")


@dataclass(frozen=True)
class Report:
    """One fictional report and what enrichment would find in it; `event` is the truth."""

    key: str
    event: str
    source: str
    url: str
    hours: float  # after T0
    text: str
    places: Sequence[dict[str, Any]] = ()
    entities: Sequence[dict[str, Any]] = ()
    relevant: bool = True
    section: str | None = "recruitment"
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def published_at(self) -> dt.datetime:
        return T0 + dt.timedelta(hours=self.hours)


REPORTS = [
    Report(
        key="tambov-1",
        event="tambov",
        source="Вести Тамбов",
        url="https://vesti-tambov.example/news/2024/06/03/vyplata",
        hours=1,
        text=(
            "Власти Тамбовской области увеличили единовременную выплату добровольцам, подписавшим контракт "
            "с Министерством обороны, до 3 млн рублей. Об этом сообщил губернатор региона Евгений Первухин. "
            "По его словам, новая сумма действует с 1 июня. Ранее контрактникам в регионе выплачивали "
            "1,2 млн рублей. С учетом федеральной выплаты в 400 тысяч рублей доброволец получит "
            "3,4 млн рублей."
        ),
        places=(TAMBOV,),
        entities=(GOVERNOR_T,),
    ),
    Report(
        key="tambov-2",
        event="tambov",
        source="Тамбовская жизнь",
        url="https://tamlife.example/society/12345",
        hours=2.5,
        text=(
            "Губернатор Тамбовской области Евгений Первухин подписал постановление о повышении региональной "
            "выплаты для граждан, заключивших контракт на военную службу. Теперь доброволец получит "
            "3 миллиона рублей вместо прежних 1,2 миллиона. Вместе с федеральными 400 тысячами рублей "
            "сумма достигнет "
            "3,4 млн рублей, уточнили в пресс-службе областной администрации."
        ),
        places=(TAMBOV,),
        entities=(GOVERNOR_T,),
    ),
    Report(
        key="lipetsk-1",
        event="lipetsk",
        source="Липецкие новости",
        url="https://lipetsk-news.example/2024/06/03/kontrakt",
        hours=3,
        text=(
            "В Липецкой области выросла единовременная выплата добровольцам, заключившим контракт "
            "с Минобороны: теперь она составляет 2,5 млн рублей. Решение принял губернатор Игорь Артемьев. "
            "Ранее выплата в регионе составляла 800 тысяч рублей. Федеральная выплата в 400 тысяч рублей "
            "сохраняется, сообщили в правительстве области."
        ),
        places=(LIPETSK,),
        entities=(GOVERNOR_L,),
    ),
    Report(
        key="lipetsk-2",
        event="lipetsk",
        source="Город 48",
        url="https://gorod48.example/news/998877",
        hours=5,
        text=(
            "Губернатор Липецкой области Игорь Артемьев сообщил о повышении региональной выплаты для "
            "подписавших контракт с Министерством обороны до 2,5 миллиона рублей. Прежде добровольцы "
            "получали 800 тысяч рублей. Кроме того, за ними сохраняется федеральная выплата "
            "в 400 тысяч рублей."
        ),
        places=(LIPETSK,),
        entities=(GOVERNOR_L,),
    ),
    Report(
        key="sentence-1",
        event="sentence",
        source="Медиазона",
        url="https://zona.example/news/2024/06/03/pushkarev",
        hours=6,
        text=(
            "Самарский районный суд приговорил Алексея Пушкарева к шести годам колонии общего режима по делу "
            "об антивоенных надписях на здании военкомата. Пушкарева задержали в феврале, все это время он "
            "находился под домашним арестом. Свою вину он не признал, сообщает «Медиазона». Обвинение "
            "просило для него семь лет лишения свободы."
        ),
        places=(SAMARA,),
        entities=(DEFENDANT,),
        section="legal",
    ),
    Report(
        key="sentence-2",
        event="sentence",
        source="ОВД-Инфо",
        url="https://ovd.example/news/2024/06/03/samara-graffiti",
        hours=8,
        text=(
            "В Самаре суд назначил шесть лет колонии Алексею Пушкареву, которого обвиняли в вандализме по "
            "мотивам политической ненависти за антивоенные надписи на здании военкомата. Прокурор просил "
            "семь лет. Пушкарев вину не признал и заявил, что обжалует приговор."
        ),
        places=(SAMARA,),
        entities=(DEFENDANT,),
        section="legal",
    ),
    Report(
        key="football",
        event="football",
        source="Спорт-Экспресс",
        url="https://sport.example/football/2024/06/03/derby",
        hours=7,
        text=(
            "«Зенит» на своем поле обыграл «Спартак» со счетом 2:1 в матче 28-го тура Российской "
            "премьер-лиги. "
            "Победный мяч на 87-й минуте забил нападающий петербуржцев. После этой победы команда "
            "сохранила первое место в турнирной таблице, опережая ближайшего преследователя на три очка."
        ),
        relevant=False,
        section=None,
    ),
]

# The arrest that the sentence continues, four months earlier.
ARREST = Report(
    key="arrest",
    event="arrest",
    source="Медиазона",
    url="https://zona.example/news/2024/02/10/samara-graffiti",
    hours=-24 * 114,
    text=(
        "В Самаре задержан 34-летний местный житель Алексей Пушкарев, которого подозревают в нанесении "
        "антивоенных надписей на здание военкомата. Против него возбуждено уголовное дело о вандализме "
        "по мотивам политической ненависти. Суд отправил Пушкарева под домашний арест, сообщает «Медиазона»."
    ),
    places=(SAMARA,),
    entities=(DEFENDANT,),
    section="legal",
)


def enriched(report: Report, item_id: int, **changes: Any) -> EnrichedItem:
    """The report as clustering reads it from the store."""
    values: dict[str, Any] = {
        "id": item_id,
        "source": report.source,
        "external_id": report.key,
        "url": report.url,
        "published_at": report.published_at,
        "text": report.text,
        "raw": dict(report.raw),
        "lang": "ru",
        "is_relevant": report.relevant,
        "section": report.section,
        "entities": tuple(report.entities),
        "places": tuple(report.places),
    }
    values.update(changes)
    return EnrichedItem(**values)


def store_reports(store: Store, reports: Iterable[Report], *, enrich: bool = True) -> dict[str, int]:
    """Ingest reports as items (and, as `mobrief enrich` would, their enrichment); external_id → item id."""
    reports = list(reports)
    batch = [
        Item(
            source=r.source,
            external_id=r.key,
            url=r.url,
            published_at=r.published_at,
            text=r.text,
            lang="ru",
            raw=dict(r.raw),
        )
        for r in reports
    ]
    store.items.upsert(batch, kind="jsonl")
    keys = [r.key for r in reports]
    with store.engine.begin() as conn:
        ids = {
            row.external_id: int(row.id)
            for row in conn.execute(sa.select(items.c.id, items.c.external_id).where(items.c.external_id.in_(keys)))
        }
        if enrich:
            for report in reports:
                conn.execute(
                    item_enrichments.insert().values(
                        item_id=ids[report.key],
                        lang="ru",
                        relevance=0.9 if report.relevant else 0.1,
                        is_relevant=report.relevant,
                        section=report.section,
                        entities=list(report.entities),
                        places=list(report.places),
                        amounts=[],
                        stage_versions={},
                        updated_at=dt.datetime.now(dt.UTC),
                    )
                )
    return ids
