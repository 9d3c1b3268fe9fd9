"""Benchmark B6: one person's access package (R51) on PostgreSQL, against raw SQL.

Builds (unless --reuse), each on PostgreSQL:
  - Vigie's own store: the seeded person (``create_person``, a consent, a disclosure to a
    subcontractor) and ``--people`` - 1 other people, cloned from her row by one
    ``INSERT … SELECT … FROM generate_series`` each for people and consent events (every
    clone has its own id and e-mail blind index; its sealed fields are copies of the
    seed's bytes, never opened: lookups go by blind index, as they do for real rows);
  - a GLPI 11 database and a Dolibarr database filled by the shipped shapes
    (``fill_glpi``, ``fill_dolibarr``), the person seeded in both.
Then, in the same run, it times:
  1. the package's JSON: ``access.build_content`` (find in every store through
     ``sources.find_subject``, masking, register sections) and ``access_render.to_json``;
  2. the same package as PDF (weasyprint), apart;
  3. the raw-SQL baseline: hand-written selects of the same rows (GLPI: ``bench/
     sources_raw.raw_find``; Dolibarr: the hand-written oracle of tests/sources/
     test_dolibarr_source.py, then ``SELECT *`` of those rows; Vigie: the person by blind
     index, then her contact points, consent events, subscriptions, segments, messages,
     suppression entries), serialised to JSON the same way.

Usage (databases of their own; created if missing):
  .venv/bin/python bench/access_package.py --pg postgresql+psycopg://postgres@127.0.0.1:5432 \\
      --prefix vigie_wt_access_b6 [--reuse]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _urls(pg: str, prefix: str) -> dict[str, str]:
    return {name: f"{pg}/{prefix}_{name}" for name in ("vigie", "keys", "glpi", "dolibarr")}


def _setup(args: argparse.Namespace) -> dict[str, str]:
    urls = _urls(args.pg, args.prefix)
    django_url = args.pg.replace("postgresql+psycopg://", "postgres://")
    os.environ["VIGIE_DATABASE_URL"] = f"{django_url}/{args.prefix}_vigie"
    os.environ["VIGIE_KEYS_DATABASE_URL"] = f"{django_url}/{args.prefix}_keys"
    os.environ["VIGIE_SOURCE_GLPI_URL"] = urls["glpi"]
    os.environ["VIGIE_SOURCE_DOLIBARR_URL"] = urls["dolibarr"]
    var = Path(tempfile.gettempdir()) / f"vigie-bench-{args.prefix}"
    var.mkdir(exist_ok=True)
    os.environ.setdefault("VIGIE_VAR_DIR", str(var))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    import sqlalchemy as sa

    admin = sa.create_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for url in urls.values():
            name = url.rsplit("/", 1)[1]
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not args.reuse and exists.first():
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                exists = None
            if not args.reuse or exists is None or not exists.first():
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    import django

    django.setup()
    return urls


EMAIL = "camille.durand@exemple.fr"


def _clone(conn: Any, table: str, template: str, count: int, overrides: dict[str, str]) -> int:
    """Insert ``count`` copies of the row ``template`` selects, with ``overrides`` (SQL
    expressions over ``g``, the series number); columns with a default id are left out."""
    import sqlalchemy as sa

    columns = [
        r[0]
        for r in conn.execute(
            sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
                "ORDER BY ordinal_position"
            ),
            {"t": table},
        )
    ]
    identity = {
        r[0]
        for r in conn.execute(
            sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
                "AND (is_identity = 'YES' OR column_default LIKE 'nextval%')"
            ),
            {"t": table},
        )
    }
    names = [c for c in columns if c not in identity or c in overrides]
    exprs = [overrides.get(c, f't."{c}"') for c in names]
    quoted = ", ".join('"' + c + '"' for c in names)
    sql = (
        f'INSERT INTO "{table}" ({quoted}) '
        f"SELECT {', '.join(exprs)} FROM ({template}) t, generate_series(1, {count}) g"
    )
    return conn.execute(sa.text(sql)).rowcount


def build(args: argparse.Namespace, urls: dict[str, str]) -> dict[str, int]:
    import sqlalchemy as sa
    from django.core.management import call_command

    from vigie.audit.actor import Actor
    from vigie.consent.services import record_consent
    from vigie.demo.shapes import dolibarr, glpi
    from vigie.demo.shapes.fill import SeedPerson, fill_dolibarr, fill_glpi
    from vigie.disclosures.services import record_disclosure
    from vigie.people.services import create_person
    from vigie.register.services import load_file

    counts: dict[str, int] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("migrate", database="keys", verbosity=0)
    actor = Actor.cli("bench")
    load_file(actor, ROOT / "policies" / "semi-informatique.yaml")
    person = create_person(
        actor,
        email=EMAIL,
        first_name="Camille",
        last_name="Durand",
        phone="06 11 22 33 44",
        subject_types=["client_contact_B2B"],
    )
    record_consent(
        actor, person, "newsletter", wording="J’accepte la lettre d’information.", method="web_form"
    )
    record_disclosure(
        actor,
        person,
        "technical-subcontractors",
        ["identity-contact"],
        dt.datetime(2024, 3, 5, 10, 0, tzinfo=dt.UTC),
        reference="intervention-123",
    )
    seed = str(person.pk)
    engine = sa.create_engine(urls["vigie"])
    with engine.begin() as conn:
        others = args.people - 1
        counts["vigie people_person"] = 1 + _clone(
            conn,
            "people_person",
            f"SELECT * FROM people_person WHERE id = '{seed}'",
            others,
            {
                "id": "gen_random_uuid()",
                "email_index": "encode(sha256(('bench-' || g)::bytea), 'hex')",
            },
        )
        counts["vigie consent_consentevent"] = conn.execute(
            sa.text("SELECT count(*) FROM consent_consentevent")
        ).scalar_one() + _clone(
            conn,
            "consent_consentevent",
            f"SELECT e.*, p.id AS new_person FROM consent_consentevent e, "
            f"(SELECT id FROM people_person WHERE id <> '{seed}') p WHERE e.person_id = '{seed}'",
            1,
            {"person_id": "t.new_person"},
        )
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    print(f"Vigie's store built in {time.perf_counter() - started:.0f} s", flush=True)

    camille = SeedPerson(EMAIL, "Camille", "Durand", "06 11 22 33 44")
    luc = SeedPerson("luc.bernard@exemple.fr", "Luc", "Bernard")
    started = time.perf_counter()
    g = sa.create_engine(urls["glpi"])
    glpi.metadata("11").create_all(g)
    filled = fill_glpi(
        g,
        [camille, luc],
        users=args.glpi_users,
        tickets=args.glpi_tickets,
        followups=args.glpi_followups,
        login_events=args.glpi_logins,
    )
    counts.update({f"glpi {k}": v for k, v in filled.items()})
    with g.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    g.dispose()
    print(f"GLPI built in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    d = sa.create_engine(urls["dolibarr"])
    dolibarr.metadata().create_all(d)
    filled = fill_dolibarr(
        d,
        [camille, luc],
        companies=args.dolibarr_companies,
        private_customers=args.dolibarr_customers,
        years_of_invoices=args.dolibarr_years,
    )
    counts.update({f"dolibarr {k}": v for k, v in filled.items()})
    with d.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    d.dispose()
    print(f"Dolibarr built in {time.perf_counter() - started:.0f} s", flush=True)
    return counts


def row_counts(urls: dict[str, str]) -> dict[str, int]:
    import sqlalchemy as sa

    out = {}
    for name in ("vigie", "glpi", "dolibarr"):
        engine = sa.create_engine(urls[name])
        with engine.connect() as conn:
            tables = conn.execute(
                sa.text("SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE n_live_tup > 0")
            ).all()
            for table, _estimate in tables:
                out[f"{name} {table}"] = conn.execute(
                    sa.text(f'SELECT count(*) FROM "{table}"')
                ).scalar_one()
        engine.dispose()
    return out


def raw_vigie(url: str, email: str) -> dict[str, list[dict[str, Any]]]:
    import sqlalchemy as sa

    from vigie.consent.suppression import suppression_hash
    from vigie.people.services import email_index

    engine = sa.create_engine(url)
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        with engine.connect() as conn:
            people = conn.execute(
                sa.text("SELECT * FROM people_person WHERE email_index = :i"),
                {"i": email_index(email)},
            )
            found["people_person"] = [dict(r._mapping) for r in people]
            ids = [r["id"] for r in found["people_person"]]
            for table in (
                "people_contactpoint",
                "consent_consentevent",
                "consent_subscription",
                "consent_segmentmember",
                "mail_message",
            ):
                rows = conn.execute(
                    sa.text(f"SELECT * FROM {table} WHERE person_id = ANY(:ids)"), {"ids": ids}
                )
                found[table] = [dict(r._mapping) for r in rows]
            rows = conn.execute(
                sa.text("SELECT * FROM consent_suppressionentry WHERE address_hash = :h"),
                {"h": suppression_hash(email)},
            )
            found["consent_suppressionentry"] = [dict(r._mapping) for r in rows]
    finally:
        engine.dispose()
    return found


_REFLECTED: Any = None


def raw_dolibarr(url: str, email: str) -> dict[str, list[dict[str, Any]]]:
    import warnings

    import sqlalchemy as sa

    from tests.sources.test_dolibarr_source import FOUND, keys_by_table

    global _REFLECTED
    if _REFLECTED is None:
        _REFLECTED = sa.MetaData()
    warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)

    engine = sa.create_engine(url)
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        ids = keys_by_table(engine, FOUND, email=email)
        md = _REFLECTED
        with engine.connect() as conn:
            for table, keys in ids.items():
                # Reflected once, as the engine's schema is (cached per source state).
                t = (
                    md.tables[table]
                    if table in md.tables
                    else sa.Table(table, md, autoload_with=conn)
                )
                key = next(iter(t.primary_key.columns))
                rows = conn.execute(sa.select(t).where(key.in_([int(k) for k in keys])))
                found[table] = [dict(r._mapping) for r in rows]
    finally:
        engine.dispose()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--prefix", default="vigie_wt_access_b6")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--glpi-users", type=int, default=60_000)
    parser.add_argument("--glpi-tickets", type=int, default=300_000)
    parser.add_argument("--glpi-followups", type=int, default=700_000)
    parser.add_argument("--glpi-logins", type=int, default=300_000)
    parser.add_argument("--dolibarr-companies", type=int, default=6_000)
    parser.add_argument("--dolibarr-customers", type=int, default=6_000)
    parser.add_argument("--dolibarr-years", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    urls = _setup(args)

    from bench.sources_raw import raw_find
    from bench.timing import best_of
    from vigie.audit.actor import Actor
    from vigie.people.services import find_by_email
    from vigie.rights import access
    from vigie.rights import services as rights
    from vigie.rights.access_render import to_json, to_pdf
    from vigie.rights.sealing import Requester
    from vigie.sources.services import register_source

    if not args.reuse:
        build(args, urls)
    actor = Actor.cli("bench")
    for name in ("glpi", "dolibarr"):
        text = (ROOT / "vigie" / "sources" / "manifests" / f"{name}.yaml").read_text("utf-8")
        register_source(actor, text)
    counts = row_counts(urls)
    total = sum(counts.values())
    print(f"Rows: {total:,} in all")
    for name in ("vigie", "glpi", "dolibarr"):
        part = {k: v for k, v in counts.items() if k.startswith(name + " ")}
        print(f"  {name}: {sum(part.values()):,} rows in {len(part)} tables")
    people = (
        counts.get("vigie people_person", 0)
        + counts.get("glpi glpi_users", 0)
        + counts.get("dolibarr llx_socpeople", 0)
        + counts.get("dolibarr llx_societe", 0)
    )
    print(f"  people: {people:,} (Vigie people, GLPI users, Dolibarr contacts and third parties)")

    person = find_by_email(EMAIL)
    case = rights.open_case(
        actor,
        types=["access"],
        channel="email",
        requester=Requester(email=EMAIL, name="Camille Durand"),
        person=person,
        verified_by="known_to_staff",
    ).case

    def package_json() -> bytes:
        return to_json(access.build_content(actor, case))

    def raw_json() -> bytes:
        rows = {
            "vigie": raw_vigie(urls["vigie"], EMAIL),
            "glpi": raw_find(urls["glpi"], EMAIL),
            "dolibarr": raw_dolibarr(urls["dolibarr"], EMAIL),
        }
        return json.dumps(rows, default=str, ensure_ascii=False).encode("utf-8")

    package_json()  # first call: reflects both schemas (printed apart below)
    raw_json()
    engine_times, raw_times = [], []
    body = raw = b""
    for _ in range(args.runs):
        t, body = best_of(1, package_json)
        engine_times.append(t)
        t, raw = best_of(1, raw_json)
        raw_times.append(t)
    content = access.build_content(actor, case)
    pdf_time, pdf = best_of(3, lambda: to_pdf(content))
    compile_time, package = best_of(1, lambda: access.compile_package(actor, case))
    items = sum(package.counts.values())
    med = sorted(engine_times)[len(engine_times) // 2]
    raw_med = sorted(raw_times)[len(raw_times) // 2]
    print(f"Package: {items} items ({package.counts}); JSON {len(body):,} bytes")
    print(f"Raw SQL rows: {len(raw):,} bytes of JSON")
    print(
        f"JSON package: best {min(engine_times) * 1000:.0f} ms, median {med * 1000:.0f} ms; "
        f"raw SQL: best {min(raw_times) * 1000:.0f} ms, median {raw_med * 1000:.0f} ms; "
        f"ratio (medians) {med / raw_med:.2f}× (goal ≤ 3×)"
    )
    print(f"compile_package (find, mask, seal, store): {compile_time * 1000:.0f} ms")
    print(f"PDF: best of 3 {pdf_time * 1000:.0f} ms, {len(pdf):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
