"""The one-way flow: a lower room never imports a higher one (walks every import with ast)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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
# one writer per table: the brief's own rows are written by store/briefs.py alone (archive import, and the
# drafts and revisions repositories through its functions); a draft's left-out stories by the drafts repository;
# corrections and withdrawals by revisions
BRIEF_TABLE_WRITERS = {
    "briefs": "store/briefs.py",
    "brief_sections": "store/briefs.py",
    "brief_paragraphs": "store/briefs.py",
    "brief_exclusions": "store/drafts.py",
    "brief_revisions": "store/revisions.py",
}


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


def test_each_brief_table_has_one_writer() -> None:
    sources = {
        str(path.relative_to(PACKAGE)): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
        if "alembic" not in path.parts
    }
    writers = {
        table: {
            name
            for name, text in sources.items()
            if re.search(rf"\b{table}\.(?:insert|update|delete)\(|sa\.(?:insert|update|delete)\({table}\)", text)
        }
        for table in BRIEF_TABLE_WRITERS
    }
    assert writers == {table: {writer} for table, writer in BRIEF_TABLE_WRITERS.items()}


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
