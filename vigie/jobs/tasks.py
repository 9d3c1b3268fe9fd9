"""The runner of scheduled calls (see ``jobs.services.schedule_call``), and the daily
purge of finished job results.

A finished job's row (django-tasks-db) keeps its arguments, its return value and, when
it failed, its traceback. Arguments are ids by rule, yet a traceback may quote a value
and an id still links a person to the time a job ran for them: finished results are
kept ``VIGIE_TASK_RESULT_RETENTION_DAYS`` (7 by default), long enough to look into a
failure, then deleted in bounded batches. Jobs still waiting or running are never
touched. Finished scheduled calls (``ScheduledCall`` rows done or cancelled) go after the
same retention: every public sign-up leaves one, and a finished call is only a record.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from vigie.jobs.models import ScheduledCall

BATCH = 5000


@task()
def run_scheduled_call(call_id: int) -> str:
    """Run one scheduled call if it is due and not done yet; safe to run any number of times."""
    from vigie.jobs.services import run_call

    return run_call(call_id)


def purge_finished_results(now: datetime | None = None) -> int:
    """Delete the results of jobs finished more than the retention ago; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    old = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(old.values_list("pk", flat=True)[:BATCH])
            if not ids:
                return deleted
            deleted += DBTaskResult.objects.filter(pk__in=ids).delete()[0]


def purge_finished_calls(now: datetime | None = None) -> int:
    """Delete the scheduled calls done or cancelled more than the retention ago; return
    how many. A pending call (due, late, failing) is never touched."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    old = ScheduledCall.objects.filter(
        Q(done_at__lt=cutoff) | Q(done_at__isnull=True, cancelled_at__lt=cutoff)
    ).order_by()
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(old.values_list("pk", flat=True)[:BATCH])
            if not ids:
                return deleted
            deleted += ScheduledCall.objects.filter(pk__in=ids).delete()[0]


@task()
def purge_finished_results_task() -> int:
    """Daily: finished job results and finished scheduled calls past retention go.
    Safe to run twice. Returns how many rows went, both kinds together."""
    return purge_finished_results() + purge_finished_calls()


#: Enqueued once a day by `vigie worker` (see vigie.jobs.services).
DAILY_TASKS = (purge_finished_results_task,)
