"""Benchmark: find, export and erase one person in a GLPI-shaped database (issue 5, item 9).

Builds (unless --reuse) a GLPI 11-shaped database with the shipped shapes and fill:
by default 100,000 users, 1,000,000 tickets, 3,000,000 follow-ups and 2,000,000 login
events. Then, in the same run, it times:
  1. find + export: the source engine (``SqlSource.find`` with the shipped GLPI
     manifest, rows serialised to JSON) against hand-written SQL selecting the same
     rows and columns, serialised the same way; the two exports are compared;
  2. erase: ``SqlSource.erase`` of one person against hand-written SQL doing the same
     to another person with the same amount of data (erasing is destructive, so each
     side gets its own people); the effects on the two are compared table by table.

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

from bench.sources_raw import RAW_TABLES, raw_erase, raw_find, raw_find_in, snapshot  # noqa: E402
from bench.timing import best_of  # noqa: E402
from vigie.audit.actor import Actor  # noqa: E402
from vigie.demo.shapes import glpi as glpi_shape  # noqa: E402
from vigie.demo.shapes.fill import fill_glpi  # noqa: E402
from vigie.register.services import load_file  # noqa: E402
from vigie.sources.manifest import read_manifest  # noqa: E402
from vigie.sources.models import ArchivedRecord  # noqa: E402
from vigie.sources.rules import register_rules  # noqa: E402
from vigie.sources.sql import SqlSource  # noqa: E402
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

    load_file(Actor.cli("bench"), REGISTER)
    rules = register_rules()
    manifest = read_manifest(MANIFEST)
    people = subjects(args.url, 2 + 2 * args.runs)
    finder, erasers = people[0], people[1:]
    print(
        f"find: user {finder[0]} with {finder[2]} rows; erase: rows per person "
        f"{[p[2] for p in erasers]}",
        flush=True,
    )

    with SqlSource(manifest, url=args.url, rules=rules) as source:
        engine_time, engine_rows = best_of(
            args.runs, lambda: export(engine_find(source, finder[1]))
        )
    raw_time, raw_rows = best_of(args.runs, lambda: export(raw_find(args.url, finder[1])))
    assert engine_rows == raw_rows, "the engine and the raw SQL found different rows"

    # The same person erased both ways: the raw SQL in a transaction rolled back after a
    # snapshot, then the engine for real; every column of every row must agree.
    same = erasers[0]
    ArchivedRecord.objects.filter(source="glpi").delete()
    source_db = sa.create_engine(args.url)
    with source_db.connect() as conn:
        keys = raw_find_in(conn, same[1])
    raw = raw_erase(args.url, same[1], commit=False)
    with SqlSource(manifest, url=args.url, rules=rules) as source:
        source.erase(Subject(email=[same[1]]))
    with source_db.connect() as conn:
        assert snapshot(conn, keys) == raw["snapshot"], "raw SQL and engine erased differently"
    source_db.dispose()
    archived = {
        (a.table, a.row_key, a.category, a.ground, a.ends_on)
        for a in ArchivedRecord.objects.filter(source="glpi")
    }
    expected = {(k.table, k.key, k.category, k.ground, k.ends_on) for k in raw["kept"]}
    assert archived == expected, "raw SQL and engine archived different rows"

    engine_erase, raw_erase_times = [], []
    for n in range(args.runs):
        mine, theirs = erasers[1 + 2 * n], erasers[2 + 2 * n]
        with SqlSource(manifest, url=args.url, rules=rules) as source:
            started = time.perf_counter()
            source.erase(Subject(email=[mine[1]]))
            engine_erase.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw_erase(args.url, theirs[1])
        raw_erase_times.append(time.perf_counter() - started)

    found = sum(len(v) for v in json.loads(raw_rows).values())
    print(
        f"exports identical ({found} rows, {len(RAW_TABLES)} tables searched); "
        f"erase of one person identical both ways (every column, archive index)"
    )
    print(
        f"find+export  raw SQL {raw_time:8.4f} s   engine {engine_time:8.4f} s   "
        f"({engine_time / raw_time:.2f}x)"
    )
    erase_engine, erase_raw = min(engine_erase), min(raw_erase_times)
    print(
        f"erase        raw SQL {erase_raw:8.4f} s   engine {erase_engine:8.4f} s   "
        f"({erase_engine / erase_raw:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
