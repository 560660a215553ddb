"""The newsroom's glossary: mine it from the archive, add, edit, rename and remove terms. An edit keeps the old
gloss as a variant, and a shipped term edited becomes the editors' own entry; the CLI is an adapter over these."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from mobrief.errors import ConfigError
from mobrief.newsroom import house_style
from mobrief.records import GlossaryTerm
from mobrief.store import Store
from mobrief.style import glossary


@dataclass(frozen=True, slots=True, kw_only=True)
class Mined:
    """What mining the archive found: terms mined, and how many were new, refreshed, or editors' entries kept."""

    terms: int
    new: int
    updated: int
    kept_user_entries: int


def mine(store: Store) -> Mined:
    """Extract `Term [gloss]` pairs from the imported archive and store them (editors' entries are kept)."""
    mined = glossary.mine_glosses(store.briefs.iter_paragraphs(), house_style.newsroom_glossary(store))
    new, updated, kept = store.glossary.save_mined([m.to_term() for m in mined])
    return Mined(terms=len(mined), new=new, updated=updated, kept_user_entries=kept)


def add_term(
    store: Store,
    term: str,
    gloss: str | None,
    *,
    kind: str | None = None,
    russian: Sequence[str] = (),
    spellings: Sequence[str] = (),
) -> GlossaryTerm:
    """An editor's term with its gloss, or without a gloss a spelling override (its Russian forms map to it)."""
    if not term.strip():
        raise ConfigError("a glossary term cannot be empty")
    if not gloss and not russian:
        raise ConfigError("give a GLOSS, or --russian forms for a spelling override")
    return store.glossary.add(
        GlossaryTerm(
            term=term.strip(),
            gloss=gloss.strip() if gloss else None,
            kind=kind or ("term" if gloss else "override"),
            russian=tuple(russian),
            spellings=tuple(spellings),
            origin="user",
        )
    )


def edit_term(
    store: Store,
    term: str,
    *,
    gloss: str | None = None,
    rename: str | None = None,
    kind: str | None = None,
    russian: Sequence[str] = (),
    spellings: Sequence[str] = (),
) -> GlossaryTerm:
    """Change a term (what is not given stays); a new gloss keeps the old one as a variant, a shipped term is
    copied into the store as the editors' entry, and a rename replaces the stored spelling in one transaction."""
    current = next((t for t in house_style.newsroom_glossary(store) if t.term.lower() == term.lower()), None)
    if current is None:
        current = store.glossary.get(term)  # raises NotFound
    changed = dataclasses.replace(
        current,
        term=rename or current.term,
        gloss=gloss or current.gloss,
        kind=kind or current.kind,
        russian=tuple(russian) or current.russian,
        spellings=tuple(spellings) or current.spellings,
        variants=tuple(dict.fromkeys((*current.variants, current.gloss)))
        if gloss and current.gloss and gloss != current.gloss
        else current.variants,
        history=() if gloss else current.history,
        origin="user",
        id=None,
    )
    replacing = current.term if rename and rename != current.term else None
    return store.glossary.add(changed, replacing=replacing)


def remove_term(store: Store, term: str) -> None:
    """Remove a stored term (a shipped term comes back from the default glossary)."""
    store.glossary.remove(term)
