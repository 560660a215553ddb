"""A list of ids as one bound parameter: `column IN (…)` over thousands of ids without a parameter each.

SQLAlchemy renders an expanding IN with a named parameter for every id (about 4 µs each, every time the query
runs), and SQLite caps the count; a JSON array read with `json_each` (SQLite) or an integer array compared with
`= ANY` (PostgreSQL) is one parameter whatever the length, and one cached statement. SQLite takes up to 500 ids
(a page's) as a plain IN list all the same, as its pages did before they asked `among`: no JSON to make and parse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

SQLITE_LISTED = 500  # up to this many ids SQLite takes a plain IN list, a parameter each


def among(column: sa.ColumnElement[Any], ids: Iterable[int], dialect: str) -> sa.ColumnElement[bool]:
    """`column IN ids` for the `dialect` ("sqlite" or "postgresql") of the engine that runs it."""
    values = [int(i) for i in ids]
    if dialect != "postgresql" and len(values) <= SQLITE_LISTED:  # a page's ids: no JSON to make and parse
        return column.in_(values)
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(sa.Integer)))
    listed = sa.func.json_each(sa.bindparam(None, json.dumps(values), type_=sa.Text)).table_valued("value")
    return column.in_(sa.select(listed.c.value))
