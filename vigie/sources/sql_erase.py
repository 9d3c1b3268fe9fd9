"""Erasure of a subject in an external SQL source (Art. 17, R19, R53).

Table by table in ``SchemaView.erase_order``, ids first: the identity keys and the
ids ``through`` links lead to are selected once, before any change; each table's
rows are then selected by those ids (one statement per link and batch of ids, no
subquery), and changed batch by batch of primary keys (bounded statements):
``DELETE`` for ``delete_row`` tables, else one ``UPDATE`` for the ``null``/``mask``
columns plus keyed hashes. The whole erase of one source is **one transaction**
(issue 14): all the subject's tables or none — a failure anywhere rolls the source
back as it was. The archive index entries of the kept rows (Art. 17(3)) are written
once, before that transaction commits: if the commit fails, the rows are still there
and kept, so the entries are true, and a re-run adds nothing. Rows already erased
(their nulled and masked columns in the erased state) are not selected again, so a
re-run changes nothing twice. (The retention purge, ``sql_retention``, keeps one
transaction per batch: it is resumable rather than all-or-nothing.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from vigie.lib import keyring
from vigie.lib.legal_calendar import retention_end
from vigie.sources.manifest import Column, Table
from vigie.sources.sql_schema import (
    SourceError,
    SubjectKeys,
    batched,
    full_names,
    key_in,
    row_key,
)
from vigie.sources.types import (
    Erase,
    EraseReport,
    Keep,
    KeptRow,
    Plan,
    Residue,
    ResidueState,
    Subject,
)

if TYPE_CHECKING:
    from vigie.sources.sql import SqlSource

HASH_PURPOSE = "vigie:sources:hash-column"
_HEX = re.compile(r"^[0-9a-f]+$")


def effective_strategies(
    spec: Table,
    plan: Plan,
    columns: Sequence[Column] | None = None,
    not_null: Collection[str] = (),
) -> dict[str, str]:
    """Each personal column's strategy once the plan's per-category choices apply.

    A category the plan erases loses its ``keep`` columns to NULL: the legal ground
    to keep them was judged not to apply to this person. ``columns``: the personal
    columns the database has (default: all the manifest's); ``not_null``: those of them the
    database refuses to set to NULL.
    """
    # The columns that link a row to the person and cannot be NULL (Dolibarr's fk_soc):
    # the row goes instead; a link that can be NULL is cleared, the row left without
    # its owner.
    linking = {link.column for link in spec.links if link.column and not link.through} & set(
        not_null
    )
    strategies = {}
    for column in spec.personal_columns if columns is None else columns:
        choice = plan.get(column.category or "")
        if isinstance(choice, Keep):
            strategies[column.name] = "keep"
        elif isinstance(choice, Erase) and column.erase == "keep":
            # A category the plan erases against the manifest's keep: the row goes
            # when it links the person by a column that cannot be NULL, else the
            # column is cleared.
            strategies[column.name] = "delete_row" if column.name in linking else "null"
        else:
            strategies[column.name] = column.erase or "null"
    if "keep" in strategies.values():
        # A kept row cannot be deleted: the other categories' columns that the manifest
        # would delete with the row are nulled instead.
        strategies = {n: "null" if s == "delete_row" else s for n, s in strategies.items()}
    return strategies


def _not_null(schema: Any, spec: Table) -> set[str]:
    """The table's columns the database refuses to set to NULL."""
    return {c.name for c in schema.table(spec.name).columns if not c.nullable}


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

    def not_done(self) -> dict[str, sa.ColumnElement[bool]]:
        """Per nulled or masked column: its value is not in the erased state yet."""
        terms: dict[str, sa.ColumnElement[bool]] = {c.name: c.is_not(None) for c in self.null}
        for column, mask in self.mask:
            terms[column.name] = sa.and_(
                column.is_not(None), column != sa.literal(mask, column.type)
            )
        return terms

    def pending(self) -> sa.ColumnElement[bool] | None:
        """Rows not yet in the erased state; None when the state cannot be told."""
        terms = list(self.not_done().values())
        return sa.or_(*terms) if terms else None

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
    return key_in(primary, keys)


def for_each_key_batch(
    source: SqlSource,
    table: str,
    primary: list[sa.Column[Any]],
    keys: list[tuple[Any, ...]],
    condition: sa.ColumnElement[bool] | None,
    extra: list[sa.ColumnElement[Any]],
    apply: Callable[[Connection, list[Row[Any]]], None],
    conn: Connection | None = None,
    reselect: bool = True,
) -> int:
    """The rows of ``keys`` (resolved first) that meet ``condition``, ``batch_size`` keys
    at a time: select, apply; repeat. Batches with nothing left are skipped.

    With ``conn`` every batch runs in that connection's transaction (the caller commits:
    an erase is one transaction per source); without, each batch is its own transaction.
    ``reselect=False`` (no ``condition``, no ``extra``: rows to delete, whose keys were
    just selected in the same transaction): the keys are applied as they are, without
    selecting them again.
    """
    batches = 0
    for batch in batched(keys, source.batch_size):
        where = [key_in(primary, batch)]
        if condition is not None:
            where.append(condition)
        query = sa.select(*primary, *extra).where(*where).order_by(*primary)
        given = batch if not reselect and condition is None and not extra else None
        if conn is not None:
            batches += _one_batch(source, table, conn, query, apply, given)
            continue
        with source.engine.begin() as own:
            batches += _one_batch(source, table, own, query, apply, given)
    return batches


def _one_batch(
    source: SqlSource,
    table: str,
    conn: Connection,
    query: sa.Select[Any],
    apply: Callable[[Connection, list[Row[Any]]], None],
    given: list[Any] | None = None,
) -> int:
    rows: list[Any] = list(conn.execute(query).all()) if given is None else given
    if not rows:
        return 0
    apply(conn, rows)
    if source.on_batch is not None:
        source.on_batch(table, len(rows))
    return 1


def as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def erase(
    source: SqlSource,
    subject: Subject,
    plan: Plan,
    *,
    check_residue: bool = True,
    defer_residue: bool = False,
) -> EraseReport:
    report = EraseReport(source.name)
    schema = source.schema
    kept: list[KeptRow] = []
    # One connection, one transaction: the subject's tables all change, or none does
    # (the context manager rolls back on any exception, the hook's included).
    with source.engine.begin() as conn:
        keys = schema.identity_keys(conn, subject)
        # Read before anything changes: the rows that hold them are about to go.
        wanted = check_residue or defer_residue
        matched = match_values(source, conn, subject, keys)
        values = identifiers(source, conn, subject, keys, matched) if wanted else []
        # Whom the kept rows are kept for: a later access request finds them by these
        # (R51), once the identity rows that lead to them are anonymised.
        from vigie.sources.archive import subject_refs

        refs = subject_refs(matched)
        report.identifiers = values
        for spec in schema.erase_order():
            # Versioned columns this database lacks are skipped.
            personal = schema.personal_columns(spec)
            strategies = effective_strategies(spec, plan, personal, _not_null(schema, spec))
            if not strategies or not schema.subject_conditions(spec, keys, erasing=True):
                continue
            report.outcome(spec.name)
            # The table's rows by its links' ids, selected when its turn comes: the
            # tables erased before it may have deleted some (seen in this transaction).
            rows = schema.subject_rows(conn, spec, keys, erasing=True)
            if not rows:
                continue
            _erase_table(source, conn, spec, rows, strategies, plan, report, keys, refs, kept)
        if kept:
            # Written before the source's transaction commits: if the commit fails the
            # rows are still there and kept, so the entries are true (a re-run adds
            # nothing); once it has committed, no kept row lacks its entry.
            source.record_kept(kept)
    if defer_residue:
        # The caller stores the identifiers (sealed) and queues the check as a job.
        report.residue_state = ResidueState.PENDING
    elif check_residue:
        report.complete_residue(*residue(source, values, plan))
    return report


class _Guarded:
    """The link-column rule of one table: a column that is some link's ``column`` is
    changed only in the rows where it holds the subject (a link on it matches); other
    columns in every row reached. Rows are grouped by the guarded columns they get, and
    each group is changed by one UPDATE with its own column list (set-based).
    """

    def __init__(
        self, source: SqlSource, spec: Table, strategies: dict[str, str], keys: SubjectKeys
    ) -> None:
        self.source, self.spec, self.strategies = source, spec, strategies
        changing = {"null", "mask", "hash"}
        conditions = source.schema.link_columns(spec, keys)
        self.guarded = {
            name: condition
            for name, condition in conditions.items()
            if strategies.get(name) in changing
        }
        #: Guarded columns a row may get (those whose links can match at all), in order.
        self.matches = {name: c for name, c in self.guarded.items() if c is not None}
        self.flags = list(self.matches)
        self.base = {n: s for n, s in strategies.items() if n not in self.guarded}
        self._changes: dict[frozenset[str], Changes] = {}

    def changes(self, columns: frozenset[str] = frozenset()) -> Changes:
        if columns not in self._changes:
            chosen = {**self.base, **{n: self.strategies[n] for n in columns}}
            self._changes[columns] = Changes(self.source, self.spec, chosen)
        return self._changes[columns]

    def flag_expressions(self) -> list[sa.ColumnElement[Any]]:
        return [
            sa.case((self.matches[name], 1), else_=0).label(f"vigie_flag_{i}")
            for i, name in enumerate(self.flags)
        ]

    def pending(self) -> sa.ColumnElement[bool] | None:
        """Rows with a column still to erase: a base column, or a guarded column that
        holds the subject; None when the erased state cannot be told."""
        every = self.changes(frozenset(self.flags))
        not_done = every.not_done()
        terms = [t for n, t in not_done.items() if n in self.base]
        for name in self.flags:
            if name in not_done:
                terms.append(sa.and_(self.matches[name], not_done[name]))
        return sa.or_(*terms) if terms else None

    def groups(self, rows: list[Row[Any]], offset: int) -> dict[frozenset[str], list[Row[Any]]]:
        """The batch's rows by the guarded columns each gets (flags from the SELECT)."""
        grouped: dict[frozenset[str], list[Row[Any]]] = {}
        for row in rows:
            columns = frozenset(n for i, n in enumerate(self.flags) if row[offset + i])
            grouped.setdefault(columns, []).append(row)
        return grouped


def _erase_table(
    source: SqlSource,
    conn: Connection,
    spec: Table,
    rows_found: list[tuple[Any, ...]],
    strategies: dict[str, str],
    plan: Plan,
    report: EraseReport,
    keys: SubjectKeys,
    refs: tuple[str, ...],
    archive: list[KeptRow],
) -> None:
    guard = _Guarded(source, spec, strategies, keys)
    changes = guard.changes()
    outcome = report.outcome(spec.name)
    kept_categories = list(
        dict.fromkeys(
            c.category
            for c in spec.personal_columns
            if strategies.get(c.name) == "keep" and c.category
        )
    )
    retention = spec.retention
    extra: list[sa.ColumnElement[Any]] = []
    from_fiscal_year_close = False
    if kept_categories and retention is not None:
        start = source.schema.retention_start(spec)
        extra.append(start.expression)
        from_fiscal_year_close = start.anchor.from_fiscal_year_close
    width = len(changes.primary)
    flags_at = width + len(extra)
    if not changes.deletes:
        extra += guard.flag_expressions()
    pending = None
    # A deleting table takes every linked row, whatever its other columns hold; kept
    # rows are visited again by a re-run (for their archive entry).
    if not changes.deletes and not changes.kept:
        # Kept rows are visited again by a re-run (for their archive entry).
        pending = guard.pending()

    def kept_rows(rows: list[Row[Any]]) -> list[KeptRow]:
        out = []
        for row in rows:
            key = row_key(row[:width])
            entries = []
            for category in kept_categories:
                choice = plan.get(category)
                if isinstance(choice, Keep):
                    entries.append(
                        KeptRow(spec.name, key, category, choice.ground, choice.until, refs)
                    )
                elif retention is not None:
                    rule = source.rules.get(retention.category)
                    start = as_date(row[width]) if flags_at > width else None
                    ends = (
                        retention_end(
                            start,
                            rule.period,
                            from_fiscal_year_close=from_fiscal_year_close,
                            year_end=source.fiscal_year_end,
                        )
                        if start is not None and rule is not None
                        else None
                    )
                    ground = rule.legal_reference if rule else retention.category
                    entries.append(KeptRow(spec.name, key, retention.category, ground, ends, refs))
            # One archive entry per row: the longest retention wins (unknown = longest).
            entries.sort(key=lambda e: e.ends_on or dt.date.max, reverse=True)
            out.extend(entries[:1])
        return out

    def apply(conn: Connection, rows: list[Row[Any]]) -> None:
        if changes.kept:
            kept = kept_rows(rows)
            # Recorded in the archive index before the source's transaction commits.
            archive.extend(kept)
            report.kept.extend(kept)
            outcome.kept += len(rows)
        if changes.deletes:
            outcome.deleted += changes.apply(conn, rows)
            return
        for columns, group in guard.groups(rows, flags_at).items():
            chosen = guard.changes(columns)
            if chosen.null or chosen.mask or chosen.hash:
                outcome.updated += chosen.apply(conn, group)

    for_each_key_batch(
        source,
        spec.name,
        changes.primary,
        rows_found,
        pending,
        extra,
        apply,
        conn=conn,
        # Rows to delete, just selected in this transaction: deleted by those keys.
        reselect=not changes.deletes,
    )


# -- after the erase: the residue check (issue 12) ---------------------------------------

#: Identifiers shorter than this are not searched for: they would match anything.
MIN_IDENTIFIER = 3


def identifiers(
    source: SqlSource,
    conn: Connection,
    subject: Subject,
    keys: SubjectKeys,
    matched: list[tuple[str, Any]] | None = None,
) -> list[str]:
    """What identifies the person, read before the erase: the values given (addresses,
    logins), the values of the identities' match columns in the person's rows (every
    address a helpdesk holds for them), and those of the columns the manifest marks
    ``identifies`` in the person's rows (a name)."""
    schema = source.schema
    found: dict[str, None] = {}

    def add(value: Any) -> None:
        text = str(value).strip() if value is not None else ""
        if len(text) >= MIN_IDENTIFIER and not text.isdigit():
            found[text] = None

    if matched is None:
        matched = match_values(source, conn, subject, keys)
    for _attribute, value in matched:
        add(value)
    for spec in source.manifest.tables.values():
        marked = [c for c in schema.personal_columns(spec) if c.identifies]
        if not marked:
            continue
        primary = schema.primary_key(spec)
        rows = schema.subject_rows(conn, spec, keys, erasing=False)
        columns = [schema.column(spec.name, c.name) for c in marked]
        names = [i for i, c in enumerate(marked) if c.identifies == "name"]
        for batch in batched(rows, source.batch_size):
            for row in conn.execute(sa.select(*columns).where(key_in(primary, batch))):
                for i, value in enumerate(row):
                    if i not in names:
                        add(value)
                for value in full_names([row[i] for i in names]):
                    add(value)
    return sorted(found)


def match_values(
    source: SqlSource, conn: Connection, subject: Subject, keys: SubjectKeys
) -> list[tuple[str, Any]]:
    """``(attribute, value)`` for the values given and for the values of the identities'
    match columns in the person's rows (every address and login the application holds for
    them), read before the erase: what identifies the person afterwards."""
    schema = source.schema
    out: list[tuple[str, Any]] = [
        (attribute, value) for attribute, values in subject.attributes.items() for value in values
    ]
    for name, identity in source.manifest.identities.items():
        identity_keys = keys.get(name)
        if not identity_keys:
            continue
        for attribute, match in identity.match.items():
            lookup = match.table or identity.table
            column = schema.column(lookup, match.column)
            key = schema.column(lookup, match.key or identity.key)
            for batch in batched(identity_keys):
                query = sa.select(column).where(
                    key.in_(batch), *schema.constants(lookup, match.where)
                )
                for value in conn.execute(query).scalars():
                    if value is not None:
                        out.append((attribute, value))
    return out


def residue(
    source: SqlSource, values: Sequence[str], plan: Plan
) -> tuple[list[Residue], list[Residue]]:
    """Every text column of every described personal table searched for ``values``
    (case-insensitive, anywhere in the text): one statement per table, counting per
    column the rows that hold one. Columns a kept category keeps are returned apart."""
    from vigie.sources.sql_schema import LIKE_ESCAPE, like_pattern

    schema = source.schema
    found: list[Residue] = []
    kept: list[Residue] = []
    if not values:
        return found, kept
    patterns = [like_pattern("%{}%", v) for v in values]

    def holds(column: sa.Column[Any]) -> sa.ColumnElement[bool]:
        return sa.or_(*(column.ilike(p, escape=LIKE_ESCAPE) for p in patterns))

    if source.engine.dialect.name == "postgresql":
        # One lower() per value read and one LIKE ANY: three times faster on PostgreSQL
        # than an ILIKE per identifier (measured, docs/benchmarks.md). Its default escape
        # character is the backslash (ANY takes no ESCAPE clause).
        from sqlalchemy.dialects.postgresql import ARRAY

        lowered = sa.literal([_backslash_pattern(v.lower()) for v in values], ARRAY(sa.Text))

        def holds(column: sa.Column[Any]) -> sa.ColumnElement[bool]:
            return sa.func.lower(column).like(sa.any_(lowered))

    elif source.engine.dialect.name in ("mysql", "mariadb"):
        # One lower() and one REGEXP of the identifiers, escaped, per value read: 4.7
        # times faster on MariaDB than a LIKE per identifier (measured, docs/benchmarks.md).
        alternatives = "|".join(re.escape(v.lower()) for v in values)

        def holds(column: sa.Column[Any]) -> sa.ColumnElement[bool]:
            return sa.func.lower(column).regexp_match(alternatives)

    with source.engine.connect() as conn:
        for spec in source.manifest.tables.values():
            personal = schema.personal_columns(spec)
            if not personal:
                continue
            strategies = effective_strategies(spec, plan, personal, _not_null(schema, spec))
            table = schema.table(spec.name)
            texts = [c for c in table.columns if isinstance(c.type, sa.String)]
            if not texts:
                continue
            counts = [
                sa.func.sum(sa.case((holds(c), 1), else_=0)).label(f"c{i}")
                for i, c in enumerate(texts)
            ]
            row = conn.execute(sa.select(*counts).select_from(table)).one()
            for column, count in zip(texts, row, strict=True):
                if not count:
                    continue
                spec_column = spec.columns.get(column.name)
                if strategies.get(column.name) == "keep" and spec_column is not None:
                    kept.append(
                        Residue(spec.name, column.name, int(count), spec_column.category or "")
                    )
                else:
                    found.append(Residue(spec.name, column.name, int(count)))
    return found, kept


def _backslash_pattern(value: str) -> str:
    """``%value%`` with LIKE's wildcards escaped by a backslash (PostgreSQL's default)."""
    for char in ("\\", "%", "_"):
        value = value.replace(char, "\\" + char)
    return f"%{value}%"
