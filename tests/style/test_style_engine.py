import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mobrief.cli import cli
from mobrief.records import GlossaryTerm
from mobrief.style import engine, lint
from mobrief.style.rates import RateTable

DAY = dt.date(2024, 6, 3)  # USD rate in force: 90.1201 (set on 2024-06-01)
TERMS = [
    GlossaryTerm(term="Voyennye Advokaty", gloss="Military Lawyers", kind="outlet"),
    GlossaryTerm(term="State Duma", gloss="lower house of Russia's Federal Assembly", kind="institution"),
    GlossaryTerm(term="Tuva", gloss="Russia's constituent republic", kind="region"),
    GlossaryTerm(term="Gosuslugi", gloss="public services portal", count=0, mentioned_in=9),
    GlossaryTerm(term="Rosgvardia", gloss="the Russian National Guard", russian=("Росгвардия",)),
]
INDEX = engine.GlossIndex(TERMS)
RATES = RateTable.shipped()
BRIEF = """Mobilization in Russia for June 2–3, 2024

State Duma

The Voyennye Advokaty Telegram channel said the State Duma will pay 3 million rubles per month.
Later the Voyennye Advokaty channel and the State Duma [the parliament] met in the Republic of Tuva
and in Tuva.
Gosuslugi sent notices; from 1.7 million to 2 million rubles were paid [to the families of Voyennye Advokaty].
"""


def test_apply_glosses_first_mentions_and_converts() -> None:
    out = engine.apply_style(BRIEF, DAY, INDEX, RATES)
    assert "The Voyennye Advokaty [Military Lawyers] Telegram channel" in out
    assert out.count("[Military Lawyers]") == 1
    assert "\nState Duma\n" in out  # headings are never glossed
    assert "lower house of Russia" not in out  # already glossed later: the lint's job, not apply's
    assert "Republic of Tuva\nand in Tuva [Russia's constituent republic]." in out
    assert "Gosuslugi [" not in out  # the archive mentions it but never glosses it
    assert "3 million rubles [$33,300] per month" in out
    assert "from 1.7 million to 2 million rubles [$18,800 to $22,200]" in out


def test_apply_is_idempotent() -> None:
    once = engine.apply_style(BRIEF, DAY, INDEX, RATES)
    assert engine.apply_style(once, DAY, INDEX, RATES) == once


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["State Duma", "Tuva", "3 million rubles", "[$5]", "the", "[sic]", ".", "\n"])))
def test_apply_never_glosses_twice(words: list[str]) -> None:
    text = " ".join(words)
    once = engine.apply_style(text, DAY, INDEX, RATES)
    assert engine.apply_style(once, DAY, INDEX, RATES) == once
    assert once.count("[lower house") <= 1


def test_check_reports_what_apply_would_change_and_more() -> None:
    text = BRIEF.replace("June 2–3, 2024", "June 2-3, 2024 CIT Volunteer Summary") + (
        "The Rosgvardiya reported. The State Duma [lower house of Russia's Federal Assembly] again. "
        "It cost 200,000 rubles [$5,000].\n"
    )
    findings = lint.check_style(text, None, INDEX, RATES)
    codes = [f.code for f in findings]
    assert codes.count("missing-gloss") == 3  # Voyennye Advokaty, Tuva, Rosgvardia (misspelled)
    assert codes.count("missing-conversion") == 2
    assert {"late-gloss", "repeated-gloss", "conversion-off", "spelling", "title"} <= set(codes)
    spelling = next(f for f in findings if f.code == "spelling")
    assert (spelling.line, spelling.suggestion) == (9, "Rosgvardia")
    title = next(f for f in findings if f.code == "title")
    assert (title.line, title.column) == (
        1,
        1,
    ) and title.suggestion == "Mobilization in Russia for June 2–3, 2024"


def test_style_cli_apply_and_check(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    text = "Mobilization in Russia for June 2–3, 2024\n\nThe Rosgvardia unit paid 200,000 rubles.\n"
    applied = runner.invoke(cli, ["--db", db_url, "style", "apply", "--date", "2024-06-03"], input=text)
    assert applied.exit_code == 0, applied.output
    assert applied.output.endswith("Rosgvardia [the Russian National Guard] unit paid 200,000 rubles [$2,220].\n")
    path = tmp_path / "brief.txt"
    path.write_text(applied.output, encoding="utf-8")
    clean = runner.invoke(cli, ["--db", db_url, "style", "check", str(path)])
    assert clean.exit_code == 0, clean.output
    path.write_text(text, encoding="utf-8")
    dirty = runner.invoke(cli, ["--db", db_url, "style", "check", str(path), "--json"])
    assert dirty.exit_code == 1
    found = json.loads(dirty.output)
    assert {f["code"] for f in found} == {"missing-gloss", "missing-conversion"}
    assert found[0]["line"] == 3


def test_apply_outside_the_rate_table_is_an_error(db_url: str) -> None:
    result = CliRunner().invoke(
        cli, ["--db", db_url, "style", "apply", "--date", "2030-01-01"], input="It cost 5 rubles.\n"
    )
    assert result.exit_code == 1
    assert "no USD rate for 2030-01-01" in str(result.exception)


def test_translit_cli(db_url: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db_url, "style", "translit", "Вёрстка"])
    assert (result.exit_code, result.output) == (0, "Vyorstka\n")
