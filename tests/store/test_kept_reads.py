"""Reads kept while nothing is committed: a commit from any connection, of this process or another, is seen."""

from __future__ import annotations

from mobrief.store import Store, open_store


def _another_process(store: Store) -> Store:
    """A second store on the same database: its own engine and connections, as another process has."""
    return open_store(store.engine.url.render_as_string(hide_password=False), migrate=False)


def test_the_commit_token_moves_with_any_commit_and_only_then(store: Store) -> None:
    first = store.kept.watch.token()
    assert first is not None
    store.outlet_aliases.all()  # reads commit nothing
    assert store.kept.watch.token() == first
    store.outlet_aliases.set("vyorstka_tg", "Vyorstka")  # a write through this process's own pool
    second = store.kept.watch.token()
    assert second != first
    other = _another_process(store)
    try:
        other.outlet_aliases.set("astra_tg", "Astra")
    finally:
        other.close()
    assert store.kept.watch.token() != second


def test_a_kept_value_is_read_again_after_another_process_commits(store: Store) -> None:
    reads: list[dict[str, str]] = []

    def read() -> dict[str, str]:
        reads.append(store.outlet_aliases.all())
        return reads[-1]

    assert store.kept.get("aliases", read) == {}
    assert store.kept.get("aliases", read) == {}
    assert len(reads) == 1  # kept
    other = _another_process(store)
    try:
        other.outlet_aliases.set("astra_tg", "Astra")
    finally:
        other.close()
    assert store.kept.get("aliases", read) == {"astra_tg": "Astra"}
    assert len(reads) == 2


def test_a_value_read_across_a_commit_is_not_kept(store: Store) -> None:
    other = _another_process(store)
    try:

        def read_while_another_commits() -> dict[str, str]:
            seen = store.outlet_aliases.all()
            other.outlet_aliases.set("astra_tg", "Astra")  # commits after the token was taken and the read made
            return seen

        assert store.kept.get("aliases", read_while_another_commits) == {}
        assert store.kept.get("aliases", store.outlet_aliases.all) == {"astra_tg": "Astra"}
    finally:
        other.close()


def test_a_block_takes_one_token_for_its_reads(store: Store) -> None:
    store.kept.get("warm", lambda: 0)  # this token's values begun (checking the token once more)
    taken: list[object] = []
    watch = store.kept.watch
    token = watch.token

    def counting() -> object:
        taken.append(token())
        return taken[-1]

    watch.token = counting  # type: ignore[method-assign]
    with store.shared_reads():
        store.kept.get("a", lambda: 1)
        store.kept.get("b", lambda: 2)
        store.kept.get("a", lambda: 3)
    assert len(taken) == 1
    assert store.kept.get("a", lambda: 4) == 1  # still kept after the block: nothing was committed


def test_an_in_memory_database_keeps_nothing() -> None:
    memory = open_store("sqlite://")
    try:
        assert memory.kept.get("a", lambda: 1) == 1
        assert memory.kept.get("a", lambda: 2) == 2
    finally:
        memory.close()
