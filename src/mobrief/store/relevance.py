"""The one rule for whether the beat keeps a report: an editor's keep or skip overrides the model's relevance."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from mobrief.store.schema import item_enrichments


def relevant() -> sa.ColumnElement[Any]:
    """A report's relevance once editors have had their say, over `item_enrichments`: true for "keep", false for
    "skip", otherwise what the model said (null when nothing is known, as for an item not yet enriched)."""
    decision = item_enrichments.c.editor_decision
    return sa.case(
        (decision == "keep", sa.true()),
        (decision == "skip", sa.false()),
        else_=item_enrichments.c.is_relevant,
    )


def kept() -> sa.ColumnElement[bool]:
    """The reports the beat keeps: those `relevant` calls relevant (unknown is not kept)."""
    return relevant().is_(True)
