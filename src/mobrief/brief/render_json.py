"""Render a brief as one JSON document, in the archive's export form (DESIGN.md)."""

from __future__ import annotations

import json

from mobrief.brief import links
from mobrief.records import Brief


def render_json(brief: Brief) -> str:
    """The brief as indented JSON: id, title, period, status, url and sections (heading, key, paragraphs).

    `url` is null unless it is an http(s) address: a consumer may well make it a link.
    """
    document = brief.as_dict()
    document["url"] = links.safe_link(document["url"])
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
