"""RSS 0.9x/1.0/2.0 and Atom feeds (a URL with conditional GET, or a file) via feedparser, plus articles.

The conditional-GET validators (ETag, Last-Modified) live in the source's saved state, so an unchanged feed
costs one 304 and yields nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import feedparser
import httpx

from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item
from mobrief.sources import http_fetch, web_article
from mobrief.sources.html_text import html_to_text
from mobrief.sources.registry import AdapterOption, SourceContext, register_source

NOT_MODIFIED = "feeds not modified since the last run"


def _entry_time(entry: Mapping[str, Any]) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:  # feedparser gives a UTC struct_time
            year, month, day, hour, minute, second = value[:6]
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    return None


def _entry_body(entry: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    contents = entry.get("content") or []
    value = contents[0].get("value", "") if contents else entry.get("summary", "")
    found = html_to_text(value or "")
    return found.text, found.links


def entry_to_item(
    entry: Mapping[str, Any], *, index: int, source: str, location: str, feed_lang: str | None
) -> Item | BadRecord:
    """One feed entry as an Item, or a BadRecord naming the entry index and the missing field."""
    link = entry.get("link") or None
    guid = entry.get("id") or None
    if not link and not guid:
        return BadRecord(location, index, "link", f"entry {index} has neither a link nor a guid/id")
    published_at = _entry_time(entry)
    if published_at is None:
        return BadRecord(location, index, "published", f"entry {index} ({link or guid}) has no usable date")
    # feedparser copies an Atom id into `link` when there is none: only a web address is a URL
    url = next((str(v) for v in (link, guid) if v and str(v).startswith(("http://", "https://"))), None)
    text, links = _entry_body(entry)
    contents = entry.get("content") or []
    lang = web_article.language_code(contents[0].get("language") if contents else None) or feed_lang
    raw = {
        key: entry[key]
        for key in ("id", "link", "title", "author", "published", "updated", "tags", "summary")
        if key in entry
    }
    if "tags" in raw:
        raw["tags"] = [tag.get("term") for tag in raw["tags"] if tag.get("term")]
    return Item(
        source=source,
        external_id=str(guid or link),
        url=url,
        published_at=published_at,
        title=html_to_text(entry.get("title", "")).text,
        text=text,
        lang=lang,
        author=entry.get("author") or None,
        links=links,
        raw=raw,
    )


def parse_feed(body: bytes, location: str, content_type: str | None = None) -> Any:
    """The feedparser result for a document; SourceUnavailable("not a feed") when it is none."""
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(body, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f" ({reason})" if reason else ""
        raise SourceUnavailable(location, f"not a feed: no RSS or Atom document found{detail}")
    return parsed


@register_source
class Feed:
    """Reads an RSS or Atom feed; with `fetch_articles`, also each entry's page, keeping its snapshot."""

    name: ClassVar[str] = "feed"
    summary: ClassVar[str] = "An RSS or Atom feed, by URL (conditional GET) or as a file."
    location_help: ClassVar[str] = "URL|PATH"
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(name="name", help="Store items under this source name (default: host, or feed title)."),
        AdapterOption(
            name="fetch_articles",
            help="Also fetch each entry's page and extract the full article.",
            is_flag=True,
            default=False,
        ),
    )

    def __init__(self, context: SourceContext, *, name: str | None = None, fetch_articles: bool = False) -> None:
        self.context = context
        self.name_option = name
        self.fetch_articles = fetch_articles

    def source_name(self, location: str) -> str:
        if self.name_option:
            return self.name_option
        if web_article.is_remote(location):
            return web_article.host_name(location)
        parsed = parse_feed(self._read_file(location), location)
        title = html_to_text(parsed.feed.get("title", "")).text
        return title or Path(location).stem

    def _read_file(self, location: str) -> bytes:
        try:
            return Path(location).read_bytes()
        except OSError as exc:
            raise SourceUnavailable(location, f"cannot read the file: {exc.strerror or exc}") from exc

    def _download(self, client: httpx.Client, url: str) -> httpx.Response:
        headers = {}
        if self.context.state.get("etag"):
            headers["If-None-Match"] = str(self.context.state["etag"])
        if self.context.state.get("last_modified"):
            headers["If-Modified-Since"] = str(self.context.state["last_modified"])
        return http_fetch.fetch(client, url, settings=self.context.settings, headers=headers)

    def read(self, location: str) -> Iterator[Item | BadRecord]:
        source = self.source_name(location)
        if not web_article.is_remote(location):
            parsed = parse_feed(self._read_file(location), location)
            with http_fetch.make_client(self.context.settings) as client:
                yield from self._entries(parsed, location, source, client)
            return
        with http_fetch.make_client(self.context.settings) as client:
            response = self._download(client, location)
            if response.status_code == 304:
                self.context.count(NOT_MODIFIED)
                return
            parsed = parse_feed(response.content, location, response.headers.get("Content-Type"))
            validators = {
                "etag": response.headers.get("ETag"),
                "last_modified": response.headers.get("Last-Modified"),
            }
            for key, value in validators.items():
                if value:
                    self.context.state[key] = value
                else:
                    self.context.state.pop(key, None)
            yield from self._entries(parsed, location, source, client)

    def _entries(self, parsed: Any, location: str, source: str, client: httpx.Client) -> Iterator[Item | BadRecord]:
        feed_lang = web_article.language_code(parsed.feed.get("language"))
        total = len(parsed.entries)
        for index, entry in enumerate(parsed.entries):
            record = entry_to_item(entry, index=index, source=source, location=location, feed_lang=feed_lang)
            if isinstance(record, Item) and self.fetch_articles and record.url:
                if index:
                    time.sleep(self.context.settings.request_delay)
                record = self._with_article(client, record)
            if self.context.progress is not None:
                self.context.progress(index + 1, total)
            yield record

    def _with_article(self, client: httpx.Client, item: Item) -> Item:
        """The entry completed from its page: text, author and snapshot; the feed's version if that fails."""
        assert item.url is not None
        try:
            snapshot = web_article.fetch_snapshot(client, item.url, self.context.settings)
        except SourceUnavailable as exc:
            self.context.warnings.append(f"{exc}; kept the feed entry without the article")
            return item
        article = web_article.extract_article(snapshot)
        raw = {**item.raw, "article_extracted": article.extracted}
        if not article.extracted:
            self.context.warnings.append(
                f"{item.url}: no article text found; kept the page snapshot with the feed's title and date"
            )
            text, author = item.text, item.author
        else:
            text, author = article.text, article.author or item.author
        return Item(
            source=item.source,
            external_id=item.external_id,
            url=item.url,
            published_at=item.published_at,
            title=item.title or article.title,
            text=text,
            lang=item.lang or article.lang,
            author=author,
            links=item.links,
            raw=raw,
            snapshot=snapshot,
        )
