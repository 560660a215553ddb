"""No single item can stop enrichment: a huge one is read within bounded memory, one that fails is set aside
with its error, one that gets its run killed is tried alone and then set aside, and none is retried forever."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from factories import make_item
from mobrief.cli import cli
from mobrief.enrich import entities
from mobrief.newsroom import enrichment
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.store.schema import items

SENTENCES = (
    "Военкомат Энского района разослал повестки мужчинам, которые уже отслужили.",
    "Губернатор Вячеслав Гладков пообещал выплату в 2 млн рублей добровольцам.",
    "Жёны мобилизованных вышли к зданию администрации и потребовали вернуть мужей.",
    "Суд приговорил жителя области к шести годам колонии за поджог военкомата.",
)


def long_text(chars: int) -> str:
    """Varied Russian text of about `chars` characters, in paragraphs."""
    parts, size, n = [], 0, 0
    while size < chars:
        part = f"{SENTENCES[n % 4]} Сообщение {n}.{chr(10) * 2 if n % 7 == 0 else ' '}"
        parts.append(part)
        size += len(part)
        n += 1
    return "".join(parts)[:chars]


def _mobrief(*args: str, env: dict[str, str], limit_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def cap_memory() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "mobrief", *args],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=cap_memory,  # only setrlimit, before exec
        timeout=600,
    )


def test_a_50_mb_item_is_enriched_under_a_memory_cap(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'big.db'}"
    text = long_text(26_000_000)  # 50 MB as UTF-8
    rows = [
        {"source": "s", "external_id": "big", "published_at": "2024-06-02T10:00:00Z", "text": text},
        {"source": "s", "external_id": "small", "published_at": "2024-06-02T10:00:00Z", "text": SENTENCES[0]},
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    env = {**os.environ, "MOBRIEF_MAX_ITEM_CHARS": "50000", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    env.pop("MOBRIEF_DATABASE_URL", None)
    ingested = _mobrief("--db", db, "ingest", "jsonl", str(path), "--json", env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert json.loads(ingested.stdout)["cleaned"] == {"text over the size limit: truncated": 1}
    # and one stored before there was a limit: its whole text in the column
    engine = sa.create_engine(db)
    with engine.begin() as conn:
        conn.execute(sa.update(items).where(items.c.external_id == "small").values(text=text, truncated=False))
    engine.dispose()
    enriched = _mobrief("--db", db, "enrich", "--json", env=env, limit_bytes=3 * 2**30)
    assert enriched.returncode == 0, enriched.stderr[-3000:]
    report = json.loads(enriched.stdout)
    assert (report["enriched"], report["set_aside"]) == (2, [])
    store = open_store(db)
    try:
        assert store.enrichments.count_pending(enrichment.enrich_options(store, settings=Settings()).versions()) == 0
    finally:
        store.close()


def _store_items(store: Store, texts: list[str]) -> list[int]:
    store.items.upsert([make_item(n, text=t) for n, t in enumerate(texts, start=1)], kind="test")
    return [item.id or 0 for item in store.items.iter_all()]


def test_an_item_whose_enrichment_fails_is_set_aside_with_its_error_and_not_retried(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(db_url)
    ids = _store_items(store, [SENTENCES[0], "ОБРУШИТЬ " + SENTENCES[1], SENTENCES[2]])
    real = entities.find_entities
    calls: list[str] = []

    def failing(text: str, **options: Any) -> Any:
        calls.append(text)
        if "ОБРУШИТЬ" in text:
            raise MemoryError("no room for this one")
        return real(text, **options)

    monkeypatch.setattr(entities, "find_entities", failing)
    runner = CliRunner()
    first = runner.invoke(cli, ["--db", db_url, "enrich", "--json"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["enriched"] == 2
    assert report["set_aside"] == [{"item_id": ids[1], "error": "MemoryError: no room for this one"}]
    assert store.enrichments.get(ids[0]) is not None and store.enrichments.get(ids[1]) is None
    calls.clear()
    again = runner.invoke(cli, ["--db", db_url, "enrich", "--json"], catch_exceptions=False)
    assert (json.loads(again.stdout)["enriched"], calls) == (0, [])  # not tried again
    listed = runner.invoke(cli, ["--db", db_url, "enrich", "--set-aside", "--json"], catch_exceptions=False)
    assert json.loads(listed.stdout) == [{"item_id": ids[1], "error": "MemoryError: no room for this one"}]
    plain = runner.invoke(cli, ["--db", db_url, "enrich"], catch_exceptions=False)
    assert plain.exit_code == 0
    monkeypatch.setattr(entities, "find_entities", real)
    retried = runner.invoke(cli, ["--db", db_url, "enrich", "--retry-set-aside", "--json"], catch_exceptions=False)
    assert (json.loads(retried.stdout)["retried"], json.loads(retried.stdout)["enriched"]) == (1, 1)
    assert store.enrichments.list_set_aside() == []
    store.close()


KILLING_RUN = """
import os, signal, sys
from mobrief.enrich import entities
real = entities.find_entities
def find_entities(text, **options):
    if "УБИТЬ" in text:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory
    return real(text, **options)
entities.find_entities = find_entities
from mobrief.cli import main
sys.argv = ["mobrief", "--db", sys.argv[1], "enrich", "--json"]
main()
"""


def test_an_item_that_gets_its_run_killed_is_tried_alone_then_set_aside(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'killed.db'}"
    store = open_store(db)
    ids = _store_items(store, [SENTENCES[0], SENTENCES[1], "УБИТЬ " + SENTENCES[2], SENTENCES[3], SENTENCES[0]])
    script = tmp_path / "killing_run.py"
    script.write_text(KILLING_RUN, encoding="utf-8")

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(script), db], capture_output=True, text=True, timeout=600)

    assert run().returncode == -9  # the whole batch was under way: nothing stored, nothing blamed yet
    assert store.enrichments.get(ids[0]) is None
    assert run().returncode == -9  # each item alone now: the two before it are stored, then it stops the run
    assert [store.enrichments.get(i) is not None for i in ids] == [True, True, False, False, False]
    last = run()
    assert last.returncode == 0, last.stderr[-3000:]
    assert json.loads(last.stdout)["set_aside"] == [{"item_id": ids[2], "error": enrichment.UNFINISHED}]
    assert [store.enrichments.get(i) is not None for i in ids] == [True, True, False, True, True]
    assert run().returncode == 0  # and it is not tried again
    assert store.enrichments.list_set_aside() == [(ids[2], enrichment.UNFINISHED)]
    store.close()
