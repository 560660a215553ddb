"""Run a generator in a forked child process and read its values here, one by one, as they come.

Parsing, lemmatising and signing are Python work, and threads share one interpreter lock; a forked child
does such work on a second core while this process writes what it sent before. The child inherits what is
loaded (lemma cache, navec), so it starts in milliseconds. A send waits for this process to read, which bounds
memory to a value or two in flight. When this process dies, the child's next send fails and it ends; when
the child dies or raises, reading here raises. Without fork (or a second core) callers run the generator
in-process instead: `available()` says which.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

from mobrief.errors import MobriefError

T = TypeVar("T")


class ChildFailed(MobriefError):
    """The child process stopped without finishing, or raised something that could not be sent back."""


def available() -> bool:
    """Whether a forked child can help: the fork start method exists, and there is a second core."""
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def forked_stream(produce: Callable[[], Iterable[T]], *, name: str) -> Iterator[T]:
    """The values of `produce()`, run in a forked child. An exception in the child is raised here (as itself
    when it pickles, else as ChildFailed with its text)."""
    processes = multiprocessing.get_context("fork")
    receiver, sender = processes.Pipe(duplex=False)
    _widen(sender)
    child = processes.Process(target=_run_child, args=(receiver, sender, produce), name=name, daemon=True)
    was_frozen = gc.get_freeze_count() > 0
    gc.freeze()  # what exists now is shared with the child: no collection in either touches (and copies) it
    try:
        child.start()
    finally:
        if not was_frozen:  # else whoever froze it unfreezes it
            gc.unfreeze()
    sender.close()
    try:
        while True:
            try:
                kind, value = receiver.recv()
            except EOFError:
                child.join(timeout=5)  # the pipe can close before the child is reaped: wait for its exit code
                raise ChildFailed(f"{name}: the process stopped (exit code {child.exitcode})") from None
            if kind == "value":
                yield value
            elif kind == "end":
                return
            else:
                raise value
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()


PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged pipe


def _widen(connection: Connection) -> None:
    """Let the pipe hold a whole batch: at its default 64 KB, a batch of a megabyte or two crosses in dozens of
    turns, each a wake-up of both processes."""
    with contextlib.suppress(AttributeError, OSError):  # F_SETPIPE_SZ is Linux's
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _run_child(receiver: Connection, sender: Connection, produce: Callable[[], Iterable[object]]) -> None:
    receiver.close()  # the parent's end, inherited by the fork: left open here, a dead parent would go unnoticed
    try:
        for value in produce():
            sender.send(("value", value))
        sender.send(("end", None))
    except (BrokenPipeError, ConnectionResetError):
        return  # the parent is gone: nothing left to do
    except Exception as exc:
        with contextlib.suppress(OSError):
            sender.send(("error", _picklable(exc)))
    finally:
        sender.close()


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return ChildFailed(f"{type(exc).__name__}: {exc}")
    return exc
