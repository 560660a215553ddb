"""What an article page says about itself, and the choices made from it: publication time, authors, title.

The publication time comes from the page's JSON-LD (`datePublished`, never `dateModified`), then its meta
tags, then a `<time>` element, then trafilatura's date search (htmldate) with its time of day kept; a time
without an offset takes the offset the page gives elsewhere, and everything is stored in UTC. Authors come
from JSON-LD people, then meta tags, then trafilatura, and never from a photo credit. Titles lose the site
name and date pages append, by rules that hold on every site and a small table of our own for the rest
(`data/sites.toml`), which also lists a site's standing lines (a trust statement under every article).

Parsed with the stdlib `html.parser` (as in web_article): we need a handful of tags, not a tree.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import resources
from typing import Any

ARTICLE_TYPES = frozenset(
    {
        "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
        "report", "techarticle", "scholarlyarticle",
    }
)  # fmt: skip
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "videoobject", "mediaobject"})
PUBLISHED_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
)  # never article:modified_time, og:updated_time, datemodified: an update is not when it was published
_MODIFIED = re.compile(r"modif|updat", re.IGNORECASE)
_PUBLISHED = re.compile(r"publish|pubdate|created", re.IGNORECASE)
_OFFSET = re.compile(r"(?:[+-]\d{2}:?\d{2}|Z)$")
_HAS_TIME = re.compile(r"\d[T ,]+\d{1,2}:\d{2}")
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—•·»:]|::|-)\s+")
_DATE_WORDS = re.compile(
    r"^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}\s+\w+\s+\d{4}(?:\s+г(?:ода|\.)?)?|\w+\s+\d{1,2},\s+\d{4})$"
)
_CREDIT = re.compile(
    r"^(?:фото|photo|foto|источник|source|иллюстрация|illustration|скриншот|screenshot|кадр|видео|video|image|"
    r"изображение|credit|getty|©|\(c\))|instagram|инстаграм|shutterstock|\bфото\b",
    re.IGNORECASE,
)
_GENERIC_STANDING = (
    re.compile(r"cookie|куки\b|кук[иа]-файл", re.IGNORECASE),  # a cookie notice that slipped into the text
    re.compile(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE),
    re.compile(r"(?:все права защищены|all rights reserved)\.?$", re.IGNORECASE),
)
COOKIE_XPATH = (
    "//*[contains(translate(@class, 'COKIE', 'cokie'), 'cookie') or contains(translate(@id, 'COKIE', 'cokie'), "
    "'cookie') or contains(@class, 'consent') or contains(@id, 'consent') or contains(@class, 'gdpr')]"
)


@dataclass(slots=True)
class PageMeta:
    """What a page's markup declares about itself: title, meta tags, canonical URL, language, `<time>`
    elements (datetime and what their attributes say they are), and its JSON-LD objects."""

    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    lang: str | None = None
    times: list[tuple[str, str]] = field(default_factory=list)  # (datetime, "published"/"modified"/"")
    json_ld: list[Any] = field(default_factory=list)

    @property
    def first_time(self) -> str | None:
        return self.times[0][0] if self.times else None


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageMeta()
        self._in_title = False
        self._title_parts: list[str] = []
        self._json_ld: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "html" and values.get("lang"):
            self.page.lang = values["lang"]
        elif tag == "title" and not self.page.title:
            self._in_title = True
        elif tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and values.get("content") and key not in self.page.meta:
                self.page.meta[key] = values["content"].strip()
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split() and values.get("href"):
            self.page.canonical = self.page.canonical or values["href"].strip()
        elif tag == "time" and values.get("datetime"):
            marks = " ".join((values.get("itemprop", ""), values.get("class", ""), "pubdate" * ("pubdate" in values)))
            kind = "modified" if _MODIFIED.search(marks) else "published" if _PUBLISHED.search(marks) else ""
            self.page.times.append((values["datetime"].strip(), kind))
        elif tag == "script" and "ld+json" in values.get("type", "").lower():
            self._json_ld = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.page.title = " ".join("".join(self._title_parts).split())
        elif tag == "script" and self._json_ld is not None:
            found = _load_json_ld("".join(self._json_ld))
            if found is not None:
                self.page.json_ld.append(found)
            self._json_ld = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
        elif self._json_ld is not None:
            self._json_ld.append(data)


def _load_json_ld(text: str) -> Any:
    """A JSON-LD block as written on real pages: wrapped in comments or CDATA, with control characters in
    strings or a trailing comma; None when it still is no JSON."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("//<![CDATA[").removesuffix("//]]>").strip().rstrip(";")
    for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def read_page_meta(html: str) -> PageMeta:
    """Title, meta tags, canonical link, `<html lang>`, `<time>` elements and JSON-LD of a page."""
    parser = _MetaParser()
    parser.feed(html)
    parser.close()
    return parser.page


# ---- JSON-LD ----


def _objects(value: Any, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    """Every object of a JSON-LD document: top level, lists, `@graph`, and the entity a page is about."""
    if depth > 6:
        return
    if isinstance(value, list):
        for element in value:
            yield from _objects(element, depth + 1)
    elif isinstance(value, Mapping):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if isinstance(value.get(key), list | Mapping):
                yield from _objects(value[key], depth + 1)


def _types(obj: Mapping[str, Any]) -> set[str]:
    kind = obj.get("@type")
    names = kind if isinstance(kind, list) else [kind]
    return {str(name).lower().rsplit("/", 1)[-1] for name in names if isinstance(name, str)}


def json_ld_articles(page: PageMeta) -> list[Mapping[str, Any]]:
    """The page's JSON-LD objects that describe it: articles first, then web pages, then anything dated."""
    found = [obj for document in page.json_ld for obj in _objects(document)]
    articles = [obj for obj in found if _types(obj) & ARTICLE_TYPES]
    pages = [obj for obj in found if _types(obj) & PAGE_TYPES and obj not in articles]
    dated = [obj for obj in found if obj.get("datePublished") and obj not in articles and obj not in pages]
    return articles + pages + dated


# ---- the publication time ----


_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_date(value: str, default_offset: dt.tzinfo | None = None) -> dt.datetime | None:
    """A date or datetime as aware UTC: ISO 8601, RFC 2822 ("Thu, 08 Jan 2026 17:46:00 +0200") or the dotted
    day-first form Russian sites write ("08.01.2026 17:46"). One without an offset takes `default_offset`
    (else UTC); a date alone is midnight. None when unreadable."""
    value = value.strip()
    if not value:
        return None
    parsed = _parse_any(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_offset or dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        return None


def _parse_any(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        pass
    if dotted := _DOTTED.match(value):
        day, month, year, hour, minute, second = (int(g) if g else 0 for g in dotted.groups())
        try:
            return dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
    if value[:1].isalpha() and "," in value[:5]:
        import email.utils

        try:
            return email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value[:10]), dt.time())
    except ValueError:
        return None


def _offset_of(value: str) -> dt.tzinfo | None:
    if not _OFFSET.search(value.strip()):
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T", 1)).tzinfo
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class FoundTime:
    """The publication time chosen, and where it was read (for the item's raw record)."""

    value: dt.datetime
    method: str  # "json-ld", "meta:article:published_time", "time", "htmldate"


def publication_time(page: PageMeta, fallback: str | None = None) -> FoundTime | None:
    """The page's publication time by the order above (`fallback` is trafilatura's date, tried after the
    page's own markup; a JSON-LD `dateModified` only after that, when nothing says when it was published).

    A candidate giving a date without a time of day yields to a later one giving the same date with a time;
    a time without an offset takes the first offset any date on the page gives.
    """
    candidates: list[tuple[str, str]] = []
    modified: list[str] = []
    for obj in json_ld_articles(page):
        for key in ("datePublished", "dateCreated"):
            if isinstance(obj.get(key), str):
                candidates.append((obj[key], "json-ld"))
        if isinstance(obj.get("dateModified"), str):
            modified.append(obj["dateModified"])
    candidates += [(page.meta[key], f"meta:{key}") for key in PUBLISHED_META_KEYS if page.meta.get(key)]
    candidates += [(value, "time") for value, kind in page.times if kind == "published"]
    candidates += [(value, "time") for value, kind in page.times if not kind]
    if fallback:
        candidates.append((fallback, "htmldate"))
    candidates += [(value, "json-ld:dateModified") for value in modified]
    page_modified = [v for k, v in page.meta.items() if _MODIFIED.search(k)] + [v for v, k in page.times if k]
    offsets = (_offset_of(value) for value in [*(c for c, _ in candidates), *page_modified])
    offset = next((o for o in offsets if o is not None), None)
    chosen: FoundTime | None = None
    chosen_day: dt.date | None = None
    for value, method in candidates:
        parsed = parse_date(value, offset)
        written = _parse_any(value.strip())
        if parsed is None or written is None:
            continue
        has_time = bool(_HAS_TIME.search(value.strip()))
        if chosen is None:
            if has_time:
                return FoundTime(parsed, method)
            chosen, chosen_day = FoundTime(parsed, method), written.date()
        elif has_time and written.date() == chosen_day:
            return FoundTime(parsed, method)
    return chosen


# ---- authors ----


def plausible_author(name: str) -> bool:
    """Whether a byline names a person or an outlet rather than a photo credit, a link or a sentence."""
    name = name.strip()
    if not name or len(name) > 80 or len(name.split()) > 6 or "://" in name or "@" in name:
        return False
    return not _CREDIT.search(name)


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [name for element in value for name in _names(element)]
    if isinstance(value, Mapping):
        if _types(value) & {"organization", "newsmediaorganization"}:
            return []  # the outlet, not who wrote it
        return _names(value.get("name"))
    return []


def choose_author(page: PageMeta, extracted: str | None) -> str | None:
    """Who wrote the article: JSON-LD people, else the `author` meta tag, else trafilatura's find; photo
    credits and the like are never taken (a list of names is kept, joined by ", ")."""
    for obj in json_ld_articles(page):
        names = [n.strip() for n in _names(obj.get("author")) if plausible_author(n)]
        if names:
            return ", ".join(dict.fromkeys(names))
    for candidate in (page.meta.get("author"), page.meta.get("article:author"), extracted):
        if not candidate:
            continue
        names = [n.strip() for n in re.split(r";|\n", candidate) if plausible_author(n)]
        if names:
            return ", ".join(dict.fromkeys(names))
    return None


# ---- titles and standing lines ----


@dataclass(frozen=True, slots=True)
class SiteRules:
    """What one site adds to its pages: title suffixes and standing lines (regular expressions)."""

    title_suffixes: tuple[re.Pattern[str], ...] = ()
    standing_lines: tuple[re.Pattern[str], ...] = ()


@functools.cache
def _site_table() -> dict[str, SiteRules]:
    raw = tomllib.loads(resources.files("mobrief.sources").joinpath("data/sites.toml").read_text("utf-8"))
    return {
        host: SiteRules(
            title_suffixes=tuple(re.compile(p) for p in rules.get("title_suffixes", ())),
            standing_lines=tuple(re.compile(p) for p in rules.get("standing_lines", ())),
        )
        for host, rules in raw.get("sites", {}).items()
    }


def site_rules(host: str) -> SiteRules:
    """The table's rules for a host (www. dropped; a subdomain falls back to its parent), else none."""
    table = _site_table()
    host = host.lower().removeprefix("www.")
    while host:
        if host in table:
            return table[host]
        host = host.partition(".")[2] if host.count(".") > 1 else ""
    return SiteRules()


def _names_of_site(site_name: str | None, host: str) -> set[str]:
    names = {host.lower().removeprefix("www."), host.lower().removeprefix("www.").split(".")[0]}
    if site_name:
        names.add(site_name.strip().lower())
    return {name for name in names if name}


def clean_title(title: str, *, site_name: str | None, host: str) -> str:
    """A title without what the site appends: its table's suffixes, then trailing segments after a separator
    (" | ", " — ", " - ") that are the site's name or a date. A sentence's own dash stays."""
    title = " ".join(title.split())
    for pattern in site_rules(host).title_suffixes:
        title = pattern.sub("", title).strip()
    names = _names_of_site(site_name, host)
    while separators := list(_TITLE_SEPARATOR.finditer(title)):
        last = separators[-1]
        tail = title[last.end() :].strip(" «»\"'").lower()
        head = title[: last.start()].strip()
        if not head or (tail not in names and not _DATE_WORDS.match(tail)):
            break
        title = head
    return title


def drop_standing_lines(text: str, host: str) -> str:
    """The text without the site's standing lines (table) and without cookie notices or copyright lines."""
    rules = site_rules(host).standing_lines
    kept = []
    for paragraph in text.split("\n"):
        line = paragraph.strip()
        if line and (any(p.search(line) for p in rules) or (len(line) < 300 and _generic_standing(line))):
            continue
        kept.append(paragraph)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _generic_standing(line: str) -> bool:
    cookie, copyright_, reserved = _GENERIC_STANDING
    if cookie.search(line):
        return True
    return bool(copyright_.search(line) or reserved.search(line))
