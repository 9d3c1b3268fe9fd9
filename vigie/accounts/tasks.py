"""Daily clean-up of sign-in traces (ended sessions, old login records) and of the
rate-limit counters of past windows.

Sessions and django-axes records hold staff identifiers and IP addresses; they are
security logs kept as long as the audit read events (R29: 6 months by default),
then deleted in bounded batches. A rate-limit counter (a keyed hash of a client IP
or an address) is useless once its window is over: it goes the next day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone
from django_tasks import task

from vigie.accounts.models import StaffSession
from vigie.accounts.ratelimit import expired_counters

BATCH = 5000


def _delete_in_batches(queryset: models.QuerySet) -> int:
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.values_list("pk", flat=True)[:BATCH])
            if not ids:
                return deleted
            deleted += queryset.model._default_manager.filter(pk__in=ids).delete()[0]


def clear_sign_in_traces(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUDIT_READ_RETENTION_DAYS)
    counts = {"sessions": _delete_in_batches(Session.objects.filter(expire_date__lt=now))}
    live = Session.objects.values("session_key")
    counts["staff_sessions"] = _delete_in_batches(
        StaffSession.objects.exclude(session_key__in=live)
    )
    counts["login_logs"] = _delete_in_batches(AccessLog.objects.filter(attempt_time__lt=cutoff))
    counts["login_failures"] = _delete_in_batches(
        AccessFailureLog.objects.filter(attempt_time__lt=cutoff)
    )
    return counts


@task()
def clear_sign_in_traces_task() -> dict[str, int]:
    """Daily; safe to run twice."""
    return clear_sign_in_traces()


@task()
def purge_rate_counters_task() -> int:
    """Daily: the counters of past rate-limit windows go. Safe to run twice."""
    return _delete_in_batches(expired_counters())


#: Enqueued once a day by `vigie worker` (see vigie.jobs.services).
DAILY_TASKS = (clear_sign_in_traces_task, purge_rate_counters_task)
