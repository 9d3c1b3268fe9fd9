"""Benchmark: find, export and erase one person in a GLPI-shaped database (issues 5, 9, 12).

Builds (unless --reuse) a GLPI 11-shaped database with the shipped shapes and fill:
by default 100,000 users, 1,000,000 tickets, 3,000,000 follow-ups and 2,000,000 login
events. Then, in the same run, it times:
  1. find + export: the source engine (``SqlSource.find`` with the shipped GLPI
     manifest, rows serialised to JSON) against hand-written SQL selecting the same
     rows and columns, serialised the same way; the two exports are compared;
  2. erase: ``SqlSource.erase`` of one person against hand-written SQL doing the same
     to the same person: first the raw SQL rolled back after a snapshot, then the
     engine, compared column by column; then timed, the person's rows restored
     before each run.

Issue 12: both sides select ids first (the raw SQL in ``bench/sources_raw.py``
resolves the tickets and computers the person's links lead to, then runs one
single-column condition per statement, as the engine does); the statements each
side sends per find and per erase are counted and printed, and the times are
printed in milliseconds. The engine's erase is timed without its residue check
(the raw SQL has none), and the residue check (a scan of every text column of the
described tables) is timed apart.

Both sides are timed the same way, interleaved: each run builds its engine and
opens its connection, as a real call does (the engine through ``load_source``, whose
reflected schema is cached per source state; its first, reflecting call is printed
apart). Erasure is timed on the same person both ways, restored before each run.

Usage (a database of its own; with --reuse its data is kept from a previous run):
  .venv/bin/python bench/sources_find.py \\
      --url postgresql+psycopg://postgres@127.0.0.1:5432/vigie_bench_glpi
  .venv/bin/python bench/sources_find.py \\
      --url "mysql+pymysql://root@127.0.0.1:3306/vigie_bench_glpi?charset=utf8mb4"
Vigie's own database (archive index, keys) is a throw-away SQLite file unless
VIGIE_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_var = Path(tempfile.gettempdir()) / "vigie-bench-sources"
_var.mkdir(exist_ok=True)
os.environ.setdefault("VIGIE_VAR_DIR", str(_var))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")

import django  # noqa: E402

django.setup()

import sqlalchemy as sa  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.sources_raw import (  # noqa: E402
    RAW_TABLES,
    raw_erase,
    raw_find,
    raw_find_in,
    restore,
    saved_rows,
    snapshot,
)
from bench.timing import best_of  # noqa: E402
from vigie.audit.actor import Actor  # noqa: E402
from vigie.demo.shapes import glpi as glpi_shape  # noqa: E402
from vigie.demo.shapes.fill import fill_glpi  # noqa: E402
from vigie.register.services import load_file  # noqa: E402
from vigie.sources.manifest import read_manifest  # noqa: E402
from vigie.sources.models import ArchivedRecord  # noqa: E402
from vigie.sources.services import load_source, register_source  # noqa: E402
from vigie.sources.sql import SqlSource  # noqa: E402
from vigie.sources.sql_schema import forget_schema  # noqa: E402
from vigie.sources.types import Subject  # noqa: E402

MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml"
REGISTER = ROOT / "policies" / "semi-informatique.yaml"


def build(url: str, args: argparse.Namespace) -> None:
    engine = sa.create_engine(url)
    metadata = glpi_shape.metadata("11")
    metadata.drop_all(engine)
    metadata.create_all(engine)
    started = time.perf_counter()
    counts = fill_glpi(
        engine,
        users=args.users,
        tickets=args.tickets,
        followups=args.followups,
        login_events=args.logins,
        seed=2026,
    )
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE"))
        elif engine.dialect.name in {"mysql", "mariadb"}:
            for table in metadata.sorted_tables:
                conn.execute(sa.text(f"ANALYZE TABLE {table.name}"))
    engine.dispose()
    total = sum(counts.values())
    print(f"  built {total:,} rows in {time.perf_counter() - started:.0f} s: {counts}", flush=True)


def subjects(url: str, count: int) -> list[tuple[int, str, int]]:
    """Ordinary users (not technicians) with an e-mail, spread over the table, with how
    many rows the raw SQL finds for each: (user id, e-mail, rows)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT max(id) FROM glpi_users")).scalar_one()
        picked = []
        for n in range(count):
            row = conn.execute(
                sa.text(
                    "SELECT users_id, email FROM glpi_useremails WHERE users_id >= :start "
                    "AND email NOT LIKE '%semi-informatique.example' ORDER BY users_id LIMIT 1"
                ),
                {"start": total // 3 + n * 997},
            ).one()
            picked.append((row.users_id, row.email))
    engine.dispose()
    with_rows = []
    for user_id, email in picked:
        rows = raw_find(url, email)
        with_rows.append((user_id, email, sum(len(v) for v in rows.values())))
    return with_rows


def export(rows: dict[str, list[dict[str, Any]]]) -> str:
    return json.dumps(rows, sort_keys=True, default=str, ensure_ascii=False)


def engine_find(source: SqlSource, email: str) -> dict[str, list[dict[str, Any]]]:
    result = source.find(Subject(email=[email]))
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for row in result.rows:
        # A row holding several categories comes once per category: merge its columns.
        rows.setdefault(row.table, {}).setdefault(row.key, {}).update(row.values)
    return {
        table: [dict(values, _key=key) for key, values in sorted(by_key.items())]
        for table, by_key in sorted(rows.items())
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the GLPI-shaped database")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--followups", type=int, default=3_000_000)
    parser.add_argument("--logins", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous run")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("migrate", database="keys", verbosity=0)
    dialect = sa.engine.make_url(args.url).get_backend_name()
    print(
        f"source database: {dialect}; users {args.users:,}, tickets {args.tickets:,}, "
        f"follow-ups {args.followups:,}, login events {args.logins:,}",
        flush=True,
    )
    if not args.reuse:
        build(args.url, args)
    if args.build_only:
        return 0

    actor = Actor.cli("bench")
    load_file(actor, REGISTER)
    manifest = read_manifest(MANIFEST)
    # The engine is reached as real calls reach it: a registered source, through
    # ``load_source`` (its URL from the manifest's environment variable).
    os.environ[manifest.connection.url_env or "VIGIE_SOURCE_GLPI_URL"] = args.url
    register_source(actor, MANIFEST.read_text(encoding="utf-8"))
    people = subjects(args.url, 2)
    finder, same = people
    print(
        f"find: user {finder[0]} with {finder[2]} rows; erase: user {same[0]} with {same[2]} rows",
        flush=True,
    )

    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    def counted(call: Any) -> int:
        """How many statements ``call`` sends to the source database."""
        statements[0] = 0
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
        try:
            call()
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
        return statements[0]

    def engine_export() -> str:
        with load_source("glpi") as source:
            return export(engine_find(source, finder[1]))

    # The first call on the source reflects its 15 tables; later calls (any process)
    # find them in the cache until the manifest, the URL or a check changes.
    forget_schema()
    started = time.perf_counter()
    cold = engine_export()
    cold_time = time.perf_counter() - started

    # Timed the same way both sides: each run builds its engine and opens its
    # connection (as a real call does: ``load_source`` then ``close``, ``raw_find``
    # with ``create_engine`` then ``dispose``), runs interleaved so that a neighbour's
    # load falls on both; the best of the runs is kept.
    engine_times, raw_times = [], []
    for _ in range(args.runs):
        elapsed, engine_rows = best_of(1, engine_export)
        engine_times.append(elapsed)
        elapsed, raw_rows = best_of(1, lambda: export(raw_find(args.url, finder[1])))
        raw_times.append(elapsed)
    assert engine_rows == raw_rows == cold, "the engine and the raw SQL found different rows"
    engine_time, raw_time = min(engine_times), min(raw_times)
    find_statements = (counted(engine_export), counted(lambda: raw_find(args.url, finder[1])))

    # The same person erased both ways. First the raw SQL in a transaction rolled back
    # after a snapshot, then the engine for real: every column of every row must agree.
    ArchivedRecord.objects.filter(source="glpi").delete()
    source_db = sa.create_engine(args.url)
    with source_db.connect() as conn:
        keys = raw_find_in(conn, same[1])
        saved = saved_rows(conn, keys)
    raw = raw_erase(args.url, same[1], commit=False)
    with load_source("glpi") as source:
        source.erase(Subject(email=[same[1]]))
    with source_db.connect() as conn:
        assert snapshot(conn, keys) == raw["snapshot"], "raw SQL and engine erased differently"
    archived = {
        (a.table, a.row_key, a.category, a.ground, a.ends_on)
        for a in ArchivedRecord.objects.filter(source="glpi")
    }
    expected = {(k.table, k.key, k.category, k.ground, k.ends_on) for k in raw["kept"]}
    assert archived == expected, "raw SQL and engine archived different rows"

    def restored() -> None:
        """The person's rows put back as before any erasure, the archive index emptied."""
        restore(args.url, saved)
        ArchivedRecord.objects.filter(source="glpi").delete()
        with source_db.connect() as conn:
            assert saved_rows(conn, keys) == saved, "the restore did not restore"

    residue: list[Any] = []

    def engine_erase(check_residue: bool = False) -> None:
        with load_source("glpi") as source:
            report = source.erase(Subject(email=[same[1]]), check_residue=check_residue)
        assert not report.incomplete, "the bench database is fully described"
        residue[:] = [(r.table, r.column, r.rows) for r in report.residue]

    # Then timed, interleaved, on that same person restored before each run.
    engine_erase_times, raw_erase_times, checked_times = [], [], []
    for _ in range(args.runs):
        restored()
        engine_erase_times.append(best_of(1, engine_erase)[0])
        restored()
        raw_erase_times.append(best_of(1, lambda: raw_erase(args.url, same[1]))[0])
        restored()
        checked_times.append(best_of(1, lambda: engine_erase(check_residue=True))[0])
    restored()
    erase_statements = (counted(engine_erase), 0)
    restored()
    erase_statements = (erase_statements[0], counted(lambda: raw_erase(args.url, same[1])))
    restored()
    source_db.dispose()

    found = sum(len(v) for v in json.loads(raw_rows).values())
    print(
        f"exports identical ({found} rows, {len(RAW_TABLES)} tables searched); "
        f"erase of one person identical both ways (every column, archive index)"
    )
    print(
        f"best of {args.runs} interleaved runs; the engine through load_source, "
        "an engine and a connection per run on both sides"
    )
    print(f"find+export  first call through load_source (reflection) {cold_time * 1000:9.1f} ms")
    print(
        f"find+export  raw SQL {raw_time * 1000:9.1f} ms ({find_statements[1]} statements)   "
        f"engine {engine_time * 1000:9.1f} ms ({find_statements[0]} statements)   "
        f"({engine_time / raw_time:.2f}x)"
    )
    erase_engine, erase_raw = min(engine_erase_times), min(raw_erase_times)
    print(
        f"erase        raw SQL {erase_raw * 1000:9.1f} ms ({erase_statements[1]} statements)   "
        f"engine {erase_engine * 1000:9.1f} ms ({erase_statements[0]} statements)   "
        f"({erase_engine / erase_raw:.2f}x)   (same person, restored before each run)"
    )
    checked = min(checked_times)
    print(f"residue check found (table, column, rows): {residue or 'nothing'}")
    print(
        f"erase + residue check (engine): {checked * 1000:9.1f} ms "
        f"(the check alone about {(checked - erase_engine) * 1000:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
