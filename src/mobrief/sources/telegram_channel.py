"""Public Telegram channels read from their web preview (`t.me/s/<name>`), back to the last stored post.

The preview page is parsed with the stdlib `html.parser`: we need only a handful of classes (`data-post`,
`tgme_widget_message_text`, `time[datetime]`, views, forwarded-from, the `data-before` paging link), and the
parser is typed and has no dependency.

Each read also reads again the newest posts already stored (those of the newest page, or `--recheck N` posts
below the last one stored), so an edit of a recent post becomes a revision and a recent post that has
disappeared is marked deleted (the item stays, citable). Links are resolved against https://t.me/s/<name>, as
the page itself would resolve them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urljoin

from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item
from mobrief.sources import http_fetch
from mobrief.sources.html_text import tidy_text, unique
from mobrief.sources.registry import AdapterOption, SourceContext, register_source
from mobrief.sources.telegram_export import channel_username

DEFAULT_MAX_PAGES = 10
RECENT_KEPT = 50  # newest post ids remembered between runs, to see which of them disappear
DELETED = "posts deleted upstream (kept, marked deleted)"
VOID_TAGS = frozenset({"br", "img", "input", "meta", "link", "hr", "wbr", "source", "area", "col", "embed", "track"})
SERVICE_SKIPPED = "service messages skipped"


@dataclass(slots=True)
class PreviewPost:
    """One post as the preview page shows it."""

    data_post: str
    classes: frozenset[str]
    datetime: str | None = None
    text_parts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    views: str | None = None
    forwarded_from: str | None = None
    forwarded_from_url: str | None = None
    reply_to_url: str | None = None
    author: str | None = None
    edited: bool = False
    photos: int = 0
    has_video: bool = False

    @property
    def post_id(self) -> int | None:
        tail = self.data_post.rpartition("/")[2]
        return int(tail) if tail.isdigit() else None

    @property
    def text(self) -> str:
        return tidy_text("".join(self.text_parts))


@dataclass(slots=True)
class PreviewPage:
    """Everything we use from one `t.me/s/<name>` page."""

    posts: list[PreviewPost] = field(default_factory=list)
    before: int | None = None  # the id to ask for the next older page with
    is_channel: bool = False  # the page has a channel header (an empty channel still has one)
    title: str | None = None


def _classes(attrs: list[tuple[str, str | None]]) -> frozenset[str]:
    for key, value in attrs:
        if key == "class" and value:
            return frozenset(value.split())
    return frozenset()


class _PreviewParser(HTMLParser):
    """Walks the page keeping a stack of open elements; each interesting region is known by its depth."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PreviewPage()
        self.stack: list[tuple[str, frozenset[str]]] = []
        self.post: PreviewPost | None = None
        self.post_depth = -1
        self.text_depth = -1  # inside the post's own text (not a reply's quote)
        self.capture: str | None = None  # which small field the current text belongs to
        self.capture_depth = -1
        self.capture_parts: list[str] = []
        self.reply_depth = -1
        self.meta_depth = -1

    # ---- structure ----

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = _classes(attrs)
        values = dict(attrs)
        if tag == "br":
            if self.text_depth >= 0 and self.post is not None:
                self.post.text_parts.append("\n")
            return
        if tag in VOID_TAGS:
            self._void(tag, classes, values)
            return
        self.stack.append((tag, classes))
        depth = len(self.stack)
        if "tgme_channel_info" in classes or "tgme_channel_info_header_title" in classes:
            self.page.is_channel = True
            if "tgme_channel_info_header_title" in classes:
                self._start_capture("title", depth)
        before = values.get("data-before") or ""
        if "tme_messages_more" in classes and before.isdigit():
            self.page.before = int(before)
        if tag == "div" and "tgme_widget_message" in classes and values.get("data-post"):
            self.post = PreviewPost(data_post=str(values["data-post"]), classes=classes)
            self.page.posts.append(self.post)
            self.post_depth = depth
            return
        post = self.post
        if post is None:
            return
        if "tgme_widget_message_reply" in classes:
            self.reply_depth = depth
            post.reply_to_url = values.get("href") or None
        elif "tgme_widget_message_text" in classes and self.reply_depth < 0 and self.text_depth < 0:
            self.text_depth = depth
        elif "tgme_widget_message_forwarded_from_name" in classes:
            post.forwarded_from_url = values.get("href") or None
            self._start_capture("forwarded_from", depth)
        elif "tgme_widget_message_views" in classes:
            self._start_capture("views", depth)
        elif "tgme_widget_message_from_author" in classes:
            self._start_capture("author", depth)
        elif "tgme_widget_message_meta" in classes:
            self.meta_depth = depth
        elif "tgme_widget_message_photo_wrap" in classes:
            post.photos += 1
        elif "tgme_widget_message_video_player" in classes:
            post.has_video = True
        if tag == "time" and values.get("datetime") and post.datetime is None:
            post.datetime = values["datetime"]
        in_text = self.text_depth >= 0 or "tgme_widget_message_link_preview" in classes
        if tag == "a" and in_text and values.get("href"):
            post.links.append(str(values["href"]).strip())

    def _void(self, tag: str, classes: frozenset[str], values: dict[str, str | None]) -> None:
        if tag == "link" and values.get("rel") == "prev" and self.page.before is None:
            href = values.get("href") or ""
            before = href.rpartition("before=")[2]
            if before.isdigit():
                self.page.before = int(before)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or not any(open_tag == tag for open_tag, _ in self.stack):
            return
        while self.stack:
            depth = len(self.stack)
            open_tag, _ = self.stack.pop()
            self._close(depth)
            if open_tag == tag:
                break

    def _close(self, depth: int) -> None:
        if depth == self.capture_depth:
            self._finish_capture()
        if depth == self.text_depth:
            self.text_depth = -1
        if depth == self.reply_depth:
            self.reply_depth = -1
        if depth == self.meta_depth:
            self.meta_depth = -1
        if depth == self.post_depth:
            self.post, self.post_depth = None, -1

    # ---- text ----

    def _start_capture(self, what: str, depth: int) -> None:
        if self.capture is None:
            self.capture, self.capture_depth, self.capture_parts = what, depth, []

    def _finish_capture(self) -> None:
        value = " ".join("".join(self.capture_parts).split())
        if self.capture == "title":
            self.page.title = value
        elif self.post is not None and self.capture is not None:
            setattr(self.post, self.capture, value or None)
        self.capture, self.capture_depth = None, -1

    def handle_data(self, data: str) -> None:
        if self.capture is not None:
            self.capture_parts.append(data)
        if self.post is None:
            return
        if self.text_depth >= 0:
            self.post.text_parts.append(data.replace("\n", " "))
        elif self.meta_depth >= 0 and "edited" in data:
            self.post.edited = True


def parse_preview_page(html: str) -> PreviewPage:
    """The posts (oldest first, as the page lists them), the paging id and the channel title of a page."""
    parser = _PreviewParser()
    parser.feed(html)
    parser.close()
    return parser.page


def views_count(views: str | None) -> int | None:
    """'1.2K' → 1200, '3M' → 3000000, '845' → 845."""
    if not views:
        return None
    value = views.strip().upper().replace(",", ".")
    scale = {"K": 1_000, "M": 1_000_000}.get(value[-1:], 1)
    number = value[:-1] if scale != 1 else value
    try:
        return int(float(number) * scale)
    except ValueError:
        return None


def _parse_time(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _absolute(href: str | None, base: str) -> str | None:
    """A link as the page means it: relative ones (`?q=%23tag`, `/name/5`) resolved against the channel page."""
    if not href or href.startswith(("javascript:", "#")):
        return None
    try:
        return urljoin(base, href.strip())
    except ValueError:  # "http://[oops": no address anyone can open
        return None


def post_to_item(post: PreviewPost, *, source: str, page_url: str) -> Item | BadRecord | None:
    """One preview post as an Item; None for a service message; BadRecord when its id or time is unusable.

    `page_url` is where the page was read; links are resolved against the channel's public page."""
    post_id = post.post_id
    if post_id is None:
        return BadRecord(page_url, None, "data-post", f"post {post.data_post!r} has no numeric id", "no usable id")
    if "service_message" in post.classes:
        return None
    if not post.datetime:
        reason = f"post {post.data_post} has no time[datetime]"
        return BadRecord(page_url, post_id, "time", reason, "no usable date")
    try:
        published_at = _parse_time(post.datetime)
    except (ValueError, OverflowError):
        reason = f"post {post.data_post}: bad datetime {post.datetime!r}"
        return BadRecord(page_url, post_id, "time", reason, "no usable date")
    channel = post.data_post.rpartition("/")[0] or source
    base = f"https://t.me/s/{channel}"
    forwarded_url = _absolute(post.forwarded_from_url, base)
    reply_url = _absolute(post.reply_to_url, base)
    reply_to = None
    if reply_url and reply_url.startswith(f"https://t.me/{channel}/"):
        reply_to = reply_url.rsplit("/", 1)[1].split("?")[0] or None
    raw: dict[str, Any] = {"data_post": post.data_post, "page_url": page_url}
    for key, value in (
        ("views", post.views),
        ("forwarded_from", post.forwarded_from),
        ("forwarded_from_url", forwarded_url),
        ("reply_to_url", reply_url),
        ("author", post.author),
    ):
        if value:
            raw[key] = value
    views = views_count(post.views)
    if views is not None:
        raw["views_count"] = views
    if post.edited:
        raw["edited"] = True
    if post.photos:
        raw["photos"] = post.photos
    if post.has_video:
        raw["video"] = True
    links = [link for link in (_absolute(href, base) for href in post.links) if link]
    return Item(
        source=source,
        external_id=str(post_id),
        url=f"https://t.me/{post.data_post}",
        published_at=published_at,
        text=post.text,
        author=post.author,
        links=unique(links),
        edited=post.edited,
        forwarded_from=post.forwarded_from,
        forwarded_from_id=forwarded_url,
        reply_to=reply_to,
        views=views,
        raw=raw,
    )


@register_source
class TelegramChannel:
    """Reads a public channel's newest posts from its web preview, down to the last post stored before."""

    name: ClassVar[str] = "telegram-channel"
    summary: ClassVar[str] = "A public Telegram channel, read from its web preview https://t.me/s/<name>."
    location_help: ClassVar[str] = "NAME"
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(name="base_url", help="Where previews are served (default https://t.me, or a mirror)."),
        AdapterOption(
            name="max_pages",
            help="Read at most this many pages of 20 posts (default 10).",
            type=int,
            default=None,
        ),
        AdapterOption(
            name="recheck",
            help="Read again this many posts below the last one stored, for edits and deletions "
            "(default: those on the newest page; 0: none).",
            type=int,
            default=None,
        ),
    )

    def __init__(
        self,
        context: SourceContext,
        *,
        base_url: str | None = None,
        max_pages: int | None = None,
        recheck: int | None = None,
    ) -> None:
        self.context = context
        self.base_url = (base_url or context.settings.telegram_base_url).rstrip("/")
        self.max_pages = max_pages if max_pages and max_pages > 0 else DEFAULT_MAX_PAGES
        self.recheck = recheck if recheck is not None and recheck >= 0 else None  # None: the newest page

    def source_name(self, location: str) -> str:
        return channel_username(location)

    def read(self, location: str) -> Iterator[Item | BadRecord]:
        name = self.source_name(location)
        last_id = int(self.context.state.get("last_id") or 0)
        recent = [int(i) for i in self.context.state.get("recent_ids") or () if str(i).isdigit()]
        # posts above `floor` are read even when stored, for edits and deletions; by default the newest page's
        floor = last_id if self.recheck is None else max(0, last_id - self.recheck)
        newest = last_id
        seen: set[int] = set()
        url: str | None = f"{self.base_url}/s/{name}"
        complete = True
        pages = 0
        with http_fetch.make_client(self.context.settings) as client:
            while url is not None:
                if pages >= self.max_pages:
                    if last_id:
                        self.context.warnings.append(
                            f"{name}: stopped after {pages} pages before reaching post {last_id}, "
                            "the last one stored; raise --max-pages to read the posts in between"
                        )
                    break
                if pages:
                    time.sleep(self.context.settings.request_delay)
                try:
                    response = http_fetch.fetch(client, url, settings=self.context.settings)
                except SourceUnavailable as exc:
                    if not pages:
                        raise
                    self.context.warnings.append(f"{exc}; stopped paging, the next run reads them again")
                    complete = False
                    break
                page = parse_preview_page(response.text)
                pages += 1
                if self.context.progress is not None:
                    self.context.progress(pages, self.max_pages)
                if not page.posts and not page.is_channel:
                    if pages == 1:
                        raise SourceUnavailable(url, "no public channel preview here (no such channel?)")
                    break
                ids = [post.post_id for post in page.posts if post.post_id is not None]
                seen.update(ids)
                whole_page = pages == 1 and self.recheck is None  # the newest page is read again whole
                for post in page.posts:
                    if post.post_id is not None and post.post_id <= floor and not whole_page:
                        continue
                    record = post_to_item(post, source=name, page_url=url)
                    if record is None:
                        self.context.count(SERVICE_SKIPPED)
                    else:
                        yield record
                newest = max([newest, *ids])
                url = self._older_page(name, page, ids, floor)
        self._note_deleted(name, recent, seen)
        if seen:
            self.context.state["recent_ids"] = sorted(seen, reverse=True)[:RECENT_KEPT]
        if complete and newest > last_id:
            self.context.state["last_id"] = newest

    def _note_deleted(self, name: str, recent: list[int], seen: set[int]) -> None:
        """Posts the last run saw among the newest that this run's pages should show and do not: the pages
        read run without a gap from the newest post down to the oldest one seen."""
        if not seen or not recent:
            return
        gone = sorted(i for i in recent if i >= min(seen) and i not in seen)
        if gone:
            self.context.gone.setdefault(name, []).extend(str(i) for i in gone)
            self.context.count(DELETED, len(gone))

    def _older_page(self, name: str, page: PreviewPage, ids: list[int], floor: int) -> str | None:
        """The next older page's URL; None once a page reaches the posts read before or the channel's start."""
        if not ids or page.before is None or min(ids) <= floor + 1:
            return None
        before = min(page.before, min(ids))
        return f"{self.base_url}/s/{name}?before={before}" if before > 1 else None
