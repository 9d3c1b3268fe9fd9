"""Erasure of a subject in an external SQL source (Art. 17, R19, R53).

Table by table in ``SchemaView.erase_order``, batch by batch of primary keys, each
batch one transaction: ``DELETE`` for ``delete_row`` tables, else one ``UPDATE``
for the ``null``/``mask`` columns plus keyed hashes, and the archive index entry of
every kept row (Art. 17(3)) written before the batch commits. Rows already erased
(their nulled and masked columns in the erased state) are not selected again, so a
re-run after an interruption finishes the job and changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from vigie.lib import keyring
from vigie.lib.legal_calendar import retention_end
from vigie.sources.manifest import Table
from vigie.sources.sql_schema import SourceError, row_key
from vigie.sources.types import Erase, EraseReport, Keep, KeptRow, Plan, Subject

if TYPE_CHECKING:
    from vigie.sources.sql import SqlSource

HASH_PURPOSE = "vigie:sources:hash-column"
_HEX = re.compile(r"^[0-9a-f]+$")


def effective_strategies(spec: Table, plan: Plan) -> dict[str, str]:
    """Each personal column's strategy once the plan's per-category choices apply.

    A category the plan erases loses its ``keep`` columns to NULL: the legal ground
    to keep them was judged not to apply to this person.
    """
    strategies = {}
    for column in spec.personal_columns:
        choice = plan.get(column.category or "")
        if isinstance(choice, Keep):
            strategies[column.name] = "keep"
        elif isinstance(choice, Erase) and column.erase == "keep":
            strategies[column.name] = "null"
        else:
            strategies[column.name] = column.erase or "null"
    return strategies


class Changes:
    """The SQL that erases (or anonymises) rows of one table with given strategies."""

    def __init__(self, source: SqlSource, spec: Table, strategies: Mapping[str, str]) -> None:
        schema = source.schema
        self.table = schema.table(spec.name)
        self.primary = schema.primary_key(spec)
        self.columns = {c.name: c for c in spec.personal_columns}
        self.null = [schema.column(spec.name, n) for n, s in strategies.items() if s == "null"]
        self.mask = [
            (schema.column(spec.name, n), self.columns[n].mask)
            for n, s in strategies.items()
            if s == "mask"
        ]
        self.hash = [schema.column(spec.name, n) for n, s in strategies.items() if s == "hash"]
        for column in self.hash:
            if not isinstance(column.type, sa.String):
                raise SourceError(
                    f"{source.name}: tables.{spec.name}.columns.{column.name}: hash needs a "
                    "text column"
                )
        kinds = set(strategies.values())
        self.kept = "keep" in kinds
        self.deletes = "delete_row" in kinds and not self.kept

    def pending(self) -> sa.ColumnElement[bool] | None:
        """Rows not yet in the erased state; None when the state cannot be told."""
        done: list[sa.ColumnElement[bool]] = [c.is_(None) for c in self.null]
        done += [sa.or_(c.is_(None), c == sa.literal(v, c.type)) for c, v in self.mask]
        return sa.not_(sa.and_(*done)) if done else None

    def apply(self, conn: Connection, rows: list[Row[Any]]) -> int:
        keys = [tuple(r[: len(self.primary)]) for r in rows]
        where = _key_in(self.primary, keys)
        if self.deletes:
            return conn.execute(sa.delete(self.table).where(where)).rowcount
        pending = self.pending()
        if pending is not None:
            # Kept rows are visited again by a re-run (for their archive entry); only
            # those not yet erased are changed, so nothing is hashed twice.
            where = sa.and_(where, pending)
        values: dict[str, Any] = {c.name: None for c in self.null}
        for column, mask in self.mask:
            # A NULL stays NULL: masking writes the mask only over something.
            values[column.name] = sa.case(
                (column.is_(None), sa.null()), else_=sa.literal(mask, column.type)
            )
        changed = len(rows)
        if self.hash:
            # Hashes first: the UPDATE below takes the rows out of ``pending``.
            changed = self._hash(conn, where, skip_hashed=pending is None)
        if values:
            changed = conn.execute(sa.update(self.table).where(where).values(values)).rowcount
        return changed

    def _hash(self, conn: Connection, where: sa.ColumnElement[bool], *, skip_hashed: bool) -> int:
        key = keyring.derive_key(HASH_PURPOSE)
        current = conn.execute(sa.select(*self.primary, *self.hash).where(where)).all()
        params = []
        for row in current:
            item = {f"k{i}": row[i] for i in range(len(self.primary))}
            for j, column in enumerate(self.hash):
                value = row[len(self.primary) + j]
                length = min(64, column.type.length or 64)  # type: ignore[attr-defined]
                if value is None or (
                    # Without a nulled or masked column to tell done rows apart, a
                    # value already in the hash's exact form is taken as hashed.
                    skip_hashed and len(str(value)) == length and _HEX.match(str(value))
                ):
                    item[f"h{j}"] = value
                else:
                    item[f"h{j}"] = hash_value(key, value, length)
            params.append(item)
        statement = (
            sa.update(self.table)
            .where(*[c == sa.bindparam(f"k{i}") for i, c in enumerate(self.primary)])
            .values({c.name: sa.bindparam(f"h{j}") for j, c in enumerate(self.hash)})
        )
        if params:
            conn.execute(statement, params)
        return len(params)


def hash_value(key: bytes, value: Any, length: int) -> str:
    """Keyed HMAC-SHA-256, hex, cut to the column's length: joinable, not readable."""
    text = value.hex() if isinstance(value, bytes) else str(value)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def _key_in(primary: list[sa.Column[Any]], keys: list[tuple[Any, ...]]) -> sa.ColumnElement[bool]:
    if len(primary) == 1:
        return primary[0].in_([k[0] for k in keys])
    return sa.tuple_(*primary).in_(keys)


def for_each_batch(
    source: SqlSource,
    table: str,
    primary: list[sa.Column[Any]],
    condition: sa.ColumnElement[bool],
    extra: list[sa.ColumnElement[Any]],
    apply: Callable[[Connection, list[Row[Any]]], None],
) -> int:
    """Select up to ``batch_size`` keys after the last one, apply, commit; repeat.

    Keyset pagination on the primary key: each batch starts after the previous
    one, so rows a batch leaves in place are not visited again in this run.
    """
    last: tuple[Any, ...] | None = None
    batches = 0
    while True:
        where = [condition]
        if last is not None:
            after = primary[0] > last[0] if len(primary) == 1 else sa.tuple_(*primary) > last
            where.append(after)
        query = sa.select(*primary, *extra).where(*where).order_by(*primary)
        with source.engine.begin() as conn:
            rows = list(conn.execute(query.limit(source.batch_size)).all())
            if not rows:
                return batches
            apply(conn, rows)
            if source.on_batch is not None:
                source.on_batch(table, len(rows))
        batches += 1
        last = tuple(rows[-1][: len(primary)])
        if len(rows) < source.batch_size:
            return batches


def as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def erase(source: SqlSource, subject: Subject, plan: Plan) -> EraseReport:
    report = EraseReport(source.name)
    schema = source.schema
    with source.engine.connect() as conn:
        keys = schema.identity_keys(conn, subject)
    for spec in schema.erase_order():
        condition = schema.subject_condition(spec, keys, erasing=True)
        strategies = effective_strategies(spec, plan)
        if condition is None or not strategies:
            continue
        _erase_table(source, spec, condition, strategies, plan, report)
    return report


def _erase_table(
    source: SqlSource,
    spec: Table,
    condition: sa.ColumnElement[bool],
    strategies: dict[str, str],
    plan: Plan,
    report: EraseReport,
) -> None:
    changes = Changes(source, spec, strategies)
    outcome = report.outcome(spec.name)
    kept_categories = list(
        dict.fromkeys(
            c.category for c in spec.personal_columns if strategies[c.name] == "keep" and c.category
        )
    )
    retention = spec.retention
    extra: list[sa.ColumnElement[Any]] = []
    if kept_categories and retention is not None:
        extra.append(source.schema.column(spec.name, retention.start))
    pending = None if changes.kept else changes.pending()
    where = condition if pending is None else sa.and_(condition, pending)

    def kept_rows(rows: list[Row[Any]]) -> list[KeptRow]:
        out = []
        width = len(changes.primary)
        for row in rows:
            key = row_key(row[:width])
            entries = []
            for category in kept_categories:
                choice = plan.get(category)
                if isinstance(choice, Keep):
                    entries.append(KeptRow(spec.name, key, category, choice.ground, choice.until))
                elif retention is not None:
                    rule = source.rules.get(retention.category)
                    start = as_date(row[width]) if extra else None
                    ends = (
                        retention_end(
                            start,
                            rule.period,
                            from_fiscal_year_close=retention.from_fiscal_year_close,
                            year_end=source.fiscal_year_end,
                        )
                        if start is not None and rule is not None
                        else None
                    )
                    ground = rule.legal_reference if rule else retention.category
                    entries.append(KeptRow(spec.name, key, retention.category, ground, ends))
            # One archive entry per row: the longest retention wins (unknown = longest).
            entries.sort(key=lambda e: e.ends_on or dt.date.max, reverse=True)
            out.extend(entries[:1])
        return out

    def apply(conn: Connection, rows: list[Row[Any]]) -> None:
        if changes.kept:
            kept = kept_rows(rows)
            # Written before the batch commits: if the commit fails, the row is still
            # there and kept, so the entry is true; a re-run adds nothing.
            source.record_kept(kept)
            report.kept.extend(kept)
            outcome.kept += len(rows)
        if changes.deletes:
            outcome.deleted += changes.apply(conn, rows)
        elif changes.null or changes.mask or changes.hash:
            outcome.updated += changes.apply(conn, rows)

    for_each_batch(source, spec.name, changes.primary, where, extra, apply)
