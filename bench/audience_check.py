"""Benchmark: one bulk audience check of N addresses (issue 4, item 8; issue 9).

Builds a database of people, consent events, subscriptions and suppression hashes,
then times the same answer three ways, interleaved in the same run:
  1. the service layer   vigie.consent.audience.check_audience
  2. the HTTP API        POST /api/v1/audience/check (Django's full request stack,
                         in-process: no network, JSON both ways, API-key auth)
  3. raw SQL             one hand-written query on the service's input path: the
                         distinct addresses' blind indexes computed in Python and
                         passed as arrays (PostgreSQL) or one JSON array (SQLite),
                         every rule of docs/consent.md in one CASE
The data reaches every rule branch (B2B opt-out at business and personal domains,
soft opt-ins, lapsed double opt-ins, addresses shared by several people, erased
people); for each purpose the three answers must be identical, and the reasons and
branches reached are printed. Then one purpose is timed.

Usage (a database of its own; it is emptied and filled):
  VIGIE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigie_bench \
      .venv/bin/python bench/audience_check.py --people 1000000 --events 2000000 \
      --suppressed 100000 --check 100000
  VIGIE_DATABASE_URL=sqlite:////tmp/vigie_bench.sqlite3 .venv/bin/python bench/audience_check.py ...
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
os.environ.setdefault("VIGIE_HTTPS", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import FilteredRelation, Q  # noqa: E402
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
from vigie.lib.purposes import ALL_PURPOSES, Purpose  # noqa: E402
from vigie.people.models import Person  # noqa: E402

BATCH = 10_000
#: Five subject-type profiles: B2C, B2C subscriber, B2B client, B2B prospect from a
#: partner, and a supplier contact (neither B2B nor B2C: always needs consent).
TYPES = [
    ["client_individual_B2C"],
    ["prospect_B2C", "newsletter_subscriber"],
    ["client_contact_B2B"],
    ["prospect_B2B", "partner_sourced_contact"],
    ["supplier_contact"],
]
#: Subscriptions per purpose: the share of people holding one.
SUBSCRIBED_SHARE = {"newsletter": 0.6, "offres": 0.4, "offres_partenaires": 0.4}
STATUSES = ["subscribed"] * 60 + ["withdrawn"] * 15 + ["pending"] * 15 + ["objected"] * 10


def address(i: int) -> str:
    """Person ``i``'s address; one in six at a personal-mailbox domain (R36)."""
    if i % 6 == 5:
        return f"personne{i}@{settings.PERSONAL_DOMAINS[0]}"
    return f"personne{i}@domaine{i % 997}.fr"


def person_address(i: int) -> str:
    """One person in a hundred shares the previous person's address (a shared mailbox,
    or the same person recorded twice): the answer merges their records."""
    return address(i - 1 if i % 100 == 1 else i)


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
                    email_index=blind_index(key, normalise_email(person_address(i))),
                    subject_types=TYPES[i % 5],
                    collected_at=now - timedelta(days=i % 1000),
                    art14_notice_due_at=now + timedelta(days=10) if art14 else None,
                    # Business contacts: two in three informed of their right to object.
                    informed_of_opt_out_at=now if i % 5 in (2, 3) and i % 3 else None,
                    # One in two hundred erased (shredded): no longer found.
                    shredded_at=now if i % 200 == 7 else None,
                )
            )
        with transaction.atomic():
            Person.objects.bulk_create(rows, batch_size=1000)
        ids.extend(r.id for r in rows)
    print(f"  people: {people:,} in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    subscribed = 0
    for start in range(0, people, BATCH):
        subs = []
        for i in range(start, min(start + BATCH, people)):
            for purpose, share in SUBSCRIBED_SHARE.items():
                if rng.random() >= share:
                    continue
                status = rng.choice(STATUSES)
                expires, before = None, ""
                if status == "pending":
                    # Half the double opt-ins lapsed unconfirmed: the state before holds (R43).
                    lapsed = rng.random() < 0.5
                    expires = now + timedelta(days=-1 if lapsed else 3)
                    before = rng.choice(["", "subscribed", "withdrawn"])
                subs.append(
                    Subscription(
                        person_id=ids[i],
                        purpose=purpose,
                        status=status,
                        # A soft opt-in (R35) for some of the offers' subscribers.
                        soft_opt_in=status == "subscribed"
                        and purpose != "newsletter"
                        and rng.random() < 0.25,
                        since=now,
                        pending_expires_at=expires,
                        status_before_pending=before,
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
    # Suppressed addresses: a third belong to known people, the rest to nobody known;
    # the scopes cycle through every purpose and "all".
    scopes = [*SUBSCRIBED_SHARE, ALL_PURPOSES]
    for start in range(0, suppressed, BATCH):
        rows = [
            SuppressionEntry(
                address_hash=blind_index(
                    key,
                    SUPPRESS_PREFIX + normalise_email(address(j * 3 if j % 3 == 0 else people + j)),
                ),
                scope=scopes[j % 4],
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


# -- the baseline: the same rules, hand-written in SQL ---------------------------------

#: Each person record's answer as a rank; the lowest rank of an address's records wins
#: (an absolute refusal, then any allowance, then the most telling refusal).
RANKS: list[str | None] = [
    "OBJECTED",
    "SUPPRESSED",
    "ART14_NOTICE_PENDING",
    None,
    "PENDING_CONFIRMATION",
    "PERSONAL_ADDRESS_NO_CONSENT",
    "NO_LEGAL_BASIS",
    "UNKNOWN",
]
B2C = ("client_individual_B2C", "prospect_B2C")
B2B = ("client_contact_B2B", "prospect_B2B")


def _has_type(vendor: str, types: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{t}'" for t in types)
    if vendor == "postgresql":
        return f"(p.subject_types ?| ARRAY[{listed}])"
    return f"EXISTS (SELECT 1 FROM json_each(p.subject_types) t WHERE t.value IN ({listed}))"


def raw_query(vendor: str, purpose: str) -> str:
    """One query: the inputs as arrays (PostgreSQL) or one JSON array (SQLite) of
    (people index, suppression hash, personal-domain flag), every rule in a CASE."""
    rank = {r: n for n, r in enumerate(RANKS)}
    # R43: a lapsed double opt-in gives back the state before it.
    status = (
        "(CASE WHEN sub.status = 'pending' AND sub.pending_expires_at <= %(now)s "
        "THEN sub.status_before_pending ELSE sub.status END)"
    )
    subscribed = (
        str(rank[None])
        if purpose == "offres"
        else f"CASE WHEN sub.soft_opt_in THEN {rank['NO_LEGAL_BASIS']} ELSE {rank[None]} END"
    )
    if purpose == "newsletter":
        no_consent = f"ELSE {rank['NO_LEGAL_BASIS']}"
    else:
        no_consent = (
            f"WHEN {_has_type(vendor, B2C)} OR NOT {_has_type(vendor, B2B)} "
            f"THEN {rank['NO_LEGAL_BASIS']} "
            f"WHEN i.personal THEN {rank['PERSONAL_ADDRESS_NO_CONSENT']} "
            f"WHEN p.informed_of_opt_out_at IS NULL THEN {rank['NO_LEGAL_BASIS']} "
            f"ELSE {rank[None]}"
        )
    if vendor == "postgresql":
        inputs = (
            "SELECT u.ix, u.sh, u.personal FROM unnest(%(ix)s::varchar[], %(sh)s::varchar[], "
            "%(personal)s::boolean[]) AS u(ix, sh, personal)"
        )
    else:
        inputs = (
            "SELECT json_extract(value, '$[0]') AS ix, json_extract(value, '$[1]') AS sh, "
            "json_extract(value, '$[2]') AS personal FROM json_each(%(inputs)s)"
        )
    return f"""
SELECT i.ix, MIN(CASE
  WHEN p.id IS NULL THEN CASE WHEN i.suppressed THEN {rank["SUPPRESSED"]} ELSE {rank["UNKNOWN"]} END
  WHEN {status} = 'objected' THEN {rank["OBJECTED"]}
  WHEN i.suppressed THEN {rank["SUPPRESSED"]}
  WHEN p.art14_notice_due_at IS NOT NULL AND p.art14_notice_sent_at IS NULL
    THEN {rank["ART14_NOTICE_PENDING"]}
  WHEN {status} = 'subscribed' THEN {subscribed}
  WHEN {status} = 'pending' THEN {rank["PENDING_CONFIRMATION"]}
  WHEN {status} = 'withdrawn' THEN {rank["NO_LEGAL_BASIS"]}
  {no_consent}
END)
FROM (
  SELECT a.ix, a.personal, EXISTS (
    SELECT 1 FROM consent_suppressionentry s
    WHERE s.address_hash = a.sh AND s.scope IN (%(purpose)s, 'all')
  ) AS suppressed
  FROM ({inputs}) a
) i
LEFT JOIN people_person p ON p.email_index = i.ix AND p.shredded_at IS NULL
LEFT JOIN consent_subscription sub ON sub.person_id = p.id AND sub.purpose = %(purpose)s
GROUP BY i.ix
"""


def raw_sql(purpose: str, addresses: list[str]) -> list[str | None]:
    """The baseline, on the service's input path: addresses normalised and their blind
    indexes computed in Python (as any client must), each distinct address once, passed
    as arrays; every rule in the one query; answers given back in the order asked."""
    key = index_key()
    domains = {d.strip().lower() for d in settings.PERSONAL_DOMAINS}
    normal = [normalise_email(a) for a in addresses]
    distinct = list(dict.fromkeys(normal))
    ix = [blind_index(key, n) for n in distinct]
    sh = [blind_index(key, SUPPRESS_PREFIX + n) for n in distinct]
    personal = [n.rpartition("@")[2] in domains for n in distinct]
    params: dict[str, object] = {
        "purpose": purpose,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    if connection.vendor == "postgresql":
        params.update(ix=ix, sh=sh, personal=personal)
    else:
        params["inputs"] = json.dumps(list(zip(ix, sh, personal, strict=True)))
    with connection.cursor() as cursor:
        cursor.execute(raw_query(connection.vendor, purpose), params)
        ranks = dict(cursor.fetchall())
    by_address = {n: RANKS[ranks[i]] for n, i in zip(distinct, ix, strict=True)}
    return [by_address[n] for n in normal]


def branches(purpose: str, addresses: list[str]) -> dict[str, int]:
    """How many of the distinct addresses checked reach the rule branches a review
    found unreached: several people at one address, a lapsed double opt-in, a soft
    opt-in, a business contact without consent at a personal or business address."""
    key = index_key()
    domains = {d.strip().lower() for d in settings.PERSONAL_DOMAINS}
    normal = {normalise_email(a) for a in addresses}
    indexes = {blind_index(key, n): n for n in normal}
    counts = dict.fromkeys(
        [
            "shared address",
            "lapsed double opt-in",
            "soft opt-in",
            "B2B, personal domain",
            "B2B, business domain",
        ],
        0,
    )
    now = timezone.now()
    shared: set[str] = set()
    seen: set[str] = set()
    part_size = 1000
    keys = list(indexes)
    for chunk in range(0, len(keys), part_size):
        part = keys[chunk : chunk + part_size]
        rows = (
            Person.objects.filter(email_index__in=part, shredded_at__isnull=True)
            .annotate(
                sub=FilteredRelation("subscriptions", condition=Q(subscriptions__purpose=purpose))
            )
            .values_list(
                "email_index",
                "subject_types",
                "sub__status",
                "sub__soft_opt_in",
                "sub__pending_expires_at",
            )
        )
        for index, types, status, soft, expires in rows:
            (shared if index in seen else seen).add(index)
            if status == "pending" and expires <= now:
                counts["lapsed double opt-in"] += 1
            if status == "subscribed" and soft:
                counts["soft opt-in"] += 1
            if status is None and set(types) & set(B2B) and not set(types) & set(B2C):
                personal = indexes[index].rpartition("@")[2] in domains
                counts["B2B, personal domain" if personal else "B2B, business domain"] += 1
    counts["shared address"] = len(shared)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--suppressed", type=int, default=100_000)
    parser.add_argument("--check", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--purpose",
        default="offres_partenaires",
        help="the purpose timed (all three are checked for identical answers)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous run")
    parser.add_argument("--build-only", action="store_true")
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
    if args.build_only:
        return 0

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

    owner = User.objects.filter(username="bench").first() or User.objects.create_user(
        "bench", password=None, role=Role.SALES
    )
    _key, token = create_api_key(
        Actor.cli("bench"), owner, name="bench", scopes=[Permission.AUDIENCE_CHECK]
    )
    client = Client()

    def api(purpose: str) -> list[dict[str, object]]:
        """What a client does: encode the request, decode the answer."""
        response = client.post(
            "/api/v1/audience/check",
            {"purpose": purpose, "addresses": addresses},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_HOST="127.0.0.1",
        )
        assert response.status_code == 200, response.content[:300]
        return json.loads(response.content)["results"]

    def api_reasons(purpose: str) -> list[str | None]:
        results = api(purpose)
        assert [r["address"] for r in results] == addresses
        assert all(r["allowed"] == (r["reason"] is None) for r in results)
        return [r["reason"] for r in results]  # type: ignore[misc]

    def service(purpose: str) -> list[str | None]:
        return [r.reason for r in check_audience(purpose, addresses)]

    # Every purpose: the three answers identical, the reasons counted, and the rule
    # branches the data reaches (none of them may be 0).
    for purpose in Purpose.values:
        answer = service(purpose)
        assert raw_sql(purpose, addresses) == answer, f"{purpose}: the service and raw SQL disagree"
        assert api_reasons(purpose) == answer, f"{purpose}: the API and the service disagree"
        counts = Counter(reason or "allowed" for reason in answer)
        reached = branches(purpose, addresses)
        print(f"{purpose}: answers identical (raw SQL, service, API)", flush=True)
        print("  reasons: " + ", ".join(f"{r} {n:,}" for r, n in counts.most_common()))
        print("  branches: " + ", ".join(f"{b} {n:,}" for b, n in reached.items()))
        # The newsletter always needs consent, and has no soft opt-in (R35).
        opt_out = purpose != Purpose.NEWSLETTER
        for reason in RANKS:
            if opt_out or reason != "PERSONAL_ADDRESS_NO_CONSENT":
                assert counts[reason or "allowed"], f"{purpose}: no address reached {reason}"
        for branch, n in reached.items():
            if opt_out or branch == "shared address" or branch == "lapsed double opt-in":
                assert n, f"{purpose}: no address reached the branch {branch!r}"

    # Timed, interleaved: each round runs the three once, so a neighbour's load falls
    # on all three alike; the best of the rounds is kept for each.
    times: dict[str, list[float]] = {"raw": [], "service": [], "api": []}
    runners = {
        "raw": lambda: raw_sql(args.purpose, addresses),
        "service": lambda: service(args.purpose),
        "api": lambda: api(args.purpose),
    }
    for _round in range(args.runs):
        for name, run in runners.items():
            elapsed, _answer = best_of(1, run)
            times[name].append(elapsed)
    raw_time, service_time, api_time = (min(times[n]) for n in ("raw", "service", "api"))
    print(f"timed purpose {args.purpose}, best of {args.runs} interleaved rounds")
    print(f"raw SQL      {raw_time:8.3f} s   (1.00x)")
    print(f"service      {service_time:8.3f} s   ({service_time / raw_time:.2f}x raw SQL)")
    print(f"HTTP API     {api_time:8.3f} s   ({api_time / raw_time:.2f}x raw SQL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
