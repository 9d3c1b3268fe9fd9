"""Benchmark: DSR latency on a small PostgreSQL source (issue 14).

Builds a shop database on PostgreSQL: 1,000 customers, 3,000 orders and 5,000 login
events (three tables, described by ``bench/dsr_shop.yaml``), registers it as a source
of a Vigie whose own database is PostgreSQL too, and times, in the same run:
  1. a complete access request: ``access.compile_package`` (find in Vigie's store and
     the shop through ``sources.find_subject``, masking, register sections, sealed and
     stored) and the package rendered as JSON; a different customer each run (goal:
     median ≤ 40 ms);
  2. an erasure through ``sources.erase_subject`` (manifest strategies: customer row
     and login events deleted, orders kept and archived); a different customer each run
     (goal: median ≤ 70 ms);
  3. 50 access requests queued at once and run by 2 worker processes (each its own
     Django and connections, taking case ids from one queue): requests per second, and
     each worker's peak resident memory (``ru_maxrss``; goal ≤ 300 MB).

Usage: .venv/bin/python bench/dsr_latency.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432]
       [--runs 30] [--prefix vigie_bench_dsr]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
#: The benchmark's databases' names start with this (``--prefix``): one prefix per checkout.
PREFIX = os.environ.get("VIGIE_BENCH_PREFIX", "vigie_bench_dsr")
CUSTOMERS, ORDERS, LOGINS = 1_000, 3_000, 5_000


def _set_prefix(prefix: str) -> None:
    global PREFIX
    PREFIX = prefix
    # The worker processes (spawned) read it from the environment.
    os.environ["VIGIE_BENCH_PREFIX"] = prefix


def _env(pg: str) -> None:
    django_url = pg.replace("postgresql+psycopg://", "postgres://")
    os.environ["VIGIE_DATABASE_URL"] = f"{django_url}/{PREFIX}_vigie"
    os.environ["VIGIE_KEYS_DATABASE_URL"] = f"{django_url}/{PREFIX}_keys"
    os.environ["VIGIE_SOURCE_SHOP_URL"] = f"{pg}/{PREFIX}_shop"
    var = Path("/tmp") / f"vigie-bench-{PREFIX}"
    var.mkdir(exist_ok=True)
    os.environ.setdefault("VIGIE_VAR_DIR", str(var))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")


def _create_databases(pg: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in ("vigie", "keys", "shop"):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PREFIX}_{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{PREFIX}_{name}"'))
    admin.dispose()


def email_of(i: int) -> str:
    return f"client{i:04d}@boutique.example"


def build_shop(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE customers (id integer PRIMARY KEY, email varchar(200), "
                "full_name varchar(200), phone varchar(40), created_at timestamp)"
            )
        )
        conn.execute(
            sa.text(
                "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, "
                "shipping_address text, total numeric(10,2), ordered_at timestamp)"
            )
        )
        conn.execute(
            sa.text(
                "CREATE TABLE login_events (id integer PRIMARY KEY, customer_id integer, "
                "ip varchar(45), at timestamp)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO customers SELECT g, 'client' || lpad(g::text, 4, '0') || "
                "'@boutique.example', 'Client ' || g, '06 00 00 ' || lpad((g % 100)::text, 2, '0') "
                "|| ' 00', now() - (g || ' days')::interval FROM generate_series(1, :n) g"
            ),
            {"n": CUSTOMERS},
        )
        conn.execute(
            sa.text(
                "INSERT INTO orders SELECT g, 1 + (g % :c), g || ' rue des Lilas, 13100 Aix', "
                "(g % 500) + 9.90, now() - ((g % 900) || ' days')::interval "
                "FROM generate_series(1, :n) g"
            ),
            {"c": CUSTOMERS, "n": ORDERS},
        )
        conn.execute(
            sa.text(
                "INSERT INTO login_events SELECT g, 1 + (g % :c), '198.51.100.' || (g % 250), "
                "now() - ((g % 300) || ' hours')::interval FROM generate_series(1, :n) g"
            ),
            {"c": CUSTOMERS, "n": LOGINS},
        )
        for table in ("orders", "login_events"):
            conn.execute(sa.text(f"CREATE INDEX {table}_customer ON {table} (customer_id)"))
        conn.execute(sa.text("CREATE INDEX customers_email ON customers (lower(trim(email)))"))
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()


def open_cases(numbers: list[int]) -> list[str]:
    from vigie.audit.actor import Actor
    from vigie.people.services import create_person
    from vigie.rights import services as rights
    from vigie.rights.sealing import Requester

    actor = Actor.cli("bench")
    ids = []
    for i in numbers:
        person = create_person(actor, email=email_of(i), first_name="Client", last_name=str(i))
        case = rights.open_case(
            actor,
            types=["access"],
            channel="email",
            requester=Requester(email=email_of(i), name=f"Client {i}"),
            person=person,
            verified_by="known_to_staff",
        ).case
        ids.append(str(case.pk))
    return ids


def access_request(case_id: str) -> int:
    """One complete access request: find everywhere, compile, seal, store, JSON."""
    from vigie.audit.actor import Actor
    from vigie.rights import access
    from vigie.rights.access_render import to_json
    from vigie.rights.models import Case

    case = Case.objects.select_related("person").get(pk=case_id)
    package = access.compile_package(Actor.cli("bench"), case)
    return len(to_json(access.open_content(package)))


def _worker(queue: Any, results: Any) -> None:
    import django

    django.setup()
    done = 0
    while True:
        case_id = queue.get()
        if case_id is None:
            break
        access_request(case_id)
        done += 1
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results.put((os.getpid(), done, peak_kb))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--prefix", default=PREFIX, help="the databases' names start with it")
    args = parser.parse_args()
    _set_prefix(args.prefix)
    _env(args.pg)
    _create_databases(args.pg)
    import django

    django.setup()
    from django.core.management import call_command

    from vigie.audit.actor import Actor
    from vigie.register.services import load_file
    from vigie.sources.services import erase_subject, find_subject, register_source
    from vigie.sources.types import Subject

    call_command("migrate", verbosity=0)
    call_command("migrate", database="keys", verbosity=0)
    actor = Actor.cli("bench")
    load_file(actor, ROOT / "policies" / "semi-informatique.yaml")
    build_shop(os.environ["VIGIE_SOURCE_SHOP_URL"])
    register_source(actor, (ROOT / "bench" / "dsr_shop.yaml").read_text("utf-8"))
    print(f"Shop: {CUSTOMERS:,} customers, {ORDERS:,} orders, {LOGINS:,} login events")

    rng = random.Random(14)
    chosen = rng.sample(range(1, CUSTOMERS + 1), args.runs * 2 + 50)
    access_ids = open_cases(chosen[: args.runs])
    erase_people = chosen[args.runs : args.runs * 2]
    queued_ids = open_cases(chosen[args.runs * 2 :])
    find_subject(actor, Subject(email=[email_of(chosen[-1])]))  # reflects the shop once

    times = []
    for case_id in access_ids:
        started = time.perf_counter()
        size = access_request(case_id)
        times.append(time.perf_counter() - started)
    print(
        f"Access request (compile + JSON, {size:,} bytes): median "
        f"{statistics.median(times) * 1000:.1f} ms, best {min(times) * 1000:.1f} ms, worst "
        f"{max(times) * 1000:.1f} ms over {len(times)} customers (goal: median ≤ 40 ms)"
    )

    times = []
    for i in erase_people:
        started = time.perf_counter()
        erase_subject(actor, Subject(email=[email_of(i)]))
        times.append(time.perf_counter() - started)
    print(
        f"Erasure (erase_subject): median {statistics.median(times) * 1000:.1f} ms, best "
        f"{min(times) * 1000:.1f} ms, worst {max(times) * 1000:.1f} ms over {len(times)} "
        "customers (goal: median ≤ 70 ms)"
    )

    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("spawn")
    queue, results = ctx.Queue(), ctx.Queue()
    for case_id in queued_ids:
        queue.put(case_id)
    for _ in range(2):
        queue.put(None)
    started = time.perf_counter()
    workers = [ctx.Process(target=_worker, args=(queue, results)) for _ in range(2)]
    for w in workers:
        w.start()
    report = [results.get() for _ in workers]
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    print(
        f"{len(queued_ids)} access requests queued at once, 2 workers: {elapsed:.2f} s wall "
        f"(workers' start-up included), {len(queued_ids) / elapsed:.1f} requests/s"
    )
    for pid, done, peak_kb in report:
        print(
            f"  worker {pid}: {done} requests, peak memory {peak_kb / 1024:.0f} MB (goal ≤ 300 MB)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
