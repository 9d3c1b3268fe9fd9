"""Retention of an external SQL source: select expired rows, purge them (R12, R14, R17).

A row is past its retention when its start event plus the category's active and
archive durations (Art. 5(1)(e)) is on or before today; for accounting documents
the clock starts at the close of their fiscal year (C. com. L123-22). The legal
calendar turns that into one cut-off date, so the selection is one comparison in
SQL: ``start < cutoff + 1 day`` (a datetime start on the cut-off day counts).

Ids first (issue 12), as find and erase: a table that follows its parent is not
selected with ``column IN (SELECT … FROM parent …)`` (which MariaDB and PostgreSQL run
as a scan of the child table); the expired parents' keys are read first, keyset-paged
by the parent's primary key, and the children selected by bounded lists of those keys
(``column IN (…)`` on the child's own index); the children whose parent is gone are
read with an anti-join (``LEFT JOIN parent … WHERE parent.key IS NULL``), keyset-paged
too. No statement holds a subquery or an id list longer than ``ID_BATCH``.

Legal holds (R16) are not built yet: nothing is skipped for a hold here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Row

from vigie.lib.legal_calendar import retention_cutoff
from vigie.sources.manifest import Table
from vigie.sources.sql_erase import Changes
from vigie.sources.sql_schema import SourceError, batched, key_in, row_key
from vigie.sources.types import PurgeReport, SelectedTable, Selection

if TYPE_CHECKING:
    from vigie.sources.rules import RetentionRule
    from vigie.sources.sql import SqlSource

PARIS = ZoneInfo("Europe/Paris")


def _anonymise_strategies(source: SqlSource, spec: Table) -> dict[str, str]:
    """At the end of retention nothing is kept any more: ``keep`` columns are nulled."""
    return {
        c.name: "null" if c.erase in {"keep", None} else str(c.erase)
        for c in source.schema.personal_columns(spec)
    }


def _changes(source: SqlSource, spec: Table) -> Changes | None:
    """The anonymisation of ``spec`` at the end of its retention (None: rows deleted)."""
    assert spec.retention is not None
    if spec.retention.action != "anonymise":
        return None
    changes = Changes(source, spec, _anonymise_strategies(source, spec))
    if changes.pending() is None:
        raise SourceError(
            f"{source.name}: tables.{spec.name}.retention.action: anonymise needs a "
            "column erased by null or mask"
        )
    return changes


def _keyset(
    source: SqlSource,
    spec: Table,
    selected: list[sa.ColumnElement[Any]],
    where: list[sa.ColumnElement[bool]],
    select_from: sa.FromClause | None = None,
) -> Iterator[list[Row[Any]]]:
    """The rows of ``spec`` meeting ``where`` (primary key, then ``selected``), at most
    ``batch_size`` at a time, keyset-paged on the primary key; each page read on its
    own connection, so that the caller may change rows between pages."""
    primary = source.schema.primary_key(spec)
    last: tuple[Any, ...] | None = None
    while True:
        conditions = list(where)
        if last is not None:
            after = primary[0] > last[0] if len(primary) == 1 else sa.tuple_(*primary) > last
            conditions.append(after)
        query = sa.select(*primary, *selected).where(*conditions).order_by(*primary)
        if select_from is not None:
            query = query.select_from(select_from)
        with source.engine.connect() as conn:
            rows = list(conn.execute(query.limit(source.batch_size)).all())
        if not rows:
            return
        yield rows
        if len(rows) < source.batch_size:
            return
        last = tuple(rows[-1][: len(primary)])


def past_rows(
    source: SqlSource,
    spec: Table,
    bound: dt.date,
    selected: list[sa.ColumnElement[Any]],
    where: list[sa.ColumnElement[bool]],
) -> Iterator[list[Row[Any]]]:
    """Pages of the rows of ``spec`` whose retention started before ``bound`` (primary
    key, then ``selected``), ids first: a table with its own date is one comparison; a
    table that follows its parent is read by its expired parents' keys (resolved first,
    recursively, in lists of at most ``ID_BATCH``), then its rows whose parent is gone
    (anti-join). A row whose parent is gone has no date left: it is past its retention."""
    schema = source.schema
    retention = spec.retention
    assert retention is not None
    follows = retention.follows
    if follows is None:
        yield from _keyset(source, spec, selected, [schema.started_before(spec, bound), *where])
        return
    parent = source.manifest.tables[follows.table]
    referenced = (
        schema.column(parent.name, follows.references)
        if follows.references
        else schema.single_key(parent, "`retention.follows` of another table")
    )
    column = schema.column(spec.name, follows.column)
    constants = schema.constants(spec.name, follows.where)
    for page in past_rows(source, parent, bound, [referenced], [referenced.is_not(None)]):
        ids = sorted({row[-1] for row in page})
        for batch in batched(ids):
            yield from _keyset(source, spec, selected, [column.in_(batch), *constants, *where])
    parent_table = schema.table(parent.name)
    orphans = schema.table(spec.name).outerjoin(parent_table, column == referenced)
    yield from _keyset(
        source,
        spec,
        selected,
        [column.is_not(None), referenced.is_(None), *constants, *where],
        select_from=orphans,
    )


def expired(source: SqlSource, rule: RetentionRule, now: dt.datetime) -> Selection:
    """Count, per table of ``rule.category``, the rows past their end at ``now``."""
    today = now.astimezone(PARIS).date() if now.tzinfo else now.date()
    selected = []
    if rule.has_duration:
        with source.engine.connect() as conn:
            for spec in source.manifest.tables.values():
                retention = spec.retention
                if retention is None or retention.category != rule.category:
                    continue
                # A table that follows its parent counts from the parent's date, as
                # the parent's rule counts it (the fiscal-year close of an invoice).
                anchor = source.schema.retention_start(spec).anchor
                cutoff = retention_cutoff(
                    today,
                    rule.period,
                    from_fiscal_year_close=anchor.from_fiscal_year_close,
                    year_end=source.fiscal_year_end,
                )
                changes = _changes(source, spec)
                pending = changes.pending() if changes is not None else None
                where = [pending] if pending is not None else []
                bound = cutoff + dt.timedelta(days=1)
                if retention.follows is None:
                    table = source.schema.table(spec.name)
                    condition = sa.and_(source.schema.started_before(spec, bound), *where)
                    count = conn.execute(
                        sa.select(sa.func.count()).select_from(table).where(condition)
                    ).scalar_one()
                else:
                    count = sum(len(page) for page in past_rows(source, spec, bound, [], where))
                selected.append(
                    SelectedTable(spec.name, rule.category, retention.action, cutoff, count)
                )
    return Selection(source.name, rule.category, now, tuple(selected))


def purge(source: SqlSource, selection: Selection) -> PurgeReport:
    """Delete or anonymise the selected rows, batch by batch, one transaction each.

    The selection is recomputed from its cut-off, not from a list of keys: rows
    that expired since are included, and a re-run after an interruption picks up
    exactly what is left. Archive-index entries of purged rows go with them.
    """
    report = PurgeReport(source.name)
    # Rows that follow a parent go before it: they are selected through their parent.
    parts = sorted(
        selection.tables,
        key=lambda p: -source.schema.follows_depth(source.manifest.tables[p.table]),
    )
    for part in parts:
        spec = source.manifest.tables[part.table]
        changes = _changes(source, spec)
        pending = changes.pending() if changes is not None else None
        primary = source.schema.primary_key(spec)
        table = source.schema.table(spec.name)
        bound = part.cutoff + dt.timedelta(days=1)
        where = [pending] if pending is not None else []
        for page in past_rows(source, spec, bound, [], where):
            keys = [tuple(r[: len(primary)]) for r in page]
            with source.engine.begin() as conn:
                source.forget_kept(spec.name, [row_key(k) for k in keys])
                if changes is not None:
                    changed = changes.apply(conn, page)
                    report.anonymised[spec.name] = report.anonymised.get(spec.name, 0) + changed
                else:
                    target = key_in(primary, keys)
                    if spec.retention is not None and spec.retention.follows is None:
                        # Still past its date when deleted (a plain comparison).
                        target = sa.and_(target, source.schema.started_before(spec, bound))
                    deleted = conn.execute(sa.delete(table).where(target)).rowcount
                    report.deleted[spec.name] = report.deleted.get(spec.name, 0) + deleted
                if source.on_batch is not None:
                    source.on_batch(spec.name, len(page))
            report.batches += 1
    return report
