"""Trained models (relevance, sections) kept as JSON in the `models` table, one row per model name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mobrief.records import utc
from mobrief.store.database import reading
from mobrief.store.schema import models


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredModel:
    """One trained model: its name, a version string that changes whenever its data does, and the data."""

    name: str
    version: str
    data: Mapping[str, Any]
    trained_at: dt.datetime


class ModelRepository:
    """Read and replace trained models; the newest training of a name replaces the previous one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, name: str) -> StoredModel | None:
        """The stored model called `name`, or None when none was trained here."""
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(models).where(models.c.name == name)).first()
        if row is None:
            return None
        return StoredModel(name=row.name, version=row.version, data=row.data, trained_at=utc(row.trained_at))

    def version(self, name: str) -> str | None:
        """Only the version of a stored model (cheap: what stage versions are compared against)."""
        with reading(self.engine) as conn:
            value = conn.execute(sa.select(models.c.version).where(models.c.name == name)).scalar()
        return None if value is None else str(value)

    def put(self, name: str, version: str, data: Mapping[str, Any]) -> StoredModel:
        """Store `data` as the model `name`, replacing an earlier one."""
        now = dt.datetime.now(dt.UTC)
        values = {"version": version, "data": dict(data), "trained_at": now}
        with self.engine.begin() as conn:
            updated = conn.execute(sa.update(models).where(models.c.name == name).values(**values)).rowcount
            if not updated:
                conn.execute(sa.insert(models).values(name=name, **values))
        return StoredModel(name=name, version=version, data=dict(data), trained_at=now)

    def delete(self, name: str) -> bool:
        """Forget a trained model (enrichment falls back to the shipped default); True when one existed."""
        with self.engine.begin() as conn:
            return bool(conn.execute(sa.delete(models).where(models.c.name == name)).rowcount)

    def names(self) -> list[str]:
        with reading(self.engine) as conn:
            return [str(n) for n in conn.execute(sa.select(models.c.name).order_by(models.c.name)).scalars()]
