"""Rate limits of public forms and token URLs, shared by every web worker.

A limit counts requests per *scope* (a form: ``"preferences-link:ip"``) and *subject*
(a client IP, an address's blind index) in fixed windows. The count is a row of the
main database, incremented atomically, so that every web worker (``vigie serve``
starts several) and every restart see the same count; a per-process cache would
multiply the limit by the number of workers and forget it at each restart.

The subject is never stored: only ``HMAC(secret key, scope + subject)``. A keyed
hash, because an IPv4 address or a known e-mail address hashed without a key would
be found again by trying every value. Counters of past windows are deleted by the
daily ``purge_rate_counters_task`` (``accounts.tasks``).

Fixed windows let a client send up to twice the limit across a window boundary;
that is the price of one row and one increment per request, and enough against a
flood of e-mails.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vigie.accounts.models import RateCounter

HOUR = timedelta(hours=1)
_SALT = "vigie.accounts.ratelimit"


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` requests per subject of ``scope`` in each ``window``."""

    scope: str
    limit: int
    window: timedelta = HOUR


def subject_key(scope: str, subject: str) -> str:
    """What is stored for a subject: a keyed hash, never the IP or the address."""
    return salted_hmac(_SALT, f"{scope}\0{subject}", algorithm="sha256").hexdigest()


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def count_request(limit: Limit, subject: str, *, now: datetime | None = None) -> int:
    """Count one request of ``subject`` in the current window; return the count so far.

    Atomic on SQLite and PostgreSQL: the increment is one UPDATE of the row (a row
    lock on PostgreSQL, the write lock on SQLite), and the first request of a window
    inserts the row under a unique constraint; a concurrent first insert loses on the
    constraint and increments the winner's row instead.
    """
    now = now or timezone.now()
    start = _window_start(now, limit.window)
    rows = RateCounter.objects.filter(
        scope=limit.scope, key=subject_key(limit.scope, subject), window_start=start
    )
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        scope=limit.scope,
                        key=subject_key(limit.scope, subject),
                        window_start=start,
                        expires_at=start + limit.window,
                        count=1,
                    )
                return 1
            except IntegrityError:
                rows.update(count=F("count") + 1)
        # Read in the transaction that holds the row: no other request can change
        # it between our increment and this read.
        return rows.values_list("count", flat=True).get()


def allow(limit: Limit, subject: str, *, now: datetime | None = None) -> bool:
    """Count the request; True while the subject is within the limit."""
    return count_request(limit, subject, now=now) <= limit.limit


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    #: The client sent too many requests: tell it (HTTP 429), it concerns only itself.
    IP_LIMITED = "ip"
    #: The address was asked about too often. Answer exactly as if accepted: a
    #: different answer would tell the client that someone else asked for it.
    ADDRESS_LIMITED = "address"


def public_form_verdict(form: str, *, ip: str | None, address_key: str) -> Verdict:
    """Count a request to the public form ``form``: per client IP first
    (``VIGIE_RATE_LIMIT_PER_IP`` an hour), then per address (``VIGIE_RATE_LIMIT_PER_ADDRESS``
    an hour). ``address_key`` is the address's blind index or another normalised form
    of it: whatever is given is stored only as a keyed hash."""
    if ip and not allow(Limit(f"{form}:ip", settings.RATE_LIMIT_PER_IP), ip):
        return Verdict.IP_LIMITED
    if not allow(Limit(f"{form}:address", settings.RATE_LIMIT_PER_ADDRESS), address_key):
        return Verdict.ADDRESS_LIMITED
    return Verdict.ALLOWED


def expired_counters(now: datetime | None = None) -> QuerySet[RateCounter]:
    """The counters of windows that are over (the daily task deletes them)."""
    return RateCounter.objects.filter(expires_at__lte=now or timezone.now())
