"""The database side of a manifest: reflected tables, keys and the subject's rows as SQL.

Everything here builds set-based SQLAlchemy Core expressions: a subject's rows are
``key IN (subquery)`` conditions, never a scan in Python. Identifiers come from
reflection, so SQLAlchemy quotes them (GLPI has columns named ``date`` or ``2fa``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from vigie.sources.manifest import Link, Manifest, Scalar, Table
from vigie.sources.types import Subject


class SourceError(RuntimeError):
    """The source cannot do what was asked; the message says why (never a value)."""


def row_key(values: Sequence[Any]) -> str:
    """The archive index's form of a primary key: ``42`` or ``[3, "a"]`` when composite."""
    if len(values) == 1:
        return str(values[0])
    return json.dumps(list(values), default=str)


class SchemaView:
    """Reflects the manifest's tables on demand and turns links into SQL conditions."""

    def __init__(self, manifest: Manifest, engine: Engine) -> None:
        self.manifest = manifest
        self.engine = engine
        self.metadata = sa.MetaData()
        self._tables: dict[str, sa.Table] = {}

    def table(self, name: str) -> sa.Table:
        if name not in self._tables:
            try:
                self._tables[name] = sa.Table(name, self.metadata, autoload_with=self.engine)
            except sa.exc.NoSuchTableError:
                raise SourceError(
                    f"{self.manifest.source}: table {name!r} is not in the database "
                    "(run `vigie sources check`)"
                ) from None
        return self._tables[name]

    def column(self, table: str, name: str) -> sa.Column[Any]:
        reflected = self.table(table)
        if name not in reflected.c:
            raise SourceError(
                f"{self.manifest.source}: column {table}.{name} is not in the database "
                "(run `vigie sources check`)"
            )
        return reflected.c[name]

    def primary_key(self, spec: Table) -> list[sa.Column[Any]]:
        if spec.key:
            return [self.column(spec.name, name) for name in spec.key]
        columns = list(self.table(spec.name).primary_key.columns)
        if not columns:
            raise SourceError(
                f"{self.manifest.source}: tables.{spec.name}.key: the table has no primary "
                "key; name the column(s) that identify a row"
            )
        return columns

    def constants(self, table: str, where: Mapping[str, Scalar]) -> list[sa.ColumnElement[bool]]:
        return [self.column(table, name) == value for name, value in where.items()]

    def identity_keys(self, conn: Connection, subject: Subject) -> dict[str, list[Any]]:
        """Each identity's keys for the subject: one small query per matched attribute."""
        keys: dict[str, list[Any]] = {}
        for name, identity in self.manifest.identities.items():
            found: dict[Any, None] = {}
            for attribute, match in identity.match.items():
                values = subject.values(attribute)
                if not values:
                    continue
                lookup = match.table or identity.table
                key = self.column(lookup, match.key or identity.key)
                column: sa.ColumnElement[Any] = self.column(lookup, match.column)
                if isinstance(column.type, sa.String):
                    # Trimmed, and e-mail addresses case-insensitively: what people type
                    # into a helpdesk is rarely in one canonical form.
                    column = sa.func.trim(column)
                    if attribute == "email":
                        column = sa.func.lower(column)
                query = sa.select(key).where(
                    column.in_(values), *self.constants(lookup, match.where)
                )
                for value in conn.execute(query).scalars():
                    if value is not None:
                        found[value] = None
            keys[name] = list(found)
        return keys

    def link_condition(
        self, spec: Table, link: Link, keys: Mapping[str, list[Any]]
    ) -> sa.ColumnElement[bool] | None:
        identity_keys = keys.get(link.identity) or []
        if not identity_keys:
            return None
        condition: sa.ColumnElement[bool]
        if link.through is not None:
            through = link.through
            linked = sa.select(self.column(through.table, through.key)).where(
                self.column(through.table, through.column).in_(identity_keys),
                *self.constants(through.table, through.where),
            )
            if link.references:
                referenced = self.column(spec.name, link.references)
            else:
                primary = self.primary_key(spec)
                if len(primary) != 1:
                    raise SourceError(
                        f"{self.manifest.source}: tables.{spec.name}: a link `through` another "
                        "table needs `references` when the key has several columns"
                    )
                referenced = primary[0]
            condition = referenced.in_(linked)
        else:
            condition = self.column(spec.name, link.column or "").in_(identity_keys)
        return sa.and_(condition, *self.constants(spec.name, link.where))

    def subject_condition(
        self, spec: Table, keys: Mapping[str, list[Any]], *, erasing: bool
    ) -> sa.ColumnElement[bool] | None:
        """Rows of ``spec`` that belong to the subject through any link (erasing: only
        links that erase)."""
        links = [link for link in spec.links if link.erase or not erasing]
        found = (self.link_condition(spec, link, keys) for link in links)
        conditions = [c for c in found if c is not None]
        if not conditions:
            return None
        return sa.or_(*conditions)

    def erase_order(self) -> list[Table]:
        """Dependents first; then link tables, identity tables, and last the tables
        identities are looked up in: what leads to the person goes last, so that a
        re-run after an interruption still finds the rows that remain."""
        rank: dict[str, int] = {}

        def bump(name: str, level: int) -> None:
            rank[name] = max(rank.get(name, 0), level)

        for spec in self.manifest.tables.values():
            for link in spec.links:
                if link.through is not None:
                    bump(link.through.table, 1)
        for identity in self.manifest.identities.values():
            bump(identity.table, 2)
            for match in identity.match.values():
                bump(match.table or identity.table, 3 if match.table else 2)
        return sorted(self.manifest.tables.values(), key=lambda t: (rank.get(t.name, 0), t.name))
