"""An external SQL database as a source: find, erase, expired, purge (Art. 15, 17, 5(1)(e)).

SQLAlchemy Core 2 only, on whatever it reaches (MariaDB/MySQL through PyMySQL,
PostgreSQL through psycopg, SQLite). Every call is set-based and **ids first**: the
subject's identity keys and the ids their links lead to are selected first, then
each table's rows by those ids, in bounded batches (no subquery, no per-row round
trip), then changed by ``UPDATE``/``DELETE … WHERE key IN (batch)``, batch after
batch. An erase is one transaction per source (all the subject's tables or none); a
purge commits each batch. An interrupted erase or purge is run again and finishes the
job (see ``docs/sources.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import warnings
from collections.abc import Callable, Hashable, Mapping
from contextlib import ExitStack
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from django.conf import settings

from vigie.sources import sql_erase, sql_rectify, sql_retention
from vigie.sources.manifest import Column, Manifest
from vigie.sources.rules import RetentionRule
from vigie.sources.sql_schema import (
    SchemaView,
    SourceError,
    batched,
    cached_schema,
    forget_schema_key,
    key_in,
    parse_key,
    row_key,
)
from vigie.sources.types import (
    EraseReport,
    FindResult,
    FoundRow,
    KeptRow,
    Plan,
    PurgeReport,
    RectifyReport,
    Residue,
    Selection,
    Subject,
)

if TYPE_CHECKING:
    from vigie.sources.portable import PortableSection

#: Called after each batch with the table and the batch's size, inside the transaction:
#: progress for the CLI; raising there rolls back the batch of a purge, the whole source
#: of an erase (tests interrupt so).
BatchHook = Callable[[str, int], None]


class SqlSource:
    """One external database described by ``manifest``."""

    def __init__(
        self,
        manifest: Manifest,
        *,
        url: str | None = None,
        rules: Mapping[str, RetentionRule] | None = None,
        batch_size: int | None = None,
        fiscal_year_end: str | None = None,
        on_batch: BatchHook | None = None,
        archive: Callable[[str, list[KeptRow]], None] | None = None,
        forget: Callable[[str, str, list[str]], int] | None = None,
        kept_lookup: Callable[[str, tuple[str, ...]], list[KeptRow]] | None = None,
        schema_key: Hashable | None = None,
    ) -> None:
        self.manifest = manifest
        self.name = manifest.source
        self._url = url
        self._rules = rules
        self.batch_size = batch_size or settings.SOURCES_BATCH_SIZE
        self.fiscal_year_end = fiscal_year_end or settings.FISCAL_YEAR_END
        self.on_batch = on_batch
        self._archive = archive
        self._forget = forget
        self._kept_lookup = kept_lookup
        # Given by ``load_source`` (what identifies the registered source's state): the
        # reflected schema is then shared with other calls (see ``cached_schema``).
        self._schema_key = schema_key
        self._url_used: str | None = None
        self._engine: sa.Engine | None = None
        self._schema: SchemaView | None = None

    # -- plumbing ---------------------------------------------------------------

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            key = self.cache_key
            shared = cached_schema(key) if key is not None else None
            if shared is not None and shared.engine is not None:
                self._engine = shared.engine
                return self._engine
            url = self._url_now()
            try:
                self._engine = sa.create_engine(url, pool_pre_ping=True)
            except (sa.exc.ArgumentError, ImportError, ValueError) as error:
                # The URL may hold a password: name the problem, never the URL.
                raise SourceError(
                    f"{self.name}: the connection URL is not usable ({type(error).__name__})"
                ) from None
            if shared is not None:
                shared.engine = self._engine
        return self._engine

    def _url_now(self) -> str:
        if self._url_used is None:
            self._url_used = self._url or self.manifest.connection.url()
        return self._url_used

    @property
    def cache_key(self) -> tuple[Hashable, ...] | None:
        """The key of this source's reflected schema in the cache, or None when not
        cached: the source's key, then a digest of the URL in use (never the URL, which
        may hold a password)."""
        if self._schema_key is None:
            return None
        url = hashlib.sha256(self._url_now().encode("utf-8")).hexdigest()
        return (self.name, self._schema_key, url)

    @property
    def schema(self) -> SchemaView:
        if self._schema is None:
            key = self.cache_key
            reflected = cached_schema(key) if key is not None else None
            # A table of some application versions only (`versions`) that this database
            # lacks is left out, with the links through it.
            versioned = [n for n, t in self.manifest.tables.items() if t.versions]
            if versioned:
                present = set(sa.inspect(self.engine).get_table_names())
                self.manifest = self.manifest.without_tables(
                    n for n in versioned if n not in present
                )
            self._schema = SchemaView(self.manifest, self.engine, reflected)
        return self._schema

    def forget_schema(self) -> None:
        """After a database error the schema may be what changed: reflect it again."""
        if self._schema is not None and self._schema_key is not None:
            forget_schema_key(self.cache_key)
        self._schema = None

    @property
    def rules(self) -> Mapping[str, RetentionRule]:
        if self._rules is None:
            from vigie.sources.rules import register_rules

            self._rules = register_rules()
        return self._rules

    def record_kept(self, rows: list[KeptRow]) -> None:
        if self._archive is not None:
            self._archive(self.name, rows)
            return
        from vigie.sources.archive import record_kept

        record_kept(self.name, rows)

    def forget_kept(self, table: str, keys: list[str]) -> int:
        if self._forget is not None:
            return self._forget(self.name, table, keys)
        from vigie.sources.archive import forget

        return forget(self.name, table, keys)

    def kept_for(self, subject: Subject) -> list[KeptRow]:
        """The rows an erasure of this subject kept on a legal ground (archive index)."""
        from vigie.sources.archive import kept_for, refs_of

        refs = refs_of(subject)
        if self._kept_lookup is not None:
            return self._kept_lookup(self.name, refs)
        return kept_for(self.name, refs)

    def close(self) -> None:
        if self._engine is not None:
            # Its connections are closed; a cached engine keeps its compiled statements.
            self._engine.dispose()
            self._engine = None
            self._schema = None
            self._url_used = None

    def __enter__(self) -> SqlSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the four calls -----------------------------------------------------------

    def find(self, subject: Subject) -> FindResult:
        """Every row linked to the subject (``erase: false`` links too), by category (Art. 15)."""
        found: list[FoundRow] = []
        with database_errors(self), self.engine.connect() as conn:
            keys = self.schema.identity_keys(conn, subject)
            for spec in self.manifest.tables.values():
                # Versioned columns this database lacks are skipped.
                personal = self.schema.personal_columns(spec)
                conditions = self.schema.subject_conditions(spec, keys, erasing=False)
                if not conditions or not personal:
                    continue
                categories = list(dict.fromkeys(c.category for c in personal if c.category))
                primary = self.schema.primary_key(spec)
                columns = [self.schema.column(spec.name, c.name) for c in personal]
                if len(conditions) == 1:
                    # One link, one batch of ids: the rows in one statement.
                    queries = [sa.select(*primary, *columns).where(conditions[0])]
                else:
                    # Several links (or batches): each link's ids first, on its own index,
                    # then the rows by primary key, batch after batch.
                    rows = self.schema.subject_rows(conn, spec, keys, erasing=False)
                    queries = [
                        sa.select(*primary, *columns).where(key_in(primary, batch))
                        for batch in batched(rows, self.batch_size)
                    ]
                for query in queries:
                    for row in conn.execute(query.order_by(*primary)):
                        found += _found_rows(spec.name, row, len(primary), personal, categories)
            kept = self._kept_rows(conn, subject, found)
        return FindResult(self.name, tuple(found), kept=tuple(kept))

    def portable(self, subject: Subject) -> list[PortableSection]:
        """The subject's portable rows (Art. 20, R58; see ``vigie.sources.portable``)."""
        from vigie.sources.portable import sql_sections

        with database_errors(self), self.engine.connect() as conn:
            return sql_sections(self, conn, subject)

    def _kept_rows(
        self, conn: sa.Connection, subject: Subject, found: list[FoundRow]
    ) -> list[KeptRow]:
        """The rows an erasure kept for the subject (R51): once the identity rows are
        anonymised no link reaches them, so they are read by their key from the archive
        index and added to ``found``; each with its ground and end date."""
        kept = [k for k in self.kept_for(subject) if k.table in self.manifest.tables]
        seen = {(r.table, r.key) for r in found}
        missing: dict[str, list[str]] = {}
        for row in kept:
            if (row.table, row.key) not in seen:
                missing.setdefault(row.table, []).append(row.key)
        present = {row.table for row in kept}
        for table, keys in missing.items():
            spec = self.manifest.tables[table]
            personal = self.schema.personal_columns(spec)
            if not personal:
                continue
            categories = list(dict.fromkeys(c.category for c in personal if c.category))
            primary = self.schema.primary_key(spec)
            columns = [self.schema.column(spec.name, c.name) for c in personal]
            parsed = [parse_key(primary, key) for key in keys]
            for batch in batched([p for p in parsed if p is not None], self.batch_size):
                query = sa.select(*primary, *columns).where(key_in(primary, batch))
                for selected in conn.execute(query.order_by(*primary)):
                    found += _found_rows(table, selected, len(primary), personal, categories)
        # A row the retention purge has since removed is no longer held: not reported.
        held = {(r.table, r.key) for r in found if r.table in present}
        return [k for k in kept if (k.table, k.key) in held]

    def undescribed(self) -> list[str]:
        """Tables of the database the manifest neither describes nor declares not
        personal, and ``table.column`` for columns of described tables it does not map:
        read from the database now (the inventory check's ``unmapped``, without its
        other checks)."""
        with database_errors(self), warnings.catch_warnings(), ExitStack() as stack:
            warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
            # One connection for every question (an inspector on the engine takes one
            # from the pool per question).
            conn = stack.enter_context(self.engine.connect())
            inspector = sa.inspect(conn)
            present = inspector.get_table_names()
            out = [
                name
                for name in sorted(present)
                if name not in self.manifest.tables
                and not any(fnmatchcase(name, p) for p in self.manifest.not_personal_tables)
            ]
            described = [t for t in self.manifest.tables if t in present]
            if described:
                columns = inspector.get_multi_columns(filter_names=described)
                for (_schema, table), reflected in sorted(columns.items()):
                    mapped = self.manifest.tables[table].columns
                    out += [f"{table}.{c['name']}" for c in reflected if c["name"] not in mapped]
        return out

    def guard(self, *, accept_unmapped: bool, doing: str) -> list[str]:
        """Refuse to erase or purge a database holding what the manifest does not
        describe (what it holds would stay, unseen), unless the privacy lead accepts
        it explicitly: then what is undescribed, for the report to name (incomplete)."""
        undescribed = self.undescribed()
        if undescribed and not accept_unmapped:
            raise UndescribedTables(
                f"{self.name}: {doing} refused: the database holds tables or columns the "
                f"manifest does not describe: {', '.join(undescribed)} (describe them and "
                "run `vigie sources check`, or accept an incomplete run with "
                "--accept-unmapped)"
            )
        return undescribed

    def erase(
        self,
        subject: Subject,
        plan: Plan | None = None,
        *,
        accept_unmapped: bool = False,
        check_residue: bool = True,
        defer_residue: bool = False,
        undescribed: list[str] | None = None,
    ) -> EraseReport:
        """Apply each column's strategy, or the plan's per-category choice (Art. 17, R53).

        Refused on a database holding undescribed tables or columns, unless
        ``accept_unmapped`` (the report then says incomplete and names them). Then,
        unless ``check_residue`` is False, every text column of the described personal
        tables is searched for the person's identifiers (``report.residue``); with
        ``defer_residue`` the identifiers are read and returned (``report.identifiers``)
        and the report is left pending, for the caller to run the check as a job
        (``check_residue_now``). ``undescribed``: the answer of this source's ``guard``
        that the caller has just had (``erase_subject`` checks every source first), not
        asked again.
        """
        if undescribed is None:
            undescribed = self.guard(accept_unmapped=accept_unmapped, doing="erasure")
        with database_errors(self):
            report = sql_erase.erase(
                self,
                subject,
                plan or {},
                check_residue=check_residue,
                defer_residue=defer_residue,
            )
        report.incomplete, report.undescribed = bool(undescribed), undescribed
        return report

    def rectify(self, subject: Subject, changes: Mapping[str, Any]) -> RectifyReport:
        """Write the new values of ``changes`` (person attribute → value) in the subject's
        own rows, where the manifest marks a column with that ``attribute`` (Art. 16); one
        transaction for the whole source; issued documents are never touched."""
        with database_errors(self):
            return sql_rectify.rectify(self, subject, changes)

    def check_residue_now(
        self, identifiers: list[str], plan: Plan | None = None
    ) -> tuple[list[Residue], list[Residue]]:
        """The residue check of an erasure done earlier: every text column of every
        described personal table searched for ``identifiers``; what is left, and apart
        what a kept category keeps (read only: safe to run again)."""
        with database_errors(self):
            return sql_erase.residue(self, identifiers, plan or {})

    def expired(self, rule: RetentionRule, now: dt.datetime) -> Selection:
        """Rows of ``rule``'s category past their retention end at ``now`` (R14), counted."""
        with database_errors(self):
            return sql_retention.expired(self, rule, now)

    def purge(self, selection: Selection, *, accept_unmapped: bool = False) -> PurgeReport:
        """Delete or anonymise the selection in bounded batches (R14); refused like an
        erasure on a database holding what the manifest does not describe."""
        undescribed = self.guard(accept_unmapped=accept_unmapped, doing="purge")
        with database_errors(self):
            report = sql_retention.purge(self, selection)
        report.incomplete, report.undescribed = bool(undescribed), undescribed
        return report


def _found_rows(
    table: str, row: Any, width: int, personal: list[Column], categories: list[str]
) -> list[FoundRow]:
    """One selected row as a ``FoundRow`` per category: its key, then its columns."""
    key = row_key(row[:width])
    values = dict(zip((c.name for c in personal), row[width:], strict=True))
    return [
        FoundRow(
            table=table,
            key=key,
            category=category,
            values={c.name: values[c.name] for c in personal if c.category == category},
        )
        for category in categories
    ]


class UndescribedTables(SourceError):
    """An erase or a purge refused: the database holds what the manifest does not
    describe (the message names it)."""


#: A value a driver quotes in its message: MariaDB's « Duplicate entry '…' », « Incorrect
#: date value: '…' », PostgreSQL's « invalid input syntax for type date: "…" ».
_QUOTED = re.compile(r"""(Duplicate entry |value: |type \w+: )(['"])(?:(?!\2).)*\2""")


class database_errors:
    """Turn a driver error into a ``SourceError`` naming the source, without the SQL
    statement or its parameters (they may hold the subject's e-mail address)."""

    def __init__(self, source: SqlSource) -> None:
        self.source = source
        self.name = source.name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, _tb: Any) -> None:
        if isinstance(error, (sa.exc.SQLAlchemyError, SourceError)):
            # A table or column gone since reflection: the next call reflects again.
            self.source.forget_schema()
        if isinstance(error, sa.exc.DBAPIError):
            detail = str(error.orig).splitlines()[0] if error.orig is not None else ""
            # MariaDB quotes the offending value in the first line (« Duplicate entry
            # 'claire@…' for key … »): the message is shown and stored, so no literal.
            detail = _QUOTED.sub(r"\1'…'", detail)
            raise SourceError(f"{self.name}: database error: {detail}") from None
        if isinstance(error, sa.exc.SQLAlchemyError):
            raise SourceError(f"{self.name}: {type(error).__name__}") from None
        if isinstance(error, (ValueError, OSError)):
            # A URL the driver cannot use (a bad port, a missing certificate) fails at
            # the first connection: name its kind, never the URL.
            raise SourceError(
                f"{self.name}: the connection URL is not usable ({type(error).__name__})"
            ) from None
