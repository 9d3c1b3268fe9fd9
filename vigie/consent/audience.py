"""May these addresses receive marketing for this purpose? (CPCE L34-5, Art. 21; R35, R36, R41-R43)

The answer for a whole list is computed with a fixed number of queries per 1,000
distinct addresses (people by blind index with their subscription for the purpose
in one join, then suppression hashes), never one query per address: a mailing tool
checks 100,000 addresses at once.

Rules, in order, for a known person:
- a global objection (R42) and the suppression list (R41) always refuse;
- so does a pending Art. 14 notice for indirectly obtained data (R9);
- an active consent allows (a soft opt-in exists only for the company's own offers);
- a pending double opt-in or a withdrawal refuses;
- without consent, B2C people and the newsletter need consent (R35); a B2B contact
  may be prospected on an opt-out basis only when informed at collection, and never
  at a personal-mailbox address (R36).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from vigie.consent.models import Status, SuppressionEntry
from vigie.consent.suppression import SUPPRESS_PREFIX
from vigie.lib import lookups  # noqa: F401  (registers __any_of)
from vigie.lib.crypto import blind_index, normalise_email
from vigie.lib.keyring import index_key
from vigie.lib.purposes import ALL_PURPOSES, Purpose
from vigie.people.models import B2C_TYPES, Person, SubjectType

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
    PENDING_CONFIRMATION = "PENDING_CONFIRMATION"
    ART14_NOTICE_PENDING = "ART14_NOTICE_PENDING"
    PERSONAL_ADDRESS_NO_CONSENT = "PERSONAL_ADDRESS_NO_CONSENT"
    UNKNOWN = "UNKNOWN"


#: Refusals that hold whatever another record of the same address says.
ABSOLUTE = (Reason.OBJECTED, Reason.SUPPRESSED, Reason.ART14_NOTICE_PENDING)
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


def personal_domains() -> frozenset[str]:
    # R36: personal mailboxes (VIGIE_PERSONAL_DOMAINS).
    configured = settings.PERSONAL_DOMAINS
    return frozenset(d.strip().lower() for d in configured if d.strip())


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    size = PG_CHUNK if connection.vendor == "postgresql" else CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _Record:
    """What the rules need of one person, for the purpose asked."""

    subject_types: list[str]
    informed: bool
    art14_pending: bool
    status: str
    soft_opt_in: bool


def _people(purpose: str, indexes: Sequence[str], now: datetime) -> dict[str, list[_Record]]:
    found: dict[str, list[_Record]] = {}
    for chunk in _chunks(indexes):
        rows: Iterable[Any] = (
            Person.objects.filter(email_index__any_of=chunk, shredded_at__isnull=True)
            .annotate(
                sub=FilteredRelation("subscriptions", condition=Q(subscriptions__purpose=purpose))
            )
            .values_list(
                "email_index",
                "subject_types",
                "informed_of_opt_out_at",
                "art14_notice_due_at",
                "art14_notice_sent_at",
                "sub__status",
                "sub__soft_opt_in",
                "sub__pending_expires_at",
                "sub__status_before_pending",
            )
        )
        for index, types, informed, due, sent, status, soft, expires, before in rows:
            if status == Status.PENDING and expires is not None and expires <= now:
                # R43: an unconfirmed sign-up lapsed; the earlier state holds again.
                status = before or ""
            found.setdefault(index, []).append(
                _Record(
                    subject_types=list(types or []),
                    informed=informed is not None,
                    art14_pending=due is not None and sent is None,
                    status=status or "",
                    soft_opt_in=bool(soft),
                )
            )
    return found


def _suppressed(purpose: str, hashes: Sequence[str]) -> set[str]:
    suppressed: set[str] = set()
    for chunk in _chunks(hashes):
        suppressed.update(
            SuppressionEntry.objects.filter(
                address_hash__any_of=chunk, scope__in=[purpose, ALL_PURPOSES]
            ).values_list("address_hash", flat=True)
        )
    return suppressed


def _decide(purpose: str, record: _Record, suppressed: bool, personal: bool) -> Reason | None:
    """The refusal for one person record, or None when marketing is allowed."""
    if record.status == Status.OBJECTED:
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


def _combine(reasons: list[Reason | None]) -> Reason | None:
    """Several people may share an address: an absolute refusal of any wins, then any
    allowance, then the most telling refusal."""
    for reason in ABSOLUTE:
        if reason in reasons:
            return reason
    if None in reasons:
        return None
    return min((r for r in reasons if r is not None), key=PRIORITY.index)


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
    people = _people(purpose, sorted(people_index.values()), now)
    suppressed = _suppressed(purpose, sorted(suppress_index.values()))
    domains = personal_domains()
    decided: dict[str, Reason | None] = {}
    for address in people_index:
        records = people.get(people_index[address], [])
        is_suppressed = suppress_index[address] in suppressed
        if not records:
            decided[address] = Reason.SUPPRESSED if is_suppressed else Reason.UNKNOWN
            continue
        personal = address.rpartition("@")[2] in domains
        decided[address] = _combine([_decide(purpose, r, is_suppressed, personal) for r in records])
    results = []
    for original, address in zip(addresses, normal, strict=True):
        reason = decided[address]
        results.append(Result(original, reason is None, str(reason) if reason else None))
    return results
