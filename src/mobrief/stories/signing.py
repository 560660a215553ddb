"""Sign items in a forked child while this process assigns them to stories.

Signing (lemma weights, navec vectors, MinHash, names, numbers) is half of clustering's work and needs nothing
but the item; assignment must run item by item in one process. So with a second core, a forked child reads
the items itself (from the database, or from a list it inherited) and sends back their signatures while this
process assigns the previous batch (`mobrief.forked_stream`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from mobrief import batch_runtime, forked_stream
from mobrief.records import EnrichedItem
from mobrief.stories.signatures import ItemSignature, sign_item

ItemBatches = Callable[[], Iterable[list[EnrichedItem]]]  # called in whichever process signs


def signed_batches(read_batches: ItemBatches, *, aside: bool) -> Iterator[list[ItemSignature]]:
    """The signatures of the batches `read_batches()` yields, in order: signed in a forked child when
    `aside` (and `forked_stream.available()`), else here."""

    def sign() -> Iterator[list[ItemSignature]]:
        with batch_runtime.long_batch():
            for batch in read_batches():
                yield [sign_item(item) for item in batch]

    if aside and forked_stream.available():
        return forked_stream.forked_stream(sign, name="mobrief signer")
    return sign()
