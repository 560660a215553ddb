"""Commands: `glossary mine/list/add/edit/remove` over the glossary kept in the store."""

from __future__ import annotations

import dataclasses
from typing import Any

import click
from rich.table import Table

from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.newsroom import glossary as newsroom_glossary
from mobrief.newsroom import house_style
from mobrief.records import GlossaryTerm

KINDS = ("term", "outlet", "region", "institution", "person", "override")


def term_as_dict(term: GlossaryTerm) -> dict[str, Any]:
    data = dataclasses.asdict(term)
    data["gloss_rate"] = term.gloss_rate
    return data


@click.group("glossary")
def glossary_group() -> None:
    """The glossary: terms the house glosses at first mention, and its own spellings of names."""


@glossary_group.command("mine")
@json_option
@pass_app
def mine(app: AppContext, as_json: bool) -> None:
    """Extract `Term [gloss]` pairs from the imported archive and store them (editors' entries are kept)."""
    with app.console.status("mining glosses from the archive…"):
        mined = newsroom_glossary.mine(app.store)
    if as_json:
        print_json(dataclasses.asdict(mined))
    else:
        app.console.print(
            f"{mined.terms} terms mined: {mined.new} new, {mined.updated} updated, "
            f"{mined.kept_user_entries} editor entries kept"
        )


@glossary_group.command("list")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--origin", type=click.Choice(["default", "mined", "user"]))
@click.option("--stored", is_flag=True, help="Only terms stored in the database, not the shipped ones.")
@json_option
@pass_app
def list_terms(app: AppContext, kind: str | None, origin: str | None, stored: bool, as_json: bool) -> None:
    """List glossary terms (the shipped glossary merged with the stored one)."""
    terms = app.store.glossary.list() if stored else house_style.newsroom_glossary(app.store)
    terms = [t for t in terms if (not kind or t.kind == kind) and (not origin or t.origin == origin)]
    terms.sort(key=lambda t: t.term.lower())
    if as_json:
        print_json([term_as_dict(t) for t in terms])
        return
    table = Table("term", "gloss", "kind", "origin", "glossed/mentioned")
    for t in terms:
        table.add_row(t.term, t.gloss or "—", t.kind, t.origin, f"{t.count}/{t.mentioned_in}" if t.mentioned_in else "")
    app.out.print(table)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split("|") if v.strip())


@glossary_group.command("add")
@click.argument("term")
@click.argument("gloss", required=False)
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Default: term, or override without a gloss.")
@click.option("--russian", multiple=True, help="A Russian form of the term (repeatable).")
@click.option("--spelling", multiple=True, help="Another way the term is written, flagged by the lint.")
@json_option
@pass_app
def add(
    app: AppContext,
    term: str,
    gloss: str | None,
    kind: str | None,
    russian: tuple[str, ...],
    spelling: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add TERM with its GLOSS (or, without a gloss, a spelling override: --russian forms map to TERM)."""
    saved = newsroom_glossary.add_term(
        app.store, term, gloss, kind=kind, russian=_split(russian), spellings=_split(spelling)
    )
    if as_json:
        print_json(term_as_dict(saved))
    else:
        app.console.print(f"added {saved.term}" + (f" [{saved.gloss}]" if saved.gloss else ""))


@glossary_group.command("edit")
@click.argument("term")
@click.option("--gloss", help="The new canonical gloss (the old one is kept as a variant).")
@click.option("--rename", help="A new spelling of the term itself.")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--russian", multiple=True, help="Replace the Russian forms (repeatable).")
@click.option("--spelling", multiple=True, help="Replace the other spellings (repeatable).")
@json_option
@pass_app
def edit(
    app: AppContext,
    term: str,
    gloss: str | None,
    rename: str | None,
    kind: str | None,
    russian: tuple[str, ...],
    spelling: tuple[str, ...],
    as_json: bool,
) -> None:
    """Edit a term; a shipped term is copied into the database as the editor's own entry."""
    saved = newsroom_glossary.edit_term(
        app.store, term, gloss=gloss, rename=rename, kind=kind, russian=_split(russian), spellings=_split(spelling)
    )
    if as_json:
        print_json(term_as_dict(saved))
    else:
        app.console.print(f"saved {saved.term}" + (f" [{saved.gloss}]" if saved.gloss else ""))


@glossary_group.command("remove")
@click.argument("term")
@json_option
@pass_app
def remove(app: AppContext, term: str, as_json: bool) -> None:
    """Remove a stored term (a shipped term comes back from the default glossary)."""
    newsroom_glossary.remove_term(app.store, term)
    if as_json:
        print_json({"removed": term})
    else:
        app.console.print(f"removed {term}")


COMMANDS: list[click.Command] = [glossary_group]
