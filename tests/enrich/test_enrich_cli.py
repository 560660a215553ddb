import datetime as dt
import json

import sqlalchemy as sa
from click.testing import CliRunner

from mobrief.cli import cli
from mobrief.newsroom import enrichment
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.store.schema import item_enrichments

ON_BEAT = (
    "Власти Белгородской области подняли единовременную выплату контрактникам до 2 млн рублей. "
    "Об этом сообщил губернатор Вячеслав Гладков. Военкомат также рассылает повестки."
)
OFF_BEAT = "Футбольный клуб обыграл соперника в матче чемпионата, победный гол забил нападающий."


def _items(store: Store) -> list[int]:
    when = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
    store.items.upsert(
        [
            Item(source="test-outlet", external_id="1", published_at=when, text=ON_BEAT, lang="ru"),
            Item(source="test-outlet", external_id="2", published_at=when, text=OFF_BEAT, lang="ru"),
        ],
        kind="jsonl",
    )
    return [item.id for item in store.items.iter_all() if item.id is not None]


def test_enrich_fills_every_column_in_the_export_shape(db_url: str) -> None:
    store = open_store(db_url)
    first, second = _items(store)
    result = CliRunner().invoke(cli, ["--db", db_url, "enrich", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["enriched"] == 2
    assert summary["relevant"] == 1
    on, off = store.enrichments.get(first), store.enrichments.get(second)
    assert on is not None and off is not None
    assert (on.lang, on.is_relevant, off.is_relevant) == ("ru", True, False)
    assert on.section in ("recruitment", "authorities")
    assert [p.key for p in on.places] == ["belgorod-region"]
    (amount,) = on.amounts
    assert amount.currency == "RUB" and amount.value == 2e6 and amount.usd is not None and 15000 < amount.usd < 30000
    assert ("Vyacheslav Gladkov", "person") in {(m.latin, m.kind) for m in on.entities}
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(item_enrichments).where(item_enrichments.c.item_id == first)).one()
    assert set(row.entities[0]) == {"kind", "text", "normalized", "latin"}
    assert set(row.places[0]) >= {"name", "key", "text"}
    assert set(row.amounts[0]) == {"currency", "value", "text", "usd", "value_to", "per"}
    assert set(row.stage_versions) == {"language", "relevance", "entities", "places", "money", "sections"}
    store.close()


def test_enrich_is_idempotent_and_reruns_only_a_changed_stage(db_url: str) -> None:
    store = open_store(db_url)
    _items(store)
    settings = Settings(database_url=db_url)
    assert enrichment.enrich_pending(store, settings=settings).enriched == 2
    assert enrichment.enrich_pending(store, settings=settings).enriched == 0
    # a newly trained relevance model makes only the relevance stage stale
    result = CliRunner().invoke(cli, ["--db", db_url, "relevance", "train", "--json"])
    assert result.exit_code == 0, result.output
    report = enrichment.enrich_pending(store, settings=settings)
    assert report.enriched == 2
    assert report.stages_run == {"relevance": 2}
    assert enrichment.enrich_pending(store, settings=settings).enriched == 0
    store.close()


def test_editor_decisions_and_sections_train_the_models(db_url: str) -> None:
    store = open_store(db_url)
    first, second = _items(store)
    store.enrichments.set_editor_decision(first, "keep")
    store.enrichments.set_editor_decision(second, "skip")
    store.enrichments.set_editor_section(first, "recruitment")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db_url, "relevance", "train", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["editor_decisions"] == 2
    result = runner.invoke(cli, ["--db", db_url, "sections", "train", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["editor_sections"] == 1
    assert store.models.get("sections") is not None
    assert store.models.get("relevance") is not None
    result = runner.invoke(cli, ["--db", db_url, "enrich"])
    assert result.exit_code == 0, result.output
    enrichment = store.enrichments.get(first)
    assert enrichment is not None
    assert (enrichment.section, enrichment.section_confidence, enrichment.editor_decision) == (
        "recruitment",
        1.0,
        "keep",
    )
    store.close()


def test_sections_classify_reads_and_writes_jsonl(sqlite_store: Store) -> None:
    url = str(sqlite_store.engine.url)
    rows = [
        {"id": "a", "text": "Суд приговорил мужчину к 12 годам колонии за госизмену"},
        {"id": 7, "text": "Школьников учат на уроках начальной военной подготовки"},
    ]
    stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n"
    result = CliRunner().invoke(cli, ["--db", url, "sections", "classify"], input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["id"], o["section"]) for o in out] == [("a", "legal"), (7, "children")]
    assert all(0 < o["confidence"] <= 1 for o in out)


def test_sections_classify_names_the_bad_line(sqlite_store: Store) -> None:
    url = str(sqlite_store.engine.url)
    result = CliRunner().invoke(cli, ["--db", url, "sections", "classify"], input='{"id": 1}\n')
    assert result.exit_code != 0
    assert "<stdin>:1 [text]" in str(result.exception)
