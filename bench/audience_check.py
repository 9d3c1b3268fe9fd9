"""Benchmark: one bulk audience check of N addresses (issue 4, item 8).

Builds a database of people, consent events, subscriptions and suppression hashes,
then times the same answer three ways, in the same run:
  1. the service layer   vigie.consent.audience.check_audience
  2. the HTTP API        POST /api/v1/audience/check (Django's full request stack,
                         in-process: no network, JSON both ways, API-key auth)
  3. raw SQL             one hand-written query over a temporary table of inputs
It checks that the three answers are identical, then prints the times and ratios.

Usage (a database of its own; it is emptied and filled):
  VIGIE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigie_bench \
      .venv/bin/python bench/audience_check.py --people 1000000 --events 2000000 \
      --suppressed 100000 --check 100000
  VIGIE_DATABASE_URL=sqlite:////tmp/vigie_bench.sqlite3 .venv/bin/python bench/audience_check.py ...
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
os.environ.setdefault("VIGIE_HTTPS", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.timing import best_of  # noqa: E402
from vigie.accounts.models import User  # noqa: E402
from vigie.accounts.permissions import Permission, Role  # noqa: E402
from vigie.accounts.services import create_api_key  # noqa: E402
from vigie.audit.actor import Actor  # noqa: E402
from vigie.consent.audience import SUPPRESS_PREFIX, check_audience  # noqa: E402
from vigie.consent.models import ConsentEvent, Subscription, SuppressionEntry  # noqa: E402
from vigie.lib.crypto import blind_index, normalise_email  # noqa: E402
from vigie.lib.keyring import index_key  # noqa: E402
from vigie.people.models import Person  # noqa: E402

BATCH = 10_000
TYPES = [
    ["client_individual_B2C"],
    ["prospect_B2C", "newsletter_subscriber"],
    ["client_contact_B2B"],
    ["prospect_B2B", "partner_sourced_contact"],
]


def address(i: int) -> str:
    return f"personne{i}@domaine{i % 997}.fr"


def build(people: int, events: int, suppressed: int, rng: random.Random) -> None:
    key = index_key()
    now = timezone.now()
    with connection.cursor() as cursor:
        for table in (
            "consent_subscription",
            "consent_consentevent",
            "consent_suppressionentry",
            "people_person",
        ):
            cursor.execute(f"DELETE FROM {table}")
    ids: list[uuid.UUID] = []
    started = time.perf_counter()
    for start in range(0, people, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, people)):
            art14 = rng.random() < 0.02
            rows.append(
                Person(
                    id=uuid.uuid4(),
                    email_index=blind_index(key, normalise_email(address(i))),
                    subject_types=TYPES[i % 4],
                    collected_at=now - timedelta(days=i % 1000),
                    art14_notice_due_at=now + timedelta(days=10) if art14 else None,
                    informed_of_opt_out_at=now if i % 4 >= 2 else None,
                )
            )
        with transaction.atomic():
            Person.objects.bulk_create(rows, batch_size=1000)
        ids.extend(r.id for r in rows)
    print(f"  people: {people:,} in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    statuses = ["subscribed"] * 70 + ["withdrawn"] * 15 + ["pending"] * 5 + ["objected"] * 10
    subscribed = 0
    for start in range(0, people, BATCH):
        subs = []
        for i in range(start, min(start + BATCH, people)):
            if rng.random() < 0.6:
                status = rng.choice(statuses)
                subs.append(
                    Subscription(
                        person_id=ids[i],
                        purpose="newsletter",
                        status=status,
                        since=now,
                        pending_expires_at=now + timedelta(days=3) if status == "pending" else None,
                    )
                )
        with transaction.atomic():
            Subscription.objects.bulk_create(subs, batch_size=1000)
        subscribed += len(subs)
    print(f"  subscriptions: {subscribed:,} in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    kinds = ["grant", "withdraw", "pending", "confirm", "object"]
    for start in range(0, events, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, events)):
            i = n % people
            rows.append(
                ConsentEvent(
                    person_id=ids[i],
                    email_index="",
                    purpose="newsletter",
                    kind=kinds[n % 5],
                    wording="Je souhaite recevoir la lettre d'information de SEMI INFORMATIQUE.",
                    policy_version=1,
                    channel="https://www.semi-informatique.com/newsletter/",
                    occurred_at=now - timedelta(minutes=n),
                    method="web_form",
                    collector="subject",
                )
            )
        with transaction.atomic():
            ConsentEvent.objects.bulk_create(rows, batch_size=1000)
    print(f"  consent events: {events:,} in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    # Suppressed addresses: a third belong to known people, the rest to nobody known.
    for start in range(0, suppressed, BATCH):
        rows = [
            SuppressionEntry(
                address_hash=blind_index(
                    key,
                    SUPPRESS_PREFIX + normalise_email(address(j * 3 if j % 3 == 0 else people + j)),
                ),
                scope="newsletter" if j % 2 else "all",
                reason="unsubscribed",
                created_at=now,
            )
            for j in range(start, min(start + BATCH, suppressed))
        ]
        with transaction.atomic():
            SuppressionEntry.objects.bulk_create(rows, batch_size=1000)
    print(
        f"  suppression hashes: {suppressed:,} in {time.perf_counter() - started:.0f} s", flush=True
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


RAW_SQL = """
SELECT i.n, CASE
  WHEN p.id IS NULL THEN CASE WHEN s.address_hash IS NOT NULL THEN 'SUPPRESSED' ELSE 'UNKNOWN' END
  WHEN sub.status = 'objected' THEN 'OBJECTED'
  WHEN s.address_hash IS NOT NULL THEN 'SUPPRESSED'
  WHEN p.art14_notice_due_at IS NOT NULL AND p.art14_notice_sent_at IS NULL THEN 'ART14_NOTICE_PENDING'
  WHEN sub.status = 'subscribed' AND NOT sub.soft_opt_in THEN NULL
  WHEN sub.status = 'pending' AND sub.pending_expires_at > %s THEN 'PENDING_CONFIRMATION'
  ELSE 'NO_LEGAL_BASIS'
END
FROM bench_input i
LEFT JOIN people_person p ON p.email_index = i.email_index AND p.shredded_at IS NULL
LEFT JOIN consent_subscription sub ON sub.person_id = p.id AND sub.purpose = 'newsletter'
LEFT JOIN (SELECT DISTINCT address_hash FROM consent_suppressionentry
           WHERE scope IN ('newsletter', 'all')) s ON s.address_hash = i.suppress_hash
ORDER BY i.n
"""


def raw_sql(addresses: list[str]) -> list[str | None]:
    """The baseline: blind indexes computed in Python (as any client must), one query."""
    key = index_key()
    rows = []
    for n, a in enumerate(addresses):
        normal = normalise_email(a)
        rows.append((n, blind_index(key, normal), blind_index(key, SUPPRESS_PREFIX + normal)))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_input (n integer, email_index varchar(64), suppress_hash varchar(64))"
        )
        cursor.executemany("INSERT INTO bench_input VALUES (%s, %s, %s)", rows)
        cursor.execute(RAW_SQL, [timezone.now()])
        result = [reason for _n, reason in cursor.fetchall()]
        cursor.execute("DROP TABLE bench_input")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--suppressed", type=int, default=100_000)
    parser.add_argument("--check", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous run")
    args = parser.parse_args()
    rng = random.Random(2026)

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    print(
        f"database: {vendor}; people {args.people:,}, events {args.events:,}, "
        f"suppressed {args.suppressed:,}, addresses checked {args.check:,}",
        flush=True,
    )
    if not args.reuse:
        build(args.people, args.events, args.suppressed, rng)

    # The addresses: 80 % known people, 10 % suppressed strangers, 10 % unknown.
    addresses = []
    for n in range(args.check):
        roll = n % 10
        if roll < 8:
            addresses.append(
                address(rng.randrange(args.people)).upper()
                if n % 7 == 0
                else address(rng.randrange(args.people))
            )
        elif roll == 8:
            addresses.append(address(args.people + 3 * rng.randrange(args.suppressed // 3) + 1))
        else:
            addresses.append(f"inconnu{n}@ailleurs.fr")

    service_time, service = best_of(args.runs, lambda: check_audience("newsletter", addresses))
    raw_time, raw = best_of(args.runs, lambda: raw_sql(addresses))

    owner = User.objects.filter(username="bench").first() or User.objects.create_user(
        "bench", password=None, role=Role.SALES
    )
    _key, token = create_api_key(
        Actor.cli("bench"), owner, name="bench", scopes=[Permission.AUDIENCE_CHECK]
    )
    client = Client()

    def api():  # type: ignore[no-untyped-def]
        response = client.post(
            "/api/v1/audience/check",
            {"purpose": "newsletter", "addresses": addresses},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_HOST="127.0.0.1",
        )
        assert response.status_code == 200, response.content[:300]
        return response.json()["results"]

    api_time, api_results = best_of(args.runs, api)

    reasons = [r.reason for r in service]
    assert reasons == raw, "the service and the raw SQL disagree"
    assert [r["reason"] for r in api_results] == reasons, "the API and the service disagree"
    allowed = sum(r.allowed for r in service)
    print(f"answers identical; allowed {allowed:,} of {len(addresses):,}")
    print(f"raw SQL      {raw_time:8.3f} s   (1.00x)")
    print(f"service      {service_time:8.3f} s   ({service_time / raw_time:.2f}x raw SQL)")
    print(f"HTTP API     {api_time:8.3f} s   ({api_time / raw_time:.2f}x raw SQL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
