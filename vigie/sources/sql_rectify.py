"""Rectification of a subject in an external SQL source (Art. 16, R54).

The manifest's ``attribute`` marks say which column holds which person attribute
(``first_name``, ``phone``…). The subject's own rows (reached through the links that
erase, as for an erasure) have those columns set to the new values, in ONE transaction
for the whole source: all or nothing. Issued legal documents (``issued: true`` tables or
columns: invoices, credit notes, signed reports) are never touched (C. com. L123-22
« sans blanc ni altération »): they are listed in the report instead.

An e-mail address is rectified only where the row holds one of the subject's addresses
(a person may have several; only the one being corrected changes). Values equal to the
new one are left alone, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from vigie.sources.manifest import Column
from vigie.sources.sql_schema import SourceError, batched, key_in, row_key
from vigie.sources.types import DERIVED_ATTRIBUTES, RectifiedValue, RectifyReport, Subject

if TYPE_CHECKING:
    from vigie.sources.sql import SqlSource


def _same(old: Any, new: Any, attribute: str) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if attribute == "email":
        return str(old).strip().lower() == str(new).strip().lower()
    if isinstance(old, dt.datetime):
        old = old.date()
    return str(old).strip() == str(new).strip()


def _value(source: str, spec_name: str, column: sa.Column[Any], new: Any) -> Any:
    """The new value as the column takes it: a date for a date column; a text too long
    for the column is refused before anything is written (no truncation)."""
    if new is None or new == "":
        return None if column.nullable else ""
    if isinstance(column.type, (sa.Date, sa.DateTime)) and isinstance(new, str):
        try:
            return dt.date.fromisoformat(new)
        except ValueError:
            raise SourceError(
                f"{source}: tables.{spec_name}.columns.{column.name}: not a date"
            ) from None
    length = column.type.length if isinstance(column.type, sa.String) else None
    if length and len(str(new)) > length:
        raise SourceError(
            f"{source}: tables.{spec_name}.columns.{column.name}: the new value is longer "
            f"than the column allows ({length} characters)"
        )
    return new


def rectify(source: SqlSource, subject: Subject, changes: Mapping[str, Any]) -> RectifyReport:
    """Write ``changes`` (attribute → new value) in the subject's rows; one transaction."""
    report = RectifyReport(source.name)
    schema = source.schema
    wanted = {a for a in changes}
    mapped: set[str] = set()
    emails = {e.strip().lower() for e in subject.values("email")}
    with source.engine.begin() as conn:
        keys = schema.identity_keys(conn, subject)
        for spec in source.manifest.tables.values():
            if not spec.links:
                continue
            rows = schema.subject_rows(conn, spec, keys, erasing=True)
            if not rows:
                continue
            report.held = True
            if spec.issued:
                report.issued.append(spec.name)
                continue
            marked = [c for c in spec.columns.values() if c.attribute and not c.issued]
            columns: list[Column] = [
                c for c in schema.present(spec, marked) if c.attribute in wanted
            ]
            if not columns:
                continue
            mapped |= {c.attribute for c in columns if c.attribute}
            primary = schema.primary_key(spec)
            width = len(primary)
            table = schema.table(spec.name)
            selected = [schema.column(spec.name, c.name) for c in columns]
            for batch in batched(rows, source.batch_size):
                query = sa.select(*primary, *selected).where(key_in(primary, batch))
                for row in conn.execute(query.order_by(*primary)).all():
                    values: dict[str, Any] = {}
                    for column, reflected, old in zip(columns, selected, row[width:], strict=True):
                        attribute = column.attribute or ""
                        new = changes[attribute]
                        if attribute == "email" and (
                            old is None or str(old).strip().lower() not in emails
                        ):
                            continue
                        if _same(old, new, attribute):
                            continue
                        values[column.name] = _value(source.name, spec.name, reflected, new)
                        report.changed.append(
                            RectifiedValue(
                                spec.name,
                                row_key(row[:width]),
                                column.name,
                                attribute,
                                old,
                                new,
                                column.category or "",
                            )
                        )
                    if values:
                        conn.execute(
                            table.update()
                            .where(key_in(primary, [tuple(row[:width])]))
                            .values(values)
                        )
                        if source.on_batch is not None:
                            source.on_batch(spec.name, 1)
    if report.held:
        report.unmapped = sorted(wanted - mapped - DERIVED_ATTRIBUTES)
    return report
