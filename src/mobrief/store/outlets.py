"""Outlet aliases (`outlet_aliases`): every name one outlet arrives under (Latin and Cyrillic, feed titles,
channel names) mapped to the one name filters and attributions show."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mobrief.errors import ConfigError
from mobrief.store.database import reading
from mobrief.store.schema import outlet_aliases


class OutletAliasRepository:
    """Rows of `outlet_aliases`: alias → outlet."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def all(self) -> dict[str, str]:
        with reading(self.engine) as conn:
            rows = conn.execute(sa.select(outlet_aliases.c.alias, outlet_aliases.c.outlet))
            return {str(alias): str(outlet) for alias, outlet in rows}

    def set(self, alias: str, outlet: str) -> None:
        """Show `alias` (a source name as stored) as `outlet`; setting it again replaces the old outlet."""
        alias, outlet = alias.strip(), outlet.strip()
        if not alias or not outlet:
            raise ConfigError("an alias and its outlet both need a name")
        if alias == outlet:
            self.remove(alias)
            return
        with self.engine.begin() as conn:
            conn.execute(outlet_aliases.delete().where(outlet_aliases.c.alias == alias))
            conn.execute(outlet_aliases.insert().values(alias=alias, outlet=outlet, created_at=dt.datetime.now(dt.UTC)))

    def remove(self, alias: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(outlet_aliases.delete().where(outlet_aliases.c.alias == alias.strip()))
