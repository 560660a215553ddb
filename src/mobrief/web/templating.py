"""Jinja2 for the web app: autoescaping on, the filters templates need, one `render` for every page."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from mobrief.brief import render_html
from mobrief.style import dates, rubles, sections
from mobrief.style.rates import RateTable, RateUnavailable
from mobrief.web import highlight, sessions
from mobrief.web.security import safe_url

TEMPLATES = Path(__file__).parent / "templates"

SECTION_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (key, sections.CURRENT_HEADINGS.get(key, "Special topic")) for key in sections.SECTION_ORDER
)


def _when(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""


def _short_when(value: object) -> str:
    """ "Jun 3 17:05" (UTC): a time where space is short; the year only when it is not this year's."""
    if not isinstance(value, dt.datetime):
        return ""
    moment = value.astimezone(dt.UTC)
    return f"{moment:%b} {moment.day} {moment:%H:%M}"


TERM_UNITS = ("months", "years", "days")


def _term_text(amount: object) -> str:
    """A prison term (an extracted amount in months or days) as English reads it: "8 years", "1 year and 6 months"."""
    value = amount.get("value") if isinstance(amount, Mapping) else getattr(amount, "value", 0)
    unit = amount.get("currency") if isinstance(amount, Mapping) else getattr(amount, "currency", "")
    months = round(float(value or 0))
    if unit == "days":
        return f"{months} day{'s' if months != 1 else ''}"
    years, rest = divmod(months, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if rest or not parts:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " and ".join(parts)


def _long_date(value: object) -> str:
    """ "June 5, 2024", "Sept. 22, 2023": a date as the house writes it (correction and withdrawal notes)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date()
    if isinstance(value, dt.date):
        return dates.format_period(value, value)
    return ""


def _marked(text: str, marks: Sequence[tuple[int, int]]) -> Markup:
    """`text` escaped, with the words a search matched in <mark>."""
    spans = [highlight.Span(a, b, "match") for a, b in marks if 0 <= a < b <= len(text)]
    return highlight.mark_up(text, spans)


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None or end is None or end < start:
        return ""
    return dates.format_period(start, end)


def _section_name(key: str | None) -> str:
    if not key:
        return "Unsorted"
    return dict(SECTION_CHOICES).get(key, key)


@functools.cache
def _rates() -> RateTable:
    return RateTable.shipped()


def usd_text(amount: Mapping[str, Any], day: dt.date | None = None) -> str:
    """The dollar value of an extracted amount as the house writes it (`$33,200`), or "" when unknown."""
    usd = amount.get("usd")
    if usd is None and amount.get("currency") == "RUB" and day is not None:
        try:
            usd = rubles.to_usd(float(amount.get("value") or 0), _rates().rate_on(day))
        except (RateUnavailable, ValueError):  # no rate for that day: show the rubles alone rather than guess
            return ""
    if usd is None:
        return ""
    text = rubles.format_usd(float(usd))
    upper = amount.get("value_to")
    if upper and amount.get("currency") == "RUB" and amount.get("value"):
        text += " to " + rubles.format_usd(float(usd) * float(upper) / float(amount["value"]))
    return text


@functools.cache
@functools.lru_cache(maxsize=64)
def section_options(selected: str | None, blank: str | None = None) -> Markup:
    """The <option>s of a section picker, built once per selection: the inbox draws one per row."""
    options = [Markup('<option value="">{}</option>').format(blank)] if blank is not None else []
    for key, name in SECTION_CHOICES:
        chosen = Markup(" selected") if key == selected else Markup("")
        options.append(Markup('<option value="{}"{}>{}</option>').format(key, chosen, name))
    return Markup("").join(options)


def _paragraph(text: str) -> Markup:
    return render_html.paragraph_html(text)


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: source text is hostile
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() of each one on every page
    )
    env.filters["when"] = _when
    env.filters["short_when"] = _short_when
    env.filters["long_date"] = _long_date
    env.filters["term_text"] = _term_text
    env.filters["marked"] = _marked
    env.globals["TERM_UNITS"] = TERM_UNITS
    env.filters["safe_url"] = safe_url
    env.filters["section_name"] = _section_name
    env.filters["usd"] = usd_text
    env.filters["paragraph"] = _paragraph
    env.globals["period"] = _period
    env.globals["SECTION_CHOICES"] = SECTION_CHOICES
    env.globals["section_options"] = section_options
    return env


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A template rendered with the request, the signed-in user and the CSRF token in its context.

    The user is the one the route's dependencies looked up (none on a page that never asked). The token is
    fetched when the template prints it, so a page that prints none gives a visitor no cookie.
    """
    session = sessions.loaded_session(request)
    values = {
        "request": request,
        "user": session.user if session else None,
        "csrf_token": _LazyToken(request),
        "path": request.url.path,
    }
    values.update(context or {})
    body = environment().get_template(name).render(values)
    return HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))


# stands for the session's CSRF token in HTML rendered once for every editor (unguessable, so no text holds it)
CSRF_SLOT = secrets.token_hex(16)


def render_shared(name: str, context: Mapping[str, Any]) -> str:
    """`name` rendered for any signed-in editor: the CSRF token left as `CSRF_SLOT` (`with_csrf` fills it in), so
    the HTML may be kept and served to everyone. The template must print nothing else of the user or request."""
    return environment().get_template(name).render({**context, "csrf_token": Markup(CSRF_SLOT)})


def with_csrf(request: Request, shared: str) -> Markup:
    """HTML from `render_shared` with this session's CSRF token in place."""
    return Markup(shared.replace(CSRF_SLOT, sessions.csrf_token(request)))


class _LazyToken:
    """The session's CSRF token, looked up (and for a visitor put in a cookie) when a template prints it."""

    __slots__ = ("_request", "_value")

    def __init__(self, request: Request) -> None:
        self._request = request
        self._value: Markup | None = None

    def __html__(self) -> Markup:
        if self._value is None:
            # URL-safe base64: nothing to escape, and marking it spares an escape per form on big pages
            self._value = Markup(sessions.csrf_token(self._request))
        return self._value

    def __str__(self) -> str:
        return str(self.__html__())


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
