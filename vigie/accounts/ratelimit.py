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

Every public view that accepts a POST, and every token URL, is wrapped in
``rate_limited`` (a route-walking test, tests/web/test_public_routes_limited.py,
fails on one that is not): the client IP is counted before the view runs, and the
token of a token URL too; over a limit the client gets the 429 page. The per-address
count of forms that take an address is done by the form's own service
(``address_verdict``), which answers as if accepted (no enumeration).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vigie.accounts.models import RateCounter
from vigie.audit.actor import client_ip

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

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


def address_verdict(form: str, address_key: str) -> Verdict:
    """Count a request of the public form ``form`` for one address (the client IP was
    counted by ``rate_limited`` around the view)."""
    return public_form_verdict(form, ip=None, address_key=address_key)


def too_many_requests(request: HttpRequest, window: timedelta = HOUR) -> HttpResponse:
    """The 429 page: what happened and when to try again, in the page's language."""
    minutes = int(window.total_seconds() // 60)
    response = render(request, "accounts/too_many_requests.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(int(window.total_seconds()))
    return response


def rate_limited(
    form: str,
    *,
    link_param: str | None = None,
    methods: Iterable[str] = ("POST",),
    valid_token: Callable[[str], bool] | None = None,
) -> Callable[[View], View]:
    """Count each ``methods`` request of a public view per client IP (and per token for
    a token URL, ``link_param`` naming the URL's token) before the view runs; over a
    limit, answer the 429 page and run nothing.

    Forms: ``VIGIE_RATE_LIMIT_PER_IP`` an hour. Token URLs (unsubscribe, preference
    centre, confirmation), which a shared mail gateway may click for many people:
    ``VIGIE_RATE_LIMIT_TOKEN_PER_IP`` an hour per IP and ``VIGIE_RATE_LIMIT_PER_TOKEN``
    per token. The view is marked ``vigie_rate_limit`` (the route walk checks it).

    ``valid_token`` (a check of the token's signature, no database) spares a valid
    link the per-IP limit: a mail provider sends the RFC 8058 one-click unsubscribes
    of all its users from a few servers, and a withdrawal must never be refused
    (R39, Art. 7(3)). The per-IP limit is there against guessing tokens, which only
    invalid ones count towards; a valid link is still limited per token.
    """
    counted = frozenset(m.upper() for m in methods)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in counted:
                ip = client_ip(request) or "unknown"
                token = str(kwargs.get(link_param, "")) if link_param is not None else ""
                if link_param is None:
                    ip_limit: Limit | None = Limit(f"{form}:ip", settings.RATE_LIMIT_PER_IP)
                elif valid_token is not None and valid_token(token):
                    ip_limit = None
                else:
                    ip_limit = Limit(f"{form}:token-ip", settings.RATE_LIMIT_TOKEN_PER_IP)
                if ip_limit is not None and not allow(ip_limit, ip):
                    return too_many_requests(request)
                token_limit = Limit(f"{form}:token", settings.RATE_LIMIT_PER_TOKEN)
                if link_param is not None and not allow(token_limit, token):
                    return too_many_requests(request)
            return view(request, *args, **kwargs)

        wrapper.vigie_rate_limit = form  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


#: The ``limited_elsewhere`` mark of a view that answers the same fixed page whatever
#: it is sent, reading and writing nothing.
FIXED_ANSWER = "fixed answer"


def limited_elsewhere(how: str) -> Callable[[View], View]:
    """Mark a public view whose POST another mechanism limits (the sign-in page: the
    django-axes lockout per username and IP), or that has nothing to limit
    (``FIXED_ANSWER``)."""

    def decorate(view: View) -> View:
        view.vigie_rate_limit = how  # type: ignore[attr-defined]
        return view

    return decorate


def expired_counters(now: datetime | None = None) -> QuerySet[RateCounter]:
    """The counters of windows that are over (the daily task deletes them)."""
    return RateCounter.objects.filter(expires_at__lte=now or timezone.now())
