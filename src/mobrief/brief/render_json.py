"""Render a brief as one JSON document, in the archive's export form (DESIGN.md)."""

from __future__ import annotations

import json

from mobrief.records import Brief
from mobrief.store import briefs


def render_json(brief: Brief) -> str:
    """The brief as indented JSON: id, title, period, status, url and sections (heading, key, paragraphs)."""
    return json.dumps(briefs.brief_as_dict(brief), ensure_ascii=False, indent=2) + "\n"
