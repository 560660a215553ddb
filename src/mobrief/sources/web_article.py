"""Web articles: fetch a URL (or read a saved page), keep its bytes as a snapshot, extract with trafilatura.

Comments are excluded (`include_comments=False`). A page trafilatura finds no article in is still kept: the
snapshot, the `<title>` and a warning, so the claim it supports stays citable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item, Snapshot
from mobrief.settings import Settings
from mobrief.sources import article_meta, http_fetch
from mobrief.sources.article_meta import read_page_meta
from mobrief.sources.registry import AdapterOption, SourceContext, register_source

_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
DATE_SEARCH = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


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


def language_code(value: str | None) -> str | None:
    """'ru-RU' → 'ru'; None for nothing usable."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """What extraction found in a page; `extracted` is False when no article text was found; `date_method`
    says where the publication time was read ("json-ld", "meta:article:published_time", "time", "htmldate")."""

    title: str
    text: str
    author: str | None
    published_at: dt.datetime | None
    lang: str | None
    canonical_url: str | None
    site_name: str | None
    extracted: bool
    date_method: str | None = None


def extract_article(snapshot: Snapshot) -> Article:
    """Title, author, publication time and main text of a fetched page, comments and cookie banners
    excluded (trafilatura); see `article_meta` for how time, author and title are chosen."""
    html = decode_html(snapshot.body, snapshot.content_type)
    page = read_page_meta(html)
    import trafilatura  # imported here: it takes a second to load, and most ingests never extract a page

    base_url = snapshot.url if snapshot.url.startswith("http") else None
    document = trafilatura.bare_extraction(
        html,
        url=base_url,
        include_comments=False,
        with_metadata=True,
        prune_xpath=article_meta.COOKIE_XPATH,
        date_extraction_params=DATE_SEARCH,
    )
    found: dict[str, Any] = {}
    if document is not None:
        found = document if isinstance(document, dict) else document.as_dict()
    canonical = next((url for url in (page.canonical, page.meta.get("og:url")) if url and is_web_address(url)), None)
    host = host_name(canonical or snapshot.url)
    site_name = page.meta.get("og:site_name") or None
    headline = next(
        (obj["headline"] for obj in article_meta.json_ld_articles(page) if isinstance(obj.get("headline"), str)), None
    )
    title = headline or found.get("title") or page.meta.get("og:title") or page.title or ""
    title = article_meta.clean_title(title, site_name=site_name, host=host)
    text = (found.get("text") or "").strip()
    if text and title and text.startswith(title + "\n"):  # trafilatura repeats the <h1> as the first line
        text = text[len(title) + 1 :].lstrip()
    text = article_meta.drop_standing_lines(text, host)
    when = article_meta.publication_time(page, str(found["date"]) if found.get("date") else None)
    return Article(
        title=title,
        text=text,
        author=article_meta.choose_author(page, found.get("author")),
        published_at=when.value if when else None,
        lang=language_code(page.lang or page.meta.get("og:locale")),
        canonical_url=canonical,
        site_name=site_name,
        extracted=bool(text),
        date_method=when.method if when else None,
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


def is_web_address(url: str) -> bool:
    """Whether `url` is an http(s) address with a host (a page may declare 'http://[oops' as its own)."""
    try:
        return is_remote(url) and bool(urlsplit(url).hostname)
    except ValueError:
        return False


def host_name(url: str) -> str:
    """'https://www.Example.org/a' → 'example.org' ('' when `url` names no host)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
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
        raw={
            "extracted": article.extracted,
            "site_name": article.site_name,
            "date_from": article.date_method,
            **(raw or {}),
        },
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
        if declared and is_web_address(declared):
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
