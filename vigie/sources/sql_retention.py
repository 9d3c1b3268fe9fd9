"""Retention of an external SQL source: select expired rows, purge them (R12, R14, R17).

A row is past its retention when its start event plus the category's active and
archive durations (Art. 5(1)(e)) is on or before today; for accounting documents
the clock starts at the close of their fiscal year (C. com. L123-22). The legal
calendar turns that into one cut-off date, so the selection is one comparison in
SQL: ``start < cutoff + 1 day`` (a datetime start on the cut-off day counts).

Legal holds (R16) are not built yet: nothing is skipped for a hold here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from vigie.lib.legal_calendar import retention_cutoff
from vigie.sources.manifest import Table
from vigie.sources.sql_erase import Changes, for_each_batch
from vigie.sources.sql_schema import SourceError, row_key
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


def _condition(
    source: SqlSource, spec: Table, cutoff: dt.date
) -> tuple[sa.ColumnElement[bool], Changes | None]:
    assert spec.retention is not None
    # ``start < cutoff + 1 day``; a table that follows its parent: rows whose parent is
    # past that same cut-off (``IN``), its date counted as the parent's rule counts it.
    condition = source.schema.started_before(spec, cutoff + dt.timedelta(days=1))
    changes = None
    if spec.retention.action == "anonymise":
        changes = Changes(source, spec, _anonymise_strategies(source, spec))
        pending = changes.pending()
        if pending is None:
            raise SourceError(
                f"{source.name}: tables.{spec.name}.retention.action: anonymise needs a "
                "column erased by null or mask"
            )
        condition = sa.and_(condition, pending)
    return condition, changes


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
                condition, _changes = _condition(source, spec, cutoff)
                table = source.schema.table(spec.name)
                count = conn.execute(
                    sa.select(sa.func.count()).select_from(table).where(condition)
                ).scalar_one()
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
        condition, changes = _condition(source, spec, part.cutoff)
        primary = source.schema.primary_key(spec)
        table = source.schema.table(spec.name)

        def apply(
            conn: Connection,
            rows: list[Row[Any]],
            *,
            spec: Table = spec,
            changes: Changes | None = changes,
            primary: list[Any] = primary,
            table: sa.Table = table,
        ) -> None:
            keys = [tuple(r[: len(primary)]) for r in rows]
            source.forget_kept(spec.name, [row_key(k) for k in keys])
            if changes is not None:
                report.anonymised[spec.name] = report.anonymised.get(spec.name, 0) + changes.apply(
                    conn, rows
                )
                return
            if len(primary) == 1:
                where = primary[0].in_([k[0] for k in keys])
            else:
                where = sa.tuple_(*primary).in_(keys)
            deleted = conn.execute(sa.delete(table).where(where)).rowcount
            report.deleted[spec.name] = report.deleted.get(spec.name, 0) + deleted

        report.batches += for_each_batch(source, spec.name, primary, condition, [], apply)
    return report
