"""Where one person's find spends its time, statement by statement (issue 12, item 4).

Runs ``SqlSource.find`` with the shipped GLPI manifest on a database built by
``bench/sources_find.py`` (``--build-only``), once to warm the connection and the
reflected schema, then ``--runs`` times recording every statement the engine sends
with its time (the best run of each statement is kept); prints them slowest first
with the table they read, then the plan the database ran for the slowest ones
(``EXPLAIN ANALYZE`` on PostgreSQL, ``ANALYZE`` on MariaDB).

  .venv/bin/python bench/sources_profile.py \\
      --url postgresql+psycopg://postgres@127.0.0.1:5432/vigie_bench_glpi --user 3416
"""

from __future__ import annotations

import argparse
import os
import re
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

from vigie.sources.manifest import read_manifest  # noqa: E402
from vigie.sources.sql import SqlSource  # noqa: E402
from vigie.sources.types import Subject  # noqa: E402

MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml"
FROM = re.compile(r"\bFROM\s+[`\"]?(\w+)", re.IGNORECASE)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", type=int, required=True, help="glpi_users.id of the person")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", type=int, default=6, help="plans of the N slowest")
    args = parser.parse_args()

    with sa.create_engine(args.url).connect() as conn:
        email = conn.execute(
            sa.text("SELECT email FROM glpi_useremails WHERE users_id = :u ORDER BY id LIMIT 1"),
            {"u": args.user},
        ).scalar_one()
    subject = Subject(email=[email])
    source = SqlSource(read_manifest(MANIFEST), url=args.url)
    source.find(subject)  # reflects, warms the pool and the compiled statements

    best: dict[tuple[str, str], tuple[float, Any]] = {}
    started: list[float] = []

    def before(_c: Any, _cur: Any, statement: str, parameters: Any, *_a: Any) -> None:
        started.append(time.perf_counter())

    def after(_c: Any, _cur: Any, statement: str, parameters: Any, *_a: Any) -> None:
        elapsed = time.perf_counter() - started.pop()
        key = (statement, repr(parameters))
        if key not in best or elapsed < best[key][0]:
            best[key] = (elapsed, parameters)

    sa.event.listen(source.engine, "before_cursor_execute", before)
    sa.event.listen(source.engine, "after_cursor_execute", after)
    totals = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        found = source.find(subject)
        totals.append(time.perf_counter() - t0)
    sa.event.remove(source.engine, "before_cursor_execute", before)
    sa.event.remove(source.engine, "after_cursor_execute", after)
    print(
        f"{source.engine.dialect.name}: user {args.user}, {len(found.rows)} rows; find best "
        f"{min(totals) * 1000:.0f} ms, {len(best)} statements, their best times sum to "
        f"{sum(t for t, _p in best.values()) * 1000:.0f} ms"
    )
    ranked = sorted(best.items(), key=lambda item: -item[1][0])
    for (statement, _params), (elapsed, _p) in ranked[:15]:
        match = FROM.search(statement)
        where = " ".join(statement.split("WHERE", 1)[-1].split())[:110]
        print(f"{elapsed * 1000:8.1f} ms  {match[1] if match else '?':28} WHERE {where}")
    explain = "EXPLAIN ANALYZE " if source.engine.dialect.name == "postgresql" else "ANALYZE "
    with source.engine.connect() as conn:
        for (statement, _params), (elapsed, parameters) in ranked[: args.explain]:
            print(f"\n--- {elapsed * 1000:.1f} ms: {' '.join(statement.split())[:300]}")
            for line in conn.exec_driver_sql(explain + statement, parameters).all():
                print("   ", " | ".join(str(v) for v in line))
    source.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
