import datetime as dt

from click.testing import CliRunner

from mobrief.cli import cli
from mobrief.records import ArchiveParagraph, GlossaryTerm
from mobrief.style import glossary

BRIEFS = {
    1: (
        dt.date(2023, 3, 2),
        [
            "The Volny Veter [Free Wind] Telegram channel reported that the State Duma [lower house of the "
            "Federal Assembly of Russia] passed the bill. Volny Veter also said 5,000 rubles [$66] were "
            "paid.",
            "The official said the ministry [the regional ministry] and [sic] the rest. Nobody from Gorodok "
            "commented; the Chairman of the Defense Committee of the State Duma spoke.",
        ],
    ),
    2: (
        dt.date(2025, 6, 10),
        [
            "However, the Volny Veter [Free Wind] project noted that the State Duma [lower house of Russia’s "
            "Federal Assembly] and Head of Tuva [Russia's constituent republic] Ivan Petrov met in Gorodok.",
        ],
    ),
    3: (dt.date(2025, 7, 1), ["Gorodok residents met the State Duma deputy. Volny Veter wrote about it."]),
}


def paragraphs() -> list[ArchiveParagraph]:
    return [
        ArchiveParagraph(brief_id=bid, period_end=day, section_key="authorities", heading=None, position=i, text=t)
        for bid, (day, texts) in BRIEFS.items()
        for i, t in enumerate(texts)
    ]


def test_pairs_skip_conversions_and_editorial_brackets() -> None:
    pairs = glossary.find_gloss_pairs(BRIEFS[1][1][0] + " " + BRIEFS[1][1][1])
    assert [(p.term, p.gloss) for p in pairs] == [
        ("Volny Veter", "Free Wind"),
        ("State Duma", "lower house of the Federal Assembly of Russia"),
    ]


def test_term_boundaries_drop_openers_and_roles() -> None:
    pairs = glossary.find_gloss_pairs(BRIEFS[2][1][0])
    assert [p.term for p in pairs] == ["Volny Veter", "State Duma", "Tuva"]


def test_mining_counts_dates_and_drift() -> None:
    mined = {m.term: m for m in glossary.mine_glosses(paragraphs())}
    duma = mined["State Duma"]
    assert duma.gloss == "lower house of Russia’s Federal Assembly"  # the most recent
    assert {u.gloss for u in duma.uses} == {
        "lower house of Russia’s Federal Assembly",
        "lower house of the Federal Assembly of Russia",
    }
    assert (duma.count, duma.mentioned_in) == (2, 3)
    assert (duma.first_seen, duma.last_seen) == (dt.date(2023, 3, 2), dt.date(2025, 6, 10))
    assert mined["Volny Veter"].count == 2
    assert mined["Tuva"].to_term().kind == "region"
    assert "ministry" not in mined and "sic" not in mined


def test_known_terms_never_glossed_are_measured() -> None:
    known = [GlossaryTerm(term="Gorodok", gloss="a town", kind="term", origin="default")]
    mined = {m.term: m for m in glossary.mine_glosses(paragraphs(), known)}
    assert (mined["Gorodok"].count, mined["Gorodok"].mentioned_in) == (0, 3)
    assert mined["Gorodok"].to_term().gloss_rate == 0.0


def test_gloss_for_a_date_uses_the_wording_of_the_time() -> None:
    term = {m.term: m for m in glossary.mine_glosses(paragraphs())}["State Duma"].to_term()
    assert glossary.gloss_for(term, dt.date(2023, 5, 1)) == "lower house of the Federal Assembly of Russia"
    assert glossary.gloss_for(term, dt.date(2026, 1, 1)) == "lower house of Russia’s Federal Assembly"
    assert glossary.gloss_for(term) == term.gloss


def test_default_glossary_has_canonical_glosses_and_overrides() -> None:
    terms = {t.term: t for t in glossary.load_default_glossary()}
    assert terms["Rosgvardia"].gloss == "the Russian National Guard"
    assert "Росгвардия" in terms["Rosgvardia"].russian
    assert terms["Karelia"].gloss == "Russia's constituent republic"
    assert glossary.default_overrides()["Сергей Шойгу"] == "Sergei Shoigu"
    assert len({t.term.lower() for t in terms.values()}) == len(terms)


def test_repository_round_trip(store) -> None:  # type: ignore[no-untyped-def]
    mined = [m.to_term() for m in glossary.mine_glosses(paragraphs())]
    assert store.glossary.save_mined(mined)[0] == len(mined)
    duma = store.glossary.get("state duma")
    assert duma.history and duma.mentioned_in == 3 and duma.origin == "mined"
    store.glossary.add(GlossaryTerm(term="State Duma", gloss="lower house", origin="user"))
    assert store.glossary.save_mined(mined)[2] == 1  # the editor's entry is kept
    assert store.glossary.get("State Duma").gloss == "lower house"
    store.glossary.remove("State Duma")
    assert "State Duma" not in {t.term for t in store.glossary.list()}


def test_glossary_cli(db_url: str) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["--db", db_url, "glossary", "add", "Volny Veter", "Free Wind", "--kind", "outlet"])
    assert added.exit_code == 0, added.output
    edited = runner.invoke(cli, ["--db", db_url, "glossary", "edit", "Volny Veter", "--gloss", "Free Wind channel"])
    assert edited.exit_code == 0, edited.output
    listed = runner.invoke(cli, ["--db", db_url, "glossary", "list", "--stored", "--json"])
    assert '"gloss": "Free Wind channel"' in listed.output and '"Free Wind"' in listed.output
    removed = runner.invoke(cli, ["--db", db_url, "glossary", "remove", "Volny Veter"])
    assert removed.exit_code == 0, removed.output
    again = runner.invoke(cli, ["--db", db_url, "glossary", "remove", "Volny Veter"])
    assert again.exit_code == 1
