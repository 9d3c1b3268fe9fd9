"""The database side of a manifest: reflected tables, keys and the subject's rows as SQL.

Everything here is set-based SQLAlchemy Core, and **ids first** (issue 12): the
identities' keys, then the keys each ``through`` hop leads to, are selected before
any table is read, in bounded batches of ``ID_BATCH`` values; a table's rows are then
selected by those ids (``col IN (:ids)``, one statement per batch), never by
``col IN (SELECT …) OR …``, which MariaDB and PostgreSQL both run as a scan of the
whole table. Identifiers come from reflection, so SQLAlchemy quotes them (GLPI has
columns named ``date`` or ``2fa``).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import warnings
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from vigie.sources.manifest import Column, Constant, Link, Manifest, Retention, Table
from vigie.sources.types import Subject


def _sortable(value: Any) -> tuple[int, Any]:
    """A sort key for ids of one column (numbers or texts), None never among them."""
    return (0, value) if isinstance(value, (int, float)) else (1, str(value))


class SourceError(RuntimeError):
    """The source cannot do what was asked; the message says why (never a value)."""


#: At most this many ids in one ``IN`` list: a person with 50,000 tickets is read in
#: batches, never in one statement the database must parse and plan at once.
ID_BATCH = 1000


def batched(values: Sequence[Any], size: int | None = None) -> list[list[Any]]:
    """``values`` in lists of at most ``size`` (default ``ID_BATCH``)."""
    step = size or ID_BATCH
    return [list(values[i : i + step]) for i in range(0, len(values), step)]


def key_in(primary: Sequence[sa.Column[Any]], keys: Sequence[tuple[Any, ...]]) -> Any:
    """``pk IN (keys)``, with a row value when the key has several columns."""
    if len(primary) == 1:
        return primary[0].in_([k[0] for k in keys])
    return sa.tuple_(*primary).in_(list(keys))


def row_key(values: Sequence[Any]) -> str:
    """The archive index's form of a primary key: ``42`` or ``[3, "a"]`` when composite."""
    if len(values) == 1:
        return str(values[0])
    return json.dumps(list(values), default=str)


def parse_key(primary: Sequence[sa.Column[Any]], text: str) -> tuple[Any, ...] | None:
    """A key in ``row_key``'s form back as values of the primary key's types (None when it
    does not fit them: the table changed since it was recorded)."""
    try:
        parts = [text] if len(primary) == 1 else json.loads(text)
        if len(parts) != len(primary):
            return None
        values = []
        for column, part in zip(primary, parts, strict=True):
            try:
                python_type = column.type.python_type
            except NotImplementedError:
                python_type = str
            values.append(int(part) if python_type is int else part)
        return tuple(values)
    except (ValueError, TypeError):
        return None


def full_names(parts: Sequence[Any]) -> list[str]:
    """The name a row's name columns spell (first and last name): the parts joined in the
    given order and in the reverse order ("Durand Camille" as GLPI's history writes it).
    A part alone is given only when it is all the row has: a first name alone would
    match every namesake."""
    texts = [" ".join(str(p).split()) for p in parts if p is not None and str(p).strip()]
    if len(texts) < 2:
        return texts
    return [" ".join(texts), " ".join(reversed(texts))]


#: The escape character of ``like`` patterns: not a backslash, which MySQL string
#: literals would read as their own escape.
LIKE_ESCAPE = "!"


def like_pattern(pattern: str, value: Any) -> str:
    """``pattern`` with ``{}`` replaced by ``value``, whose LIKE wildcards are escaped."""
    text = str(value)
    for char in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, LIKE_ESCAPE + char)
    before, _brace, after = pattern.partition("{}")
    fixed = [part.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2) for part in (before, after)]
    return fixed[0] + text + fixed[1]


@dataclass
class SubjectKeys:
    """What leads to the subject, selected first (a handful of values): each identity's
    keys, and the text values ``like`` links look for (``(identity, column)`` → values)."""

    keys: dict[str, list[Any]] = field(default_factory=dict)
    texts: dict[tuple[str, str | tuple[str, ...]], list[str]] = field(default_factory=dict)
    #: The values each ``through`` chain leads to, resolved first (see ``resolve_hops``).
    hops: dict[Hashable, list[Any]] = field(default_factory=dict)

    def get(self, identity: str) -> list[Any]:
        return self.keys.get(identity) or []


@dataclass(frozen=True)
class RetentionStart:
    """The date a table's retention counts from: its own ``start`` column, or, for a
    table that ``follows`` its parent, the parent's (as a correlated subquery)."""

    expression: sa.ColumnElement[Any]
    #: The table whose ``start`` gives the date (the end of a ``follows`` chain).
    anchor: Retention
    is_datetime: bool


@dataclass
class Reflected:
    """The tables reflected so far from one source's database, shareable between calls."""

    metadata: sa.MetaData = field(default_factory=sa.MetaData)
    tables: dict[str, sa.Table] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: The SQLAlchemy engine of that URL, kept for its compiled-statement cache (ids
    #: first sends some 40 statements per find: compiling them at every call cost more
    #: than running them). Each call still opens its own connection: ``close`` disposes
    #: the pool, not the engine.
    engine: Engine | None = None


#: Reflected schemas kept across calls, so a web worker or the job runner reflects a
#: source's tables once rather than at every find or erase (15 tables of GLPI cost
#: more than finding a person). The key, made by ``SqlSource``, holds the source's
#: name, a digest of its manifest and URL, and when it was last changed and checked:
#: a new manifest, another URL or a ``vigie sources check`` (in any process: the check
#: is stored) gives a new key, so a stale schema is never used. Oldest dropped first.
_CACHE: OrderedDict[Hashable, Reflected] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 32


def cached_schema(key: Hashable) -> Reflected:
    with _CACHE_LOCK:
        reflected = _CACHE.get(key)
        if reflected is None:
            reflected = _CACHE[key] = Reflected()
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(key)
        return reflected


def forget_schema(source: str | None = None) -> None:
    """Drop the cached schemas of ``source`` (keys start with its name), or all."""
    with _CACHE_LOCK:
        for key in list(_CACHE):
            if source is None or (isinstance(key, tuple) and key and key[0] == source):
                del _CACHE[key]


def forget_schema_key(key: Hashable) -> None:
    with _CACHE_LOCK:
        _CACHE.pop(key, None)


class SchemaView:
    """Reflects the manifest's tables on demand and turns links into SQL conditions."""

    def __init__(
        self, manifest: Manifest, engine: Engine, reflected: Reflected | None = None
    ) -> None:
        self.manifest = manifest
        self.engine = engine
        self._reflected = reflected or Reflected()
        self.metadata = self._reflected.metadata
        self._tables = self._reflected.tables

    def table(self, name: str) -> sa.Table:
        table = self._tables.get(name)
        if table is not None:
            return table
        with self._reflected.lock:
            if name not in self._tables:
                self._tables[name] = self._reflect(name)
        return self._tables[name]

    def _reflect(self, name: str) -> sa.Table:
        try:
            with warnings.catch_warnings():
                # A type SQLAlchemy does not know (MariaDB's `point`) is reflected as
                # NullType: such a column can still be nulled, named and selected.
                warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
                return sa.Table(name, self.metadata, autoload_with=self.engine)
        except sa.exc.NoSuchTableError:
            raise SourceError(
                f"{self.manifest.source}: table {name!r} is not in the database "
                "(run `vigie sources check`)"
            ) from None

    def column(self, table: str, name: str) -> sa.Column[Any]:
        reflected = self.table(table)
        if name not in reflected.c:
            raise SourceError(
                f"{self.manifest.source}: column {table}.{name} is not in the database "
                "(run `vigie sources check`)"
            )
        return reflected.c[name]

    def has_column(self, table: str, name: str) -> bool:
        return name in self.table(table).c

    def present(self, spec: Table, columns: Sequence[Column]) -> list[Column]:
        """``columns`` that this database has: a column with ``versions`` may be absent
        (another version of the application) and is skipped; any other must be there."""
        return [c for c in columns if not c.versions or self.has_column(spec.name, c.name)]

    def personal_columns(self, spec: Table) -> list[Column]:
        return self.present(spec, spec.personal_columns)

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

    def single_key(self, spec: Table, what: str) -> sa.Column[Any]:
        primary = self.primary_key(spec)
        if len(primary) != 1:
            raise SourceError(
                f"{self.manifest.source}: tables.{spec.name}: {what} needs `references` "
                "when the key has several columns"
            )
        return primary[0]

    def constants(self, table: str, where: Mapping[str, Constant]) -> list[sa.ColumnElement[bool]]:
        conditions = []
        for name, value in where.items():
            column = self.column(table, name)
            conditions.append(column.in_(value) if isinstance(value, tuple) else column == value)
        return conditions

    def _absent(self, spec: Table, name: str | None) -> bool:
        """A versioned column of ``spec`` this database lacks: what uses it is skipped."""
        column = spec.columns.get(name or "")
        return bool(column and column.versions and not self.has_column(spec.name, column.name))

    # -- the subject -------------------------------------------------------------------

    def identity_keys(self, conn: Connection, subject: Subject) -> SubjectKeys:
        """Each identity's keys for the subject: one small query per matched attribute;
        then the identity values ``like`` links look for, one query per value column."""
        resolved = SubjectKeys()
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
            resolved.keys[name] = list(found)
        wanted = {
            (link.identity, link.like.value)
            for spec in self.manifest.tables.values()
            for link in spec.links
            if link.like is not None
        }
        for identity_name, value_column in sorted(wanted, key=repr):
            keys = resolved.get(identity_name)
            texts: list[str] = []
            if keys:
                identity = self.manifest.identities[identity_name]
                # One column (a login), or the columns of a full name, spelled in their
                # order and reversed ("Camille Durand", "Durand Camille").
                names = (value_column,) if isinstance(value_column, str) else value_column
                found_texts: set[str] = set()
                for batch in batched(keys):
                    query = sa.select(*(self.column(identity.table, n) for n in names)).where(
                        self.column(identity.table, identity.key).in_(batch)
                    )
                    for row in conn.execute(query):
                        if len(names) == 1:
                            found_texts |= {str(row[0])} if row[0] is not None else set()
                        else:
                            found_texts |= set(full_names(row))
                texts = sorted(found_texts)
            resolved.texts[(identity_name, value_column)] = [t for t in texts if t.strip()]
        self.resolve_hops(conn, resolved)
        return resolved

    @staticmethod
    def _hop_key(link: Link) -> Hashable:
        return (
            link.identity,
            tuple((h.table, h.column, h.key, tuple(sorted(h.where.items()))) for h in link.through),
        )

    def resolve_hops(self, conn: Connection, resolved: SubjectKeys) -> None:
        """The values every ``through`` chain leads to, hop by hop, each hop one
        statement per batch of ``ID_BATCH`` values (ids first: no subquery is sent)."""
        for spec in self.manifest.tables.values():
            for link in spec.links:
                if not link.through:
                    continue
                key = self._hop_key(link)
                if key in resolved.hops:
                    continue
                values: list[Any] = list(resolved.get(link.identity))
                for hop in link.through:
                    if not values:
                        break
                    reached: dict[Any, None] = {}
                    column = self.column(hop.table, hop.column)
                    for batch in batched(values):
                        query = sa.select(self.column(hop.table, hop.key)).where(
                            column.in_(batch), *self.constants(hop.table, hop.where)
                        )
                        for value in conn.execute(query).scalars():
                            if value is not None:
                                reached[value] = None
                    values = sorted(reached, key=_sortable)
                resolved.hops[key] = values

    def link_conditions(
        self, spec: Table, link: Link, keys: SubjectKeys
    ) -> list[sa.ColumnElement[bool]]:
        """The rows of ``spec`` this link ties to the subject, as conditions on bounded
        lists of ids (one per batch of ``ID_BATCH``); empty when no row can be."""
        identity_keys = keys.get(link.identity)
        if not identity_keys or self._absent(spec, link.column):
            return []
        constants = self.constants(spec.name, link.where)
        if link.through:
            values = keys.hops.get(self._hop_key(link))
            if values is None:
                raise SourceError(
                    f"{self.manifest.source}: tables.{spec.name}: links not resolved first"
                )
            if link.references:
                referenced = self.column(spec.name, link.references)
            else:
                referenced = self.single_key(spec, "a link `through` another table")
            return [sa.and_(referenced.in_(batch), *constants) for batch in batched(values)]
        if link.like is not None:
            texts = keys.texts.get((link.identity, link.like.value)) or []
            column = self.column(spec.name, link.column or "")
            patterns = [like_pattern(p, t) for t in texts for p in link.like.patterns]
            return [
                sa.and_(sa.or_(*(column.like(p, escape=LIKE_ESCAPE) for p in batch)), *constants)
                for batch in batched(patterns)
            ]
        column = self.column(spec.name, link.column or "")
        return [sa.and_(column.in_(batch), *constants) for batch in batched(identity_keys)]

    def link_condition(
        self, spec: Table, link: Link, keys: SubjectKeys
    ) -> sa.ColumnElement[bool] | None:
        """The rows of ``spec`` this link ties to the subject; None when none can be."""
        conditions = self.link_conditions(spec, link, keys)
        return sa.or_(*conditions) if conditions else None

    def subject_conditions(
        self, spec: Table, keys: SubjectKeys, *, erasing: bool
    ) -> list[sa.ColumnElement[bool]]:
        """Each link's bounded conditions (erasing: only links that erase), to be run
        one by one: an ``OR`` of links on different columns is a scan for MariaDB."""
        out: list[sa.ColumnElement[bool]] = []
        for link in spec.links:
            if link.erase or not erasing:
                out += self.link_conditions(spec, link, keys)
        return out

    def subject_condition(
        self, spec: Table, keys: SubjectKeys, *, erasing: bool
    ) -> sa.ColumnElement[bool] | None:
        """Rows of ``spec`` that belong to the subject through any link (erasing: only
        links that erase), as one condition."""
        conditions = self.subject_conditions(spec, keys, erasing=erasing)
        return sa.or_(*conditions) if conditions else None

    def subject_rows(
        self, conn: Connection, spec: Table, keys: SubjectKeys, *, erasing: bool
    ) -> list[tuple[Any, ...]]:
        """The primary keys of the subject's rows of ``spec``, sorted: one statement per
        link and batch of ids, each served by that link's own index."""
        primary = self.primary_key(spec)
        found: set[tuple[Any, ...]] = set()
        for condition in self.subject_conditions(spec, keys, erasing=erasing):
            found.update(tuple(r) for r in conn.execute(sa.select(*primary).where(condition)))
        return sorted(found, key=lambda k: tuple(_sortable(v) for v in k))

    def link_columns(
        self, spec: Table, keys: SubjectKeys
    ) -> dict[str, sa.ColumnElement[bool] | None]:
        """Each column that is some link's ``column``, with the condition under which a
        row's value is the subject's (any link on that column matches; None: never).

        An erasure changes such a column only where it is the subject's: in a row reached
        through one link, another link's column may hold another person (a technician
        who typed the subject's ticket) and is left as it is.
        """
        by_column: dict[str, list[sa.ColumnElement[bool]]] = {}
        for link in spec.links:
            if link.column is None:
                continue
            condition = self.link_condition(spec, link, keys)
            by_column.setdefault(link.column, [])
            if condition is not None:
                by_column[link.column].append(condition)
        return {
            column: sa.or_(*conditions) if conditions else None
            for column, conditions in by_column.items()
        }

    # -- retention ---------------------------------------------------------------------

    def retention_start(self, spec: Table) -> RetentionStart:
        """The expression giving each row's retention start (see ``RetentionStart``)."""
        retention = spec.retention
        if retention is None:
            raise SourceError(f"{self.manifest.source}: tables.{spec.name}: no retention rule")
        follows = retention.follows
        if follows is None:
            column = self.column(spec.name, retention.start or "")
            return RetentionStart(column, retention, isinstance(column.type, sa.DateTime))
        parent = self.manifest.tables[follows.table]
        above = self.retention_start(parent)
        referenced = (
            self.column(parent.name, follows.references)
            if follows.references
            else self.single_key(parent, "`retention.follows` of another table")
        )
        expression = (
            sa.select(sa.func.max(above.expression))
            .where(
                referenced == self.column(spec.name, follows.column),
                *self.constants(spec.name, follows.where),
            )
            .correlate(self.table(spec.name))
            .scalar_subquery()
        )
        return RetentionStart(expression, above.anchor, above.is_datetime)

    def started_before(self, spec: Table, bound: dt.date) -> sa.ColumnElement[bool]:
        """Rows of a table with its own start date whose start is before ``bound`` (one
        comparison). A table that follows its parent is selected ids first, by its
        parents' keys (``sql_retention.past_rows``)."""
        retention = spec.retention
        assert retention is not None and retention.follows is None
        column = self.column(spec.name, retention.start or "")
        limit: dt.date = bound
        if isinstance(column.type, sa.DateTime) and not isinstance(bound, dt.datetime):
            limit = dt.datetime.combine(bound, dt.time())
        return column < limit

    def follows_depth(self, spec: Table) -> int:
        """How many parents a table follows (0: it has its own start date)."""
        depth, current = 0, spec
        while current.retention is not None and current.retention.follows is not None:
            depth += 1
            current = self.manifest.tables[current.retention.follows.table]
        return depth

    def erase_order(self) -> list[Table]:
        """Dependents first; then link tables, identity tables, and last the tables
        identities are looked up in: what leads to the person goes last, so that a
        re-run after an interruption still finds the rows that remain."""
        rank: dict[str, int] = {}

        def bump(name: str, level: int) -> None:
            rank[name] = max(rank.get(name, 0), level)

        for spec in self.manifest.tables.values():
            for link in spec.links:
                for hop in link.through:
                    bump(hop.table, 1)
        for identity in self.manifest.identities.values():
            bump(identity.table, 2)
            for match in identity.match.values():
                bump(match.table or identity.table, 3 if match.table else 2)
        return sorted(self.manifest.tables.values(), key=lambda t: (rank.get(t.name, 0), t.name))
