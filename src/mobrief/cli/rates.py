"""Commands: `rates show` (the official rate in force on a day) and `rates update` (fetch the bank's XML
service).
"""

from __future__ import annotations

import datetime as dt

import click

from mobrief.cli.context import AppContext, json_option, pass_app, print_json
from mobrief.newsroom import house_style
from mobrief.style import rates


def rate_table(app: AppContext) -> rates.RateTable:
    """The shipped rates plus every row fetched into the database."""
    return house_style.newsroom_rates(app.store)


@click.group("rates")
def rates_group() -> None:
    """Official Bank of Russia exchange rates used for ruble conversions."""


@rates_group.command("show")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--currency", default="USD", show_default=True)
@json_option
@pass_app
def show(app: AppContext, day: dt.datetime, currency: str, as_json: bool) -> None:
    """The rate in force on DAY (YYYY-MM-DD): the most recent official rate on or before it."""
    row = rate_table(app).row_on(day.date(), currency)
    if as_json:
        print_json({"date": day.date(), "currency": row.currency, "rate": row.rate, "rate_date": row.date})
        return
    click.echo(f"{day.date()}  {row.currency}  {row.rate:.4f}  (the rate applying from {row.date})")


@rates_group.command("update")
@click.option("--url", help="Another server speaking the bank's XML format (default: cbr.ru).")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day to fetch.")
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day to fetch (default today).")
@click.option("--currency", default="USD", show_default=True)
@json_option
@pass_app
def update(
    app: AppContext,
    url: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    currency: str,
    as_json: bool,
) -> None:
    """Fetch official rates from the Bank of Russia and store them.

    Without --from it fetches from the day after the last known rate (or today's daily rates).
    """
    table = rate_table(app)
    first = start.date() if start else None
    if first is None and (span := table.span(currency)) is not None:
        first = span[1] + dt.timedelta(days=1)
    last = end.date() if end else dt.date.today()
    with app.console.status(f"fetching {currency.upper()} rates…"):
        if first is not None and first > last:
            fetched = []
        else:
            fetched = rates.fetch_cbr_rates(
                first, last, currency=currency, url=url, timeout=app.settings.request_timeout
            )
    new, changed = app.store.rates.save(fetched)
    summary = {"fetched": len(fetched), "new": new, "changed": changed, "currency": currency.upper()}
    if fetched:
        summary["first"] = min(r.date for r in fetched)
        summary["last"] = max(r.date for r in fetched)
    if as_json:
        print_json(summary)
    else:
        app.console.print(f"{len(fetched)} rates fetched: {new} new, {changed} changed")


COMMANDS: list[click.Command] = [rates_group]
