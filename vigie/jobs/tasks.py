"""The runner of scheduled calls (see ``jobs.services.schedule_call``), and the daily
purge of finished job results.

A finished job's row (django-tasks-db) keeps its arguments, its return value and, when
it failed, its traceback. Arguments are ids by rule, yet a traceback may quote a value
and an id still links a person to the time a job ran for them: finished results are
kept ``VIGIE_TASK_RESULT_RETENTION_DAYS`` (7 by default), long enough to look into a
failure, then deleted in bounded batches. Jobs still waiting or running are never
touched.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

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


@task()
def purge_finished_results_task() -> int:
    """Daily: finished job results past retention go. Safe to run twice."""
    return purge_finished_results()


#: Enqueued once a day by `vigie worker` (see vigie.jobs.services).
DAILY_TASKS = (purge_finished_results_task,)
