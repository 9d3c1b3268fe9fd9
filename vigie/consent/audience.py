"""May these addresses receive marketing for this purpose? (CPCE L34-5, Art. 21; R35, R36, R41-R43)

The answer for a whole list is computed with a fixed number of queries (people by
blind index with their subscription for the purpose in one join, then suppression
hashes; the blind indexes as one array on PostgreSQL, one JSON array on SQLite),
never one query per address: a mailing tool checks 100,000 addresses at once. The
values the rules need are computed in SQL and read without per-value conversion;
each combination of them is decided once (by ``_decide``) and looked up for the
other records, so the per-address work in Python is a few dictionary look-ups.

Rules, in order, for a known person:
- a restriction of processing (Art. 18, R55) always refuses;
- a global objection (R42), an objection to this purpose (R56 block) and the
  suppression list (R41) always refuse;
- so does a pending Art. 14 notice for indirectly obtained data (R9);
- an active consent allows (a soft opt-in exists only for the company's own offers);
- a pending double opt-in or a withdrawal refuses;
- without consent, B2C people and the newsletter need consent (R35); a B2B contact
  may be prospected on an opt-out basis only when informed at collection, and never
  at a personal-mailbox address (R36).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Model,
    Q,
    QuerySet,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from vigie.consent.models import Status, SuppressionEntry
from vigie.consent.suppression import SUPPRESS_PREFIX
from vigie.lib.crypto import blind_index, normalise_email
from vigie.lib.keyring import index_key
from vigie.lib.mailboxes import DomainMatcher
from vigie.lib.purposes import ALL_PURPOSES, Purpose
from vigie.people.models import B2C_TYPES, Person, SubjectType
from vigie.people.restrictions import blocked_exists, restricted_exists

#: Who may be prospected on an opt-out basis at all (R36): business contacts.
B2B_TYPES = frozenset({SubjectType.CLIENT_CONTACT_B2B, SubjectType.PROSPECT_B2B})
#: Addresses per query. On PostgreSQL a chunk is one array parameter (``= ANY(%s)``),
#: so one query can take many; elsewhere an ``IN`` list stays under SQLite's limits.
CHUNK = 1000
PG_CHUNK = 50_000


class Reason(StrEnum):
    NO_LEGAL_BASIS = "NO_LEGAL_BASIS"
    SUPPRESSED = "SUPPRESSED"
    OBJECTED = "OBJECTED"
    RESTRICTED = "RESTRICTED"
    PENDING_CONFIRMATION = "PENDING_CONFIRMATION"
    ART14_NOTICE_PENDING = "ART14_NOTICE_PENDING"
    PERSONAL_ADDRESS_NO_CONSENT = "PERSONAL_ADDRESS_NO_CONSENT"
    UNKNOWN = "UNKNOWN"


#: Refusals that hold whatever another record of the same address says.
ABSOLUTE = (
    Reason.RESTRICTED,
    Reason.OBJECTED,
    Reason.SUPPRESSED,
    Reason.ART14_NOTICE_PENDING,
)
#: Which refusal to give when several records of one address refuse.
PRIORITY = [
    *ABSOLUTE,
    Reason.PENDING_CONFIRMATION,
    Reason.PERSONAL_ADDRESS_NO_CONSENT,
    Reason.NO_LEGAL_BASIS,
    Reason.UNKNOWN,
]


@dataclass(frozen=True)
class Result:
    address: str
    allowed: bool
    reason: str | None


def _any_of(model: type[Model], field: str, values: Sequence[str]) -> Iterator[Q | RawSQL]:
    """Conditions matching ``field`` against ``values``, in as few queries as the
    database allows: one array parameter on PostgreSQL (``= ANY(%s)``), one JSON array
    on SQLite (``IN (SELECT value FROM json_each(%s))``, no parameter limit to chunk
    for), ``IN`` lists of ``CHUNK`` elsewhere. The values are blind indexes (texts):
    written as SQL here, they skip Django's per-value preparation, which cost as much
    as the query on 100,000 of them."""
    # Only quoted names from the model go into the SQL; the values are parameters.
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(field)}"
    if connection.vendor == "postgresql":
        for start in range(0, len(values), PG_CHUNK):
            chunk = list(values[start : start + PG_CHUNK])
            yield RawSQL(  # noqa: S611
                f"{column} = ANY(%s::varchar[])", [chunk], output_field=BooleanField()
            )
        return
    if connection.vendor == "sqlite":
        yield RawSQL(  # noqa: S611
            f"{column} IN (SELECT value FROM json_each(%s))",  # noqa: S608
            [json.dumps(list(values))],
            output_field=BooleanField(),
        )
        return
    for start in range(0, len(values), CHUNK):
        yield Q(**{f"{field}__in": values[start : start + CHUNK]})


@dataclass(frozen=True)
class _Record:
    """What the rules need of one person, for the purpose asked."""

    subject_types: list[str]
    informed: bool
    art14_pending: bool
    status: str
    soft_opt_in: bool
    restricted: bool = False
    blocked: bool = False


def _rows(query: QuerySet[Any]) -> Iterable[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the driver gives them, without Django's
    per-value converters: on 100,000 rows they cost more than the query itself. The
    query selects only texts and booleans computed in SQL (read as truthy values)."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        yield from cursor


def _people(purpose: str, indexes: Sequence[str], now: datetime) -> Iterator[tuple[Any, ...]]:
    """(blind index, subject types as JSON text, status, soft opt-in, informed, Art. 14
    notice pending, restricted, objected to the purpose) of each person at one of
    ``indexes``; several people may share one."""
    for condition in _any_of(Person, "email_index", indexes):
        yield from _rows(
            Person.objects.filter(condition, shredded_at__isnull=True)
            .annotate(
                sub=FilteredRelation("subscriptions", condition=Q(subscriptions__purpose=purpose)),
                # R43: an unconfirmed sign-up lapsed; the earlier state holds again.
                state=Case(
                    When(
                        sub__status=Status.PENDING,
                        sub__pending_expires_at__lte=now,
                        then=F("sub__status_before_pending"),
                    ),
                    default=F("sub__status"),
                ),
                informed=ExpressionWrapper(
                    Q(informed_of_opt_out_at__isnull=False), output_field=BooleanField()
                ),
                art14_pending=ExpressionWrapper(
                    Q(art14_notice_due_at__isnull=False, art14_notice_sent_at__isnull=True),
                    output_field=BooleanField(),
                ),
                # R55 and R56: a restriction, an objection to this purpose.
                restricted=restricted_exists(),
                blocked=blocked_exists(purpose),
            )
            .values_list(
                "email_index",
                "subject_types",
                "state",
                "sub__soft_opt_in",
                "informed",
                "art14_pending",
                "restricted",
                "blocked",
            )
        )


def _suppressed(purpose: str, hashes: Sequence[str]) -> set[str]:
    suppressed: set[str] = set()
    for condition in _any_of(SuppressionEntry, "address_hash", hashes):
        suppressed.update(
            hash
            for (hash,) in _rows(
                SuppressionEntry.objects.filter(
                    condition, scope__in=[purpose, ALL_PURPOSES], lifted_at__isnull=True
                ).values_list("address_hash")
            )
        )
    return suppressed


def _decide(purpose: str, record: _Record, suppressed: bool, personal: bool) -> Reason | None:
    """The refusal for one person record, or None when marketing is allowed."""
    if record.restricted:
        return Reason.RESTRICTED
    if record.status == Status.OBJECTED or record.blocked:
        return Reason.OBJECTED
    if suppressed:
        return Reason.SUPPRESSED
    if record.art14_pending:
        return Reason.ART14_NOTICE_PENDING
    if record.status == Status.SUBSCRIBED:
        if record.soft_opt_in and purpose != Purpose.OFFRES:
            return Reason.NO_LEGAL_BASIS
        return None
    if record.status == Status.PENDING:
        return Reason.PENDING_CONFIRMATION
    if record.status == Status.WITHDRAWN:
        return Reason.NO_LEGAL_BASIS
    # No consent: only a business contact, informed at collection, at a business
    # address, may receive the company's or partners' offers (R36). Everyone else needs
    # consent (R35), and the newsletter always does.
    types = set(record.subject_types)
    if purpose == Purpose.NEWSLETTER or types & B2C_TYPES or not types & B2B_TYPES:
        return Reason.NO_LEGAL_BASIS
    if personal:
        return Reason.PERSONAL_ADDRESS_NO_CONSENT
    if not record.informed:
        return Reason.NO_LEGAL_BASIS
    return None


#: Several people may share an address: an absolute refusal of any wins, then any
#: allowance, then the most telling refusal; so the answer for an address is the
#: record answer that comes first in this list.
RANKED: list[Reason | None] = [*ABSOLUTE, None, *PRIORITY[len(ABSOLUTE) :]]
_RANK = {reason: rank for rank, reason in enumerate(RANKED)}


def _combine(reasons: list[Reason | None]) -> Reason | None:
    """The answer for an address from the answers for each of its people."""
    return RANKED[min(_RANK[r] for r in reasons)]


def check_audience(
    purpose: str, addresses: Sequence[str], *, at: datetime | None = None
) -> list[Result]:
    """Answer, in the order given, whether each address may receive ``purpose`` marketing."""
    if purpose not in Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    now = at or timezone.now()
    key = index_key()
    normal = [normalise_email(a) for a in addresses]
    people_index = {n: blind_index(key, n) for n in set(normal)}
    suppress_index = {n: blind_index(key, SUPPRESS_PREFIX + n) for n in people_index}
    suppressed = _suppressed(purpose, sorted(suppress_index.values()))
    # R36: personal mailboxes (the shipped list and VIGIE_PERSONAL_DOMAINS).
    personal = DomainMatcher()
    # Per blind index: suppressed, at a personal domain (both per address, not per person).
    suppressed_at = {people_index[a] for a, h in suppress_index.items() if h in suppressed}
    personal_at = {i for a, i in people_index.items() if personal(a.rpartition("@")[2])}
    # The rules depend on a handful of values with few combinations: each combination
    # is decided once by ``_decide`` and looked up for every other record that has it.
    decisions: dict[tuple[Any, ...], int] = {}
    ranks: dict[str, int] = {}
    for index, types, status, soft, informed, art14, restricted, blocked in _people(
        purpose, sorted(people_index.values()), now
    ):
        # Subject types come as JSON text: a hashable key as they are.
        facts = (
            types if isinstance(types, str) else tuple(types or ()),
            status,
            bool(soft),
            bool(informed),
            bool(art14),
            bool(restricted),
            bool(blocked),
        )
        situation = (*facts, index in suppressed_at, index in personal_at)
        rank = decisions.get(situation)
        if rank is None:
            record = _Record(
                subject_types=json.loads(types) if isinstance(types, str) else list(types or []),
                informed=facts[3],
                art14_pending=facts[4],
                status=status or "",
                soft_opt_in=facts[2],
                restricted=facts[5],
                blocked=facts[6],
            )
            reason = _decide(purpose, record, situation[7], situation[8])
            rank = decisions[situation] = _RANK[reason]
        if rank < ranks.get(index, len(RANKED)):
            ranks[index] = rank
    unknown, suppressed_unknown = _RANK[Reason.UNKNOWN], _RANK[Reason.SUPPRESSED]
    answers = {}
    for address, index in people_index.items():
        rank = ranks.get(index)
        if rank is None:
            rank = suppressed_unknown if index in suppressed_at else unknown
        reason = RANKED[rank]
        answers[address] = (reason is None, str(reason) if reason else None)
    return [
        Result(original, *answers[address])
        for original, address in zip(addresses, normal, strict=True)
    ]
