"""The daily schedule: each registered job is enqueued once per day, whatever the
number of workers. Enqueueing and the DailyRun row share one transaction, so a
crash leaves either both or neither."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from vigie.jobs.models import DailyRun


def daily_tasks() -> list[Task]:
    from vigie.accounts.tasks import clear_sign_in_traces_task
    from vigie.audit.tasks import purge_read_events_task
    from vigie.mail.tasks import sweep_outbox_task
    from vigie.people.tasks import send_art14_notices_task

    return [
        purge_read_events_task,
        clear_sign_in_traces_task,
        sweep_outbox_task,
        send_art14_notices_task,
    ]


def enqueue_daily_jobs() -> list[str]:
    """Enqueue today's run of every daily job not yet enqueued; return their names."""
    today = timezone.localdate()
    enqueued = []
    for task in daily_tasks():
        name = task.module_path
        if DailyRun.objects.filter(name=name, day=today).exists():
            continue
        try:
            with transaction.atomic():
                run = DailyRun.objects.create(name=name, day=today)
                result = task.enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            # Another worker got there first: that is the point of the constraint.
            continue
        enqueued.append(name)
    return enqueued
