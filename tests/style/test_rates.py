import datetime as dt

import pytest
from click.testing import CliRunner

from mobrief.cli import cli
from mobrief.records import ExchangeRate
from mobrief.store import open_store
from mobrief.style import rates

DYNAMIC = """<?xml version="1.0" encoding="windows-1251"?>
<ValCurs ID="R01235" DateRange1="01.09.2026" DateRange2="03.09.2026" name="Foreign Currency Market Dynamic">
<Record Date="01.09.2026" Id="R01235"><Nominal>1</Nominal><Value>81,2500</Value>
<VunitRate>81,25</VunitRate></Record>
<Record Date="02.09.2026" Id="R01235"><Nominal>1</Nominal><Value>81,5000</Value>
<VunitRate>81,5</VunitRate></Record>
<Record Date="03.09.2026" Id="R01235"><Nominal>1</Nominal><Value>82,0000</Value>
<VunitRate>82</VunitRate></Record>
</ValCurs>
"""
DAILY = """<?xml version="1.0" encoding="windows-1251"?>
<ValCurs Date="04.09.2026" name="Foreign Currency Market">
<Valute ID="R01235"><NumCode>840</NumCode><CharCode>USD</CharCode><Nominal>1</Nominal><Name>Доллар США</Name>
<Value>82,1000</Value></Valute>
<Valute ID="R01375"><NumCode>156</NumCode><CharCode>CNY</CharCode><Nominal>10</Nominal>
<Name>Китайский юань</Name>
<Value>114,3000</Value></Valute>
</ValCurs>
"""


def test_rate_in_force_is_the_latest_row_on_or_before_the_day() -> None:
    table = rates.RateTable.shipped()
    assert table.rate_on(dt.date(2023, 8, 15)) == pytest.approx(101.0399)
    assert table.rate_on(dt.date(2023, 8, 14)) == pytest.approx(98.2066)  # Monday: Saturday's row


def test_days_outside_the_table_are_errors() -> None:
    table = rates.RateTable.shipped()
    with pytest.raises(rates.RateUnavailable, match="starts on 2021-12-31"):
        table.rate_on(dt.date(2021, 6, 1))
    with pytest.raises(rates.RateUnavailable, match="ends on 2026-08-22"):
        table.rate_on(dt.date(2026, 9, 10))
    assert table.rate_on(dt.date(2026, 8, 30)) > 0  # a week past the last row is still in force


def test_database_rows_extend_the_table() -> None:
    extra = [ExchangeRate(date=dt.date(2026, 9, 1), currency="USD", rate=81.25)]
    assert rates.RateTable.shipped(extra).rate_on(dt.date(2026, 9, 10)) == 81.25


def test_parse_both_xml_services_in_windows_1251() -> None:
    dynamic = rates.parse_cbr_xml(DYNAMIC.encode("cp1251"))
    assert [(r.date.day, r.rate) for r in dynamic] == [(1, 81.25), (2, 81.5), (3, 82.0)]
    daily = rates.parse_cbr_xml(DAILY.encode("cp1251"), "CNY")
    assert daily == [ExchangeRate(date=dt.date(2026, 9, 4), currency="CNY", rate=11.43)]


def test_rate_repository_is_idempotent(store) -> None:  # type: ignore[no-untyped-def]
    row = ExchangeRate(date=dt.date(2026, 9, 1), currency="USD", rate=81.25)
    assert store.rates.save([row]) == (1, 0)
    assert store.rates.save([row]) == (0, 0)
    assert store.rates.save([ExchangeRate(date=row.date, currency="usd", rate=81.3)]) == (0, 1)
    assert store.rates.all() == [ExchangeRate(date=row.date, currency="USD", rate=81.3)]


def test_rates_update_and_show_cli(db_url: str, http_server) -> None:  # type: ignore[no-untyped-def]
    url = http_server.add(
        "/scripts/XML_dynamic.asp?*",
        DYNAMIC.encode("cp1251"),
        headers={"Content-Type": "application/xml; charset=windows-1251"},
    )
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "--db",
            db_url,
            "rates",
            "update",
            "--url",
            url.split("?")[0],
            "--from",
            "2026-09-01",
            "--to",
            "2026-09-03",
        ],
    )
    assert result.exit_code == 0, result.output
    path, _headers = http_server.requests[0]
    assert "VAL_NM_RQ=R01235" in path and "date_req1=01%2F09%2F2026" in path
    store = open_store(db_url)
    assert [r.rate for r in store.rates.all()] == [81.25, 81.5, 82.0]
    store.close()
    shown = runner.invoke(cli, ["--db", db_url, "rates", "show", "2026-09-05", "--json"])
    assert shown.exit_code == 0, shown.output
    assert '"rate": 82.0' in shown.output
    missing = runner.invoke(cli, ["--db", db_url, "rates", "show", "2030-01-01"])
    assert missing.exit_code != 0
