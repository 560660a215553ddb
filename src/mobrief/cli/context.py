"""What every command shares: settings, the store (opened on first use), JSON output and the console."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from mobrief.settings import Settings
from mobrief.store import Store, open_store

F = TypeVar("F", bound=Callable[..., Any])


class AppContext:
    """Settings plus a lazily opened store, passed to commands as click's context object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self.console = Console(stderr=True)
        self.out = Console(highlight=False, soft_wrap=True)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.database_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def json_option(func: F) -> F:
    """Add `--json` (machine-readable output) to a command."""
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(func)


def print_json(data: Any) -> None:
    """Print one JSON document on standard output (dates and other objects as strings)."""
    click.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2))


pass_app = click.make_pass_decorator(AppContext)


@contextmanager
def progress_bar(app: AppContext, label: str) -> Iterator[Callable[[int, int | None], None]]:
    """A transient rich progress bar; yields update(done, total)."""
    columns = (
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=app.console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
