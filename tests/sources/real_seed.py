"""Seed one person across the tables of a full real-schema database, and scan it whole.

`insert` writes a row with the given values and, for every other NOT NULL column, the
value an empty application would (0, "", a date): the real shapes declare no defaults.
`text_residue` reads every text column of every table of the database (not only the
mapped ones) for the person's identifiers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

NOW = dt.datetime(2025, 6, 2, 9, 30)


def _blank(column: sa.Column[Any]) -> Any:
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return NOW
    if isinstance(kind, sa.Date):
        return NOW.date()
    if isinstance(kind, sa.Time):
        return dt.time(9, 30)
    if isinstance(kind, sa.String):
        return ""
    return 0


def insert(conn: sa.Connection, md: sa.MetaData, table: str, **values: Any) -> Any:
    target = md.tables[table]
    row = {
        c.name: _blank(c)
        for c in target.columns
        if not c.nullable
        and c.name not in values
        and not (c.primary_key and c.autoincrement is True)
    }
    row.update(values)
    result = conn.execute(target.insert().values(**row))
    return result.inserted_primary_key[0] if result.inserted_primary_key else None


def text_residue(url: str, needles: Iterable[str]) -> dict[tuple[str, str], set[str]]:
    """(table, column) -> the primary keys of rows whose text holds one of ``needles``
    (case-insensitive), over every text column of every table of the database."""
    needles = [n.lower() for n in needles]
    engine = sa.create_engine(url)
    found: dict[tuple[str, str], set[str]] = {}
    try:
        reflected = sa.MetaData()
        reflected.reflect(engine)
        with engine.connect() as conn:
            for table in reflected.tables.values():
                texts = [c for c in table.columns if isinstance(c.type, sa.String)]
                if not texts:
                    continue
                key = list(table.primary_key.columns) or list(table.columns)[:1]
                for column in texts:
                    lowered = sa.func.lower(sa.cast(column, sa.Text))
                    condition = sa.or_(*(lowered.contains(n, autoescape=True) for n in needles))
                    rows = conn.execute(sa.select(*key).where(condition)).all()
                    if rows:
                        found[(table.name, column.name)] = {
                            "-".join(str(v) for v in row) for row in rows
                        }
    finally:
        engine.dispose()
    return found
