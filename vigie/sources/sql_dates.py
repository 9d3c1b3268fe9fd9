"""The dates an erasure plan counts from: each table's retention start in the subject's rows.

An erasure that keeps a category on an Art. 17(3) ground says until when (R53); that
date runs from an event of the person's own rows: the date of their last invoice, the
end of their contract. The manifest names, per table, the column holding that event
(``retention.start``, or the parent's for a table that ``follows`` it); this reads it
in the subject's rows, ids first like ``find``, and returns per table the latest date
and how many rows have none yet (a contract still running: no closing date).

Tables whose retention ends by anonymising the row (``action: anonymise``) count from
a last change (an account, a third party): not an event of the relationship, so they
give no date here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from vigie.sources.sql_erase import as_date
from vigie.sources.sql_schema import batched, key_in
from vigie.sources.types import Subject

if TYPE_CHECKING:
    from vigie.sources.sql import SqlSource


@dataclass(frozen=True)
class Anchor:
    """The retention start of one table in the subject's rows (no personal data)."""

    source: str
    table: str
    #: The category the table's retention is set by.
    category: str
    #: The event in words, {fr, en} (« date de la facture »).
    event: dict[str, str]
    #: The latest start among the subject's rows (None: no row has one).
    latest: dt.date | None
    #: How many of the subject's rows have no start yet (still open).
    open_rows: int
    rows: int
    #: The clock starts at the close of the fiscal year (C. com. L123-22).
    from_fiscal_year_close: bool


def anchors(source: SqlSource, subject: Subject) -> list[Anchor]:
    schema = source.schema
    out: list[Anchor] = []
    with source.engine.connect() as conn:
        keys = schema.identity_keys(conn, subject)
        for spec in source.manifest.tables.values():
            retention = spec.retention
            if retention is None or retention.action == "anonymise":
                continue
            if not schema.subject_conditions(spec, keys, erasing=False):
                continue
            rows = schema.subject_rows(conn, spec, keys, erasing=False)
            if not rows:
                continue
            start = schema.retention_start(spec)
            primary = schema.primary_key(spec)
            latest: dt.date | None = None
            empty = 0
            for batch in batched(rows, source.batch_size):
                query = sa.select(start.expression).where(key_in(primary, batch))
                for (value,) in conn.execute(query):
                    day = as_date(value)
                    if day is None:
                        empty += 1
                    elif latest is None or day > latest:
                        latest = day
            anchor = start.anchor
            out.append(
                Anchor(
                    source=source.name,
                    table=spec.name,
                    category=retention.category,
                    event=dict(
                        anchor.start_label or {"fr": anchor.start or "", "en": anchor.start or ""}
                    ),
                    latest=latest,
                    open_rows=empty,
                    rows=len(rows),
                    from_fiscal_year_close=anchor.from_fiscal_year_close,
                )
            )
    return out
