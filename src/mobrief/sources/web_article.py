"""Web articles: fetch a URL (or read a saved page), keep its bytes as a snapshot, extract with trafilatura.

Comments are excluded (`include_comments=False`). A page trafilatura finds no article in is still kept: the
snapshot, the `<title>` and a warning, so the claim it supports stays citable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item, Snapshot
from mobrief.settings import Settings
from mobrief.sources import http_fetch
from mobrief.sources.registry import AdapterOption, SourceContext, register_source

DATE_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dc.date.issued",
)
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


@dataclass(slots=True)
class PageMeta:
    """What a page's markup declares about itself: title, meta tags, canonical URL, language, first time."""

    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    lang: str | None = None
    first_time: str | None = None


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageMeta()
        self._in_title = False
        self._title_parts: list[str] = []

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
        elif tag == "time" and values.get("datetime") and self.page.first_time is None:
            self.page.first_time = values["datetime"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.page.title = " ".join("".join(self._title_parts).split())

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page as text: charset from the Content-Type header, else from a <meta>, else UTF-8."""
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if charset is None:
        match = _CHARSET.search(body[:4096])
        charset = match.group(1).decode("ascii", "replace") if match else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def read_page_meta(html: str) -> PageMeta:
    """Title, meta tags, canonical link, `<html lang>` and first `<time datetime>` of a page."""
    parser = _MetaParser()
    parser.feed(html)
    parser.close()
    return parser.page


def parse_date(value: str) -> dt.datetime | None:
    """An ISO 8601 date or datetime as aware UTC (a date alone is midnight UTC); None when unreadable."""
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = dt.datetime.combine(dt.date.fromisoformat(value[:10]), dt.time())
        except ValueError:
            return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def language_code(value: str | None) -> str | None:
    """'ru-RU' → 'ru'; None for nothing usable."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """What extraction found in a page; `extracted` is False when no article text was found."""

    title: str
    text: str
    author: str | None
    published_at: dt.datetime | None
    lang: str | None
    canonical_url: str | None
    site_name: str | None
    extracted: bool


def extract_article(snapshot: Snapshot) -> Article:
    """Title, author, date and main text of a fetched page, comments excluded (trafilatura)."""
    html = decode_html(snapshot.body, snapshot.content_type)
    page = read_page_meta(html)
    import trafilatura  # imported here: it takes a second to load, and most ingests never extract a page

    base_url = snapshot.url if snapshot.url.startswith("http") else None
    document = trafilatura.bare_extraction(html, url=base_url, include_comments=False, with_metadata=True)
    found: dict[str, Any] = {}
    if document is not None:
        found = document if isinstance(document, dict) else document.as_dict()
    text = (found.get("text") or "").strip()
    title = found.get("title") or page.meta.get("og:title") or page.title
    if text and title and text.startswith(title + "\n"):  # trafilatura repeats the <h1> as the first line
        text = text[len(title) + 1 :].lstrip()
    published_at = None
    for key in DATE_META_KEYS:
        if page.meta.get(key):
            published_at = parse_date(page.meta[key])
            if published_at:
                break
    if published_at is None and page.first_time:
        published_at = parse_date(page.first_time)
    if published_at is None and found.get("date"):
        published_at = parse_date(str(found["date"]))
    author = found.get("author") or page.meta.get("author")
    return Article(
        title=title or "",
        text=text,
        author=author or None,
        published_at=published_at,
        lang=language_code(page.lang or page.meta.get("og:locale")),
        canonical_url=page.canonical or page.meta.get("og:url") or None,
        site_name=page.meta.get("og:site_name") or None,
        extracted=bool(text),
    )


def fetch_snapshot(client: httpx.Client, url: str, settings: Settings) -> Snapshot:
    """GET a page and keep its bytes exactly as served (SourceUnavailable when it cannot be fetched)."""
    response = http_fetch.fetch(client, url, settings=settings)
    return Snapshot(
        url=str(response.url),
        content_type=response.headers.get("Content-Type", "text/html"),
        body=response.content,
        fetched_at=dt.datetime.now(dt.UTC),
    )


def read_saved_page(location: str) -> Snapshot:
    """A page saved to disk, as a snapshot of its bytes (SourceUnavailable when it cannot be read)."""
    path = Path(location.removeprefix("file://"))
    try:
        body = path.read_bytes()
        fetched_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError as exc:
        raise SourceUnavailable(location, f"cannot read the file: {exc.strerror or exc}") from exc
    return Snapshot(url=path.resolve().as_uri(), content_type="text/html", body=body, fetched_at=fetched_at)


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def host_name(url: str) -> str:
    """'https://www.Example.org/a' → 'example.org'."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def article_item(
    snapshot: Snapshot,
    article: Article,
    *,
    source: str,
    published_at: dt.datetime,
    raw: dict[str, Any] | None = None,
    external_id: str | None = None,
) -> Item:
    """The item for a page: extracted fields, the snapshot kept, the canonical URL as its identity."""
    url = article.canonical_url or (snapshot.url if is_remote(snapshot.url) else None)
    identity = external_id or url or hashlib.sha256(snapshot.body).hexdigest()[:32]
    return Item(
        source=source,
        external_id=identity,
        url=url,
        published_at=published_at,
        title=article.title,
        text=article.text,
        lang=article.lang,
        author=article.author,
        raw={"extracted": article.extracted, "site_name": article.site_name, **(raw or {})},
        snapshot=snapshot,
    )


@register_source
class WebArticle:
    """Reads one article page from the web, or a page saved to disk, into one item with its snapshot."""

    name: ClassVar[str] = "url"
    summary: ClassVar[str] = "One web article (URL, or a saved .html file): text, title, date, snapshot."
    location_help: ClassVar[str] = "URL|PATH"
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(name="name", help="Store the item under this source name (default: the site's host)."),
    )

    def __init__(self, context: SourceContext, *, name: str | None = None) -> None:
        self.context = context
        self.name_option = name

    def source_name(self, location: str) -> str:
        if self.name_option:
            return self.name_option
        if is_remote(location):
            return host_name(location)
        snapshot = read_saved_page(location)
        page = read_page_meta(decode_html(snapshot.body))
        declared = page.canonical or page.meta.get("og:url")
        if declared and is_remote(declared):
            return host_name(declared)
        return page.meta.get("og:site_name") or Path(location).stem

    def read(self, location: str) -> Iterator[Item | BadRecord]:
        if is_remote(location):
            with http_fetch.make_client(self.context.settings) as client:
                snapshot = fetch_snapshot(client, location, self.context.settings)
        else:
            snapshot = read_saved_page(location)
        if self.context.progress is not None:
            self.context.progress(1, 1)
        article = extract_article(snapshot)
        if not article.extracted:
            self.context.warnings.append(
                f"{location}: no article text found; kept the page snapshot and its title {article.title!r}"
            )
        published_at = article.published_at
        if published_at is None:
            published_at = snapshot.fetched_at
            self.context.warnings.append(f"{location}: the page states no date; using the time it was read")
        yield article_item(snapshot, article, source=self.source_name(location), published_at=published_at)
