"""Sign items in a second process while this one assigns them to stories.

Signing (lemma weights, navec vectors, MinHash, names, numbers) is half of clustering's work and needs nothing
but the item; assignment must run item by item in one process. So on a machine with a spare core, a forked
child reads the items itself (from the database, or from a list it inherited) and sends back their
signatures while the parent assigns the previous batch. A send waits for the parent to read, which bounds
memory to a batch or two; when the parent dies, the child's next send fails and it ends; when the child dies,
the parent's next read fails with a clear error.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection

from mobrief.records import EnrichedItem
from mobrief.stories.signatures import ItemSignature, sign_item

ItemBatches = Callable[[], Iterable[list[EnrichedItem]]]  # called in whichever process signs


class SigningFailed(RuntimeError):
    """The signing process stopped or raised; the message says which."""


def aside_possible() -> bool:
    """Whether a second process can help: a fork start method (the child inherits the loaded models) and a
    second core."""
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def signed_batches(read_batches: ItemBatches, *, aside: bool) -> Iterator[list[ItemSignature]]:
    """The signatures of the batches `read_batches()` yields, in order: signed in a forked child when
    `aside` (and `aside_possible()`), else here."""
    if not (aside and aside_possible()):
        for batch in read_batches():
            yield [sign_item(item) for item in batch]
        return
    processes = multiprocessing.get_context("fork")
    receiver, sender = processes.Pipe(duplex=False)
    child = processes.Process(
        target=_sign_in_child, args=(receiver, sender, read_batches), name="mobrief signer", daemon=True
    )
    child.start()
    sender.close()
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                raise SigningFailed(f"the signing process stopped (exit code {child.exitcode})") from None
            if message[0] == "batch":
                yield message[1]
            elif message[0] == "end":
                return
            else:
                raise SigningFailed(f"the signing process failed: {message[1]}")
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()


def _sign_in_child(receiver: Connection, sender: Connection, read_batches: ItemBatches) -> None:
    receiver.close()  # the parent's end, inherited by the fork: left open here, a dead parent would go unnoticed
    try:
        for batch in read_batches():
            sender.send(("batch", [sign_item(item) for item in batch]))
        sender.send(("end",))
    except (BrokenPipeError, ConnectionResetError):
        return  # the parent is gone
    except Exception as exc:
        with contextlib.suppress(OSError):
            sender.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
