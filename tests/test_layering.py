"""The one-way flow: a lower room never imports a higher one (walks every import with ast)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from mobrief.store.schema import metadata

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mobrief"

# room → rooms (and top-level modules) it may import; everything may import the shared base modules
BASE = {"records", "errors", "settings", "item_limits", "lemmas", "forked_stream", "batch_runtime", "__version__"}
ALLOWED = {
    "sources": set(),
    "store": {"style"},  # search spells a query as the house transliterates (style only reads its own data)
    "style": set(),
    "enrich": {"style"},
    "stories": {"enrich", "style"},
    "brief": {"stories", "enrich", "style"},  # records in, records out: the use cases read and write the store
    # the newsroom's use cases sit above every stage; cli, web and tasks are adapters over them
    "newsroom": {"sources", "store", "enrich", "stories", "style", "brief"},
    "tasks": {"newsroom", "sources", "store", "enrich", "stories", "style", "brief"},
    "web": {"newsroom", "store", "enrich", "stories", "style", "brief", "sources"},
    "cli": {"newsroom", "sources", "store", "enrich", "stories", "style", "brief", "web", "tasks"},
}

# what only the use cases sequence: an adapter asks the newsroom to process items, never the stages one by one
SEQUENCED_BY_THE_NEWSROOM = {
    "enrich_pending", "cluster_pending", "cluster_pending_items", "draft_recent", "forget_all", "replay_decisions",
    "recompose_for_stories",
}  # fmt: skip
ADAPTERS_MOVED_TO_THE_NEWSROOM = {
    "cli/enrich.py": "process_pending",
    "cli/demo.py": "process_pending",
    "cli/stories.py": "cluster_stories",
    "web/routes/stories.py": "merge_stories",  # and split_story, move_reports: the drafts follow inside
    "web/routes/inbox.py": "merge_stories",
}

# the store is the one gateway to the database. Outside store/, only the task queue speaks SQL and holds the
# engine (Procrastinate's connector needs it); a use case that writes through several repositories asks the
# store for one transaction (Store.transaction); brief/, newsroom/, web/ and the rest go through the Store.
SPEAK_SQL = {"tasks.py"}
HOLD_THE_ENGINE = {"tasks.py"}
# one writer per table: every table the schema defines is inserted into, updated and deleted from by one module of
# store/, which exposes small functions taking the caller's connection when another repository's transaction must
# write it too (store/briefs.py, store/stories.py, store/sessions.py …). Found from the code: a table's `insert()`,
# `update()`, `delete()`; `sa.insert(table)`, an upsert's `insert(dialect, table)`; SQL text naming it. Tables the
# schema does not define (Procrastinate's, the queue schema's version row, the full-text indexes migrations make)
# are not checked.
WRITE_VERBS = {"insert", "update", "delete"}
SQL_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)")
# helpers handed a table by the writer that calls them (the writer is found at its call)
TABLE_HELPERS = {"store/upserts.py": "INSERT … ON CONFLICT for the dialect, given its table by the calling writer"}
# tables with more than one writer, and why (none: a new exception needs a reason here)
SHARED_TABLES: dict[str, str] = {}


def _room(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imported_rooms(path: Path) -> set[str]:
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "mobrief":
                names = [f"mobrief.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "mobrief" and len(parts) > 1:
                rooms.add(parts[1])
    return rooms


def test_no_room_imports_a_higher_one() -> None:
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        room = _room(path)
        if room in BASE or room in ("__init__", "__main__") or "alembic" in path.parts:
            continue
        allowed = ALLOWED.get(room)
        assert allowed is not None, f"{path}: room {room!r} is not in the layering table"
        for target in _imported_rooms(path) - BASE - {room}:
            if target not in allowed:
                violations.append(f"{path.relative_to(PACKAGE)} imports mobrief.{target}")
    assert violations == []


def test_base_modules_import_no_room() -> None:
    for name in BASE - {"__version__"}:
        assert _imported_rooms(PACKAGE / f"{name}.py") <= BASE, name


def test_every_room_states_its_job() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and doc.strip().endswith("."), f"{init} needs a one-sentence docstring"


def test_commands_moved_to_the_newsroom_leave_sequencing_to_it() -> None:
    for name, use_case in ADAPTERS_MOVED_TO_THE_NEWSROOM.items():
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        called = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert called & SEQUENCED_BY_THE_NEWSROOM == set(), f"{name} sequences stages itself"
        assert use_case in called, f"{name} does not call newsroom's {use_case}"


def _outside_the_store() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if _room(p) != "store"]


def test_only_the_store_speaks_sql() -> None:
    speaking = set()
    for path in _outside_the_store():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "sqlalchemy" or n.startswith(("sqlalchemy.", "mobrief.store.schema")) for n in names):
                speaking.add(str(path.relative_to(PACKAGE)))
    assert speaking <= SPEAK_SQL, f"{sorted(speaking - SPEAK_SQL)}: ask a Store repository instead of writing SQL"


def test_outside_the_store_only_a_few_modules_hold_the_engine() -> None:
    holding = set()
    for path in _outside_the_store():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Attribute) and n.attr == "engine" for n in ast.walk(tree)):
            holding.add(str(path.relative_to(PACKAGE)))
        for node in ast.walk(tree):
            if isinstance(node, ast.arg) and node.annotation is not None and "Engine" in ast.unparse(node.annotation):
                holding.add(str(path.relative_to(PACKAGE)))
    assert holding <= HOLD_THE_ENGINE, f"{sorted(holding - HOLD_THE_ENGINE)}: go through Store repositories"


def _table_writes(path: Path, tables: set[str]) -> tuple[set[str], list[str]]:
    """The schema tables a module writes, and the writes whose table it names only through a variable."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bound: dict[str, str] = {}  # local name → table, from `from mobrief.store.schema import x [as y]`
    schema_names = set()  # local names of the schema module itself
    builders = set()  # local names of what builds a statement: sqlalchemy, its dialects, store/upserts.py
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            builders |= {alias.asname or alias.name for alias in node.names if alias.name.startswith("sqlalchemy")}
        elif isinstance(node, ast.ImportFrom) and node.module == "mobrief.store.schema":
            bound |= {alias.asname or alias.name: alias.name for alias in node.names if alias.name in tables}
        elif isinstance(node, ast.ImportFrom) and node.module == "mobrief.store":
            schema_names |= {alias.asname or alias.name for alias in node.names if alias.name == "schema"}
            builders |= {alias.asname or alias.name for alias in node.names if alias.name == "upserts"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            builders |= {alias.asname or alias.name for alias in node.names}

    def table_of(expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            return bound.get(expr.id)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in schema_names:
            return expr.attr if expr.attr in tables else None
        return None

    written: set[str] = set()
    unnamed: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            written |= {name for name in SQL_WRITE.findall(node.value) if name in tables}
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if not isinstance(func, ast.Attribute | ast.Name) or _verb(func) not in WRITE_VERBS:
            continue
        if isinstance(func, ast.Attribute) and not node.args and not node.keywords:  # table.insert()
            target = func.value
        elif node.args and _called_on(func) in builders:  # sa.insert(table), upserts.insert(dialect, table)
            target = node.args[-1]
        else:
            continue
        table = table_of(target)
        if table is not None:
            written.add(table)
        elif isinstance(target, ast.Name):
            unnamed.append(f"line {node.lineno}: {ast.unparse(node)[:70]}")
    return written, unnamed


def _verb(func: ast.Attribute | ast.Name) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id


def _called_on(func: ast.Attribute | ast.Name) -> str | None:
    """`insert` for `insert(…)`, `sa` for `sa.insert(…)`: the name a statement builder is reached by."""
    if isinstance(func, ast.Name):
        return func.id
    return func.value.id if isinstance(func.value, ast.Name) else None


def test_each_table_has_one_writer_in_the_store() -> None:
    """Every table of the schema (new ones too) is written by exactly one module, in store/; the others call it."""
    tables = set(metadata.tables)
    writers: dict[str, set[str]] = {table: set() for table in tables}
    unnamed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "alembic" in path.parts:  # migrations shape the tables, and may move their rows while they do
            continue
        name = str(path.relative_to(PACKAGE))
        written, through_variables = _table_writes(path, tables)
        for table in written:
            writers[table].add(name)
        if name not in TABLE_HELPERS:
            unnamed += [f"{name} {where}" for where in through_variables]
    assert unnamed == [], f"{unnamed}: write a table by its name from mobrief.store.schema, so its writer is known"
    shared = {t: sorted(w) for t, w in sorted(writers.items()) if len(w) != 1 and t not in SHARED_TABLES}
    assert shared == {}, f"tables without exactly one writer: {shared}"
    outside = {t: sorted(w) for t, w in sorted(writers.items()) if any(_room(PACKAGE / m) != "store" for m in w)}
    assert outside == {}, f"tables written outside store/: {outside}"


def test_the_writer_finder_sees_each_way_of_writing_a_table(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "import sqlalchemy as sa\n"
        "from mobrief.store import upserts\n"
        "from mobrief.store.schema import items as items_table, sessions, stories, story_links, users\n"
        "conn.execute(stories.update().where(stories.c.id == 1))\n"
        "conn.execute(sa.delete(sessions))\n"
        "conn.execute(upserts.insert(conn.dialect.name, story_links))\n"
        "conn.execute(items_table.insert())\n"
        "conn.exec_driver_sql('DELETE FROM briefs WHERE id = 1')\n"
        "conn.execute(sa.select(users))\n"
        "for table in (users,):\n"
        "    conn.execute(table.delete())\n",
        encoding="utf-8",
    )
    written, unnamed = _table_writes(module, set(metadata.tables))
    assert written == {"stories", "sessions", "story_links", "items", "briefs"}
    assert unnamed == ["line 11: table.delete()"]


def test_stories_and_brief_compute_and_never_take_the_store() -> None:
    """stories/ and brief/ compute over records; the use cases in newsroom/ read and write through the store."""
    taking = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if _room(path) not in ("stories", "brief"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("mobrief.store"):
                continue
            if any(alias.name == "Store" for alias in node.names):
                taking.add(str(path.relative_to(PACKAGE)))
    assert sorted(taking) == [], f"{sorted(taking)}: make it a use case in newsroom/, or pass it what it reads"
