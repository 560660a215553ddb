"""Render published briefs as an Atom feed, built with ElementTree so every piece of text is escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import escape

from mobrief.brief import render_html
from mobrief.records import Brief

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEntry:
    """A published brief with where it lives and when it was published."""

    brief: Brief
    url: str
    published_at: dt.datetime | None
    updated_at: dt.datetime | None = None  # the last correction or the withdrawal, when later than publication
    notes: tuple[str, ...] = ()  # "Corrected on …: …", "Withdrawn on …: …", shown above the text
    withdrawn: bool = False  # the entry then carries the notes only
    entry_id: str | None = None  # the entry's <id>; its URL when None


def _stamp(moment: dt.datetime | None) -> str:
    return (moment or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def brief_content_html(brief: Brief) -> str:
    """The brief's sections as an HTML fragment (escaped), for a feed entry's content."""
    return "".join(
        (f"<h2>{escape(s.heading)}</h2>" if s.heading else "")
        + "".join(f"<p>{render_html.paragraph_html(p)}</p>" for p in s.paragraphs)
        for s in brief.sections
    )


def render_atom(
    entries: Sequence[FeedEntry], *, feed_url: str, title: str = "Mobilization in Russia", feed_id: str | None = None
) -> str:
    """An Atom document listing `entries` in the order given (newest first is the caller's choice).

    The feed's <id> is `feed_id`, or its URL when None.
    """
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}title").text = title
    ET.SubElement(root, f"{{{ATOM}}}id").text = feed_id or feed_url
    ET.SubElement(root, f"{{{ATOM}}}link", href=feed_url, rel="self")
    stamps = [moment for e in entries if (moment := e.updated_at or e.published_at) is not None]
    updated = max(stamps, default=None)
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _stamp(updated)
    ET.SubElement(ET.SubElement(root, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "mobrief"
    for entry in entries:
        node = ET.SubElement(root, f"{{{ATOM}}}entry")
        title = f"Withdrawn: {entry.brief.title}" if entry.withdrawn else entry.brief.title
        ET.SubElement(node, f"{{{ATOM}}}title").text = title
        ET.SubElement(node, f"{{{ATOM}}}id").text = entry.entry_id or entry.url
        ET.SubElement(node, f"{{{ATOM}}}link", href=entry.url, rel="alternate")
        ET.SubElement(node, f"{{{ATOM}}}published").text = _stamp(entry.published_at)
        ET.SubElement(node, f"{{{ATOM}}}updated").text = _stamp(entry.updated_at or entry.published_at)
        notes = "".join(f"<p><strong>{escape(note)}</strong></p>" for note in entry.notes)
        body = "" if entry.withdrawn else brief_content_html(entry.brief)
        ET.SubElement(node, f"{{{ATOM}}}content", type="html").text = notes + body
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
