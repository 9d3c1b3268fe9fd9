"""`vigie sources advise`: the indexes that would serve a source's links (issue 12).

Vigie finds a person by the manifest's links, ids first: each link is one lookup by
a column (``glpi_itilfollowups.users_id_editor = 42``). A column without an index is
a scan of its whole table at every access or erasure request. For each lookup the
engine sends, this module reads the database's indexes; when none serves it, it
suggests one (``CREATE INDEX`` text, for the database's administrator), and measures
on the database what the lookup costs now: the plan (``EXPLAIN``: a scan or not) and
the best of three timed probes with a value taken from the column. It never creates
anything: the statements are suggestions.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from vigie.sources.manifest import Constant, Manifest

#: A ``like`` link's column, indexed on MariaDB/MySQL by its first characters.
PREFIX = 100


@dataclass(frozen=True)
class Lookup:
    """One lookup the engine sends: ``table.column`` equal to (or, ``like``, starting
    with) a value, with the link's constant columns; ``path``: the manifest's."""

    table: str
    column: str
    path: str
    constants: tuple[str, ...] = ()
    like: bool = False
    #: Compared trimmed (``trim``), and lower-cased too for addresses (``lower``).
    normalised: str = ""


@dataclass(frozen=True)
class Advice:
    lookup: Lookup
    statement: str  # the suggested CREATE INDEX, or "" when none can serve it
    note: str  # why none can, when statement is ""
    scans: bool | None  # the plan of the lookup now: a scan of the table (None: unknown)
    probe_ms: float | None  # best of three, now
    rows: int | None  # the table's rows (estimate)


def lookups(manifest: Manifest) -> list[Lookup]:
    """Every lookup a find or an erase of one person sends, once each."""
    out: dict[tuple[str, str], Lookup] = {}

    def add(lookup: Lookup) -> None:
        out.setdefault((lookup.table, lookup.column), lookup)

    def names(where: dict[str, Constant] | Any) -> tuple[str, ...]:
        return tuple(sorted(where))

    for name, identity in manifest.identities.items():
        for attribute, match in identity.match.items():
            add(
                Lookup(
                    match.table or identity.table,
                    match.column,
                    f"identities.{name}.match.{attribute}",
                    names(match.where),
                    normalised="lower" if attribute == "email" else "trim",
                )
            )
    for tname, table in manifest.tables.items():
        for index, link in enumerate(table.links):
            path = f"tables.{tname}.links.{index}"
            for hop in link.through:
                add(Lookup(hop.table, hop.column, f"{path}.through", names(hop.where)))
            if link.through:
                if link.references:
                    add(Lookup(tname, link.references, f"{path}.references", names(link.where)))
                continue
            if link.column:
                patterns = link.like.patterns if link.like else ()
                if link.like and all(p.startswith("%") for p in patterns):
                    # A leading wildcard: no B-tree index serves it.
                    continue
                add(Lookup(tname, link.column, path, names(link.where), like=bool(link.like)))
    return list(out.values())


def _served(lookup: Lookup, indexes: list[list[str]], column_type: Any) -> bool:
    if lookup.normalised and isinstance(column_type, sa.String):
        return False  # trim(column): only an index on that expression serves it
    for columns in indexes:
        leading: list[str] = []
        for column in columns:
            leading.append(column)
            if column == lookup.column:
                if set(leading) <= {lookup.column, *lookup.constants}:
                    return True
                break
            if column not in lookup.constants:
                break
    return False


def _index_columns(inspector: Any, table: str) -> list[list[str]]:
    out = [list(inspector.get_pk_constraint(table).get("constrained_columns") or [])]
    out += [[c for c in i["column_names"] if c] for i in inspector.get_indexes(table)]
    out += [list(u["column_names"]) for u in inspector.get_unique_constraints(table)]
    return [c for c in out if c]


def _statement(dialect: str, lookup: Lookup, column_type: Any) -> tuple[str, str]:
    name = f"vigie_idx_{lookup.table}_{lookup.column}"[:60]
    text = isinstance(column_type, (sa.Text, sa.String)) and not getattr(
        column_type, "length", None
    )
    mysql = dialect in {"mysql", "mariadb"}
    if lookup.normalised and isinstance(column_type, sa.String):
        expression = f"trim({lookup.column})"
        if lookup.normalised == "lower":
            expression = f"lower({expression})"
        if mysql:
            return "", f"{expression} on MariaDB: only a generated column could serve it"
        return f"CREATE INDEX {name} ON {lookup.table} (({expression}))", ""
    column = lookup.column
    if lookup.like:
        if mysql:
            column = f"{column}({PREFIX})"
        elif dialect == "postgresql":
            column = f"{column} text_pattern_ops"
    elif mysql and text:
        column = f"{column}({PREFIX})"
    columns = ", ".join([*[c for c in lookup.constants if not lookup.like], column])
    return f"CREATE INDEX {name} ON {lookup.table} ({columns})", ""


def _probe(
    conn: sa.Connection, table: sa.Table, lookup: Lookup
) -> tuple[float | None, bool | None]:
    column = table.c[lookup.column]
    value = conn.execute(sa.select(column).where(column.is_not(None)).limit(1)).scalar_one_or_none()
    if value is None:
        return None, None
    condition: Any
    if lookup.like:
        condition = column.like(f"{str(value)[:20].replace('%', '').replace('_', '')}%")
    elif lookup.normalised == "lower" and isinstance(column.type, sa.String):
        condition = sa.func.lower(sa.func.trim(column)) == str(value).strip().lower()
    elif lookup.normalised and isinstance(column.type, sa.String):
        condition = sa.func.trim(column) == str(value).strip()
    else:
        condition = column == value
    selected: list[Any] = list(table.primary_key.columns) or [column]
    query = sa.select(*selected).where(condition)
    compiled = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
    dialect = conn.dialect.name
    scans: bool | None = None
    try:
        if dialect == "postgresql":
            plan = "\n".join(r[0] for r in conn.execute(sa.text("EXPLAIN " + compiled)))
            scans = "Seq Scan" in plan
        elif dialect in {"mysql", "mariadb"}:
            rows = conn.execute(sa.text("EXPLAIN " + compiled)).mappings().all()
            scans = any(str(r.get("type")).upper() == "ALL" for r in rows)
        elif dialect == "sqlite":
            plan = " ".join(
                str(r[-1]) for r in conn.execute(sa.text("EXPLAIN QUERY PLAN " + compiled))
            )
            scans = "USING" not in plan.upper()
    except sa.exc.DBAPIError:
        scans = None
    best = None
    for _ in range(3):
        started = time.perf_counter()
        conn.execute(query).all()
        elapsed = (time.perf_counter() - started) * 1000
        best = elapsed if best is None else min(best, elapsed)
    return best, scans


def _row_estimate(conn: sa.Connection, table: sa.Table) -> int | None:
    dialect = conn.dialect.name
    try:
        if dialect == "postgresql":
            value = conn.execute(
                sa.text("SELECT reltuples::bigint FROM pg_class WHERE relname = :t"),
                {"t": table.name},
            ).scalar()
            if value is not None and value >= 0:
                return int(value)
        elif dialect in {"mysql", "mariadb"}:
            value = conn.execute(
                sa.text(
                    "SELECT table_rows FROM information_schema.tables "
                    "WHERE table_schema = DATABASE() AND table_name = :t"
                ),
                {"t": table.name},
            ).scalar()
            if value is not None:
                return int(value)
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    except sa.exc.DBAPIError:
        return None


def advise(manifest: Manifest, engine: sa.Engine) -> list[Advice]:
    """The lookups no index serves on this database, each with its suggested index and
    its cost now. Reads only (catalogue, EXPLAIN, three probes per lookup)."""
    advice = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
        inspector = sa.inspect(engine)
        present = set(inspector.get_table_names())
        metadata = sa.MetaData()
        with engine.connect() as conn:
            for lookup in lookups(manifest):
                if lookup.table not in present:
                    continue
                table = sa.Table(lookup.table, metadata, autoload_with=conn)
                if lookup.column not in table.c:
                    continue
                column_type = table.c[lookup.column].type
                if _served(lookup, _index_columns(inspector, lookup.table), column_type):
                    continue
                statement, note = _statement(engine.dialect.name, lookup, column_type)
                probe_ms, scans = _probe(conn, table, lookup)
                advice.append(
                    Advice(lookup, statement, note, scans, probe_ms, _row_estimate(conn, table))
                )
    return advice
