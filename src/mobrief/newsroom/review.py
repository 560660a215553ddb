"""Review a draft before publication, the one review the editor's pages and the publish step read: the draft, the
newsroom's glossary and rates and the people its reports name are read through the store, and `brief.review`
finds what keeps each entry from being published."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mobrief.brief.review import HouseRules, Review, check_draft, item_ids_of, people_in
from mobrief.newsroom import house_style
from mobrief.records import Draft
from mobrief.store import Store


def house_rules(store: Store, people: Iterable[Mapping[str, object]] = ()) -> HouseRules:
    """What the lint checks against: the newsroom's glossary (shipped + stored) and rates, and the house spellings
    of these people."""
    return HouseRules.of(house_style.newsroom_glossary(store), house_style.newsroom_rates(store), people)


def people_of(store: Store, draft: Draft) -> list[Mapping[str, object]]:
    """The people enrichment found in the reports a draft's entries rest on."""
    return people_in(store.enrichments.get_many(item_ids_of(draft)).values())


def review_draft(store: Store, brief_id: int, rules: HouseRules | None = None) -> Review:
    """Every entry of a stored draft with what keeps it from being published."""
    draft = store.drafts.get(brief_id)
    return check_draft(draft, rules or house_rules(store, people_of(store, draft)))
