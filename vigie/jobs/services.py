"""Background jobs on a schedule: daily jobs declared by each app, and calls due at a
precise time (a D-7 reminder, a +24 h or +72 h deadline) with a reconciliation sweep.

Daily jobs: an app lists its daily tasks in ``DAILY_TASKS`` of its ``tasks`` module;
each is enqueued once per day, whatever the number of workers. Enqueueing and the
``DailyRun`` row share one transaction, so a crash leaves either both or neither.

Minute sweeps: an app lists in ``EVERY_MINUTE`` of its ``tasks`` module the tasks each
worker runs itself, in its scheduler, every minute (``run_minute_sweeps``): quick,
idempotent reconciliations, safe when several workers run them at once.

Due-time calls: ``schedule_call`` writes a ``ScheduledCall`` row and enqueues its
runner with ``run_after`` (django-tasks-db leaves it in the queue until then), both in
the caller's transaction. The queue alone is not trusted with a deadline: a lost,
failed or crashed run is found by ``reconcile_scheduled_calls`` (every minute in
``vigie worker``) and enqueued again. The runner locks the row and marks it done in
the same transaction as the call's own effects, so a call never runs twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string, module_has_submodule
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist

from vigie.jobs.models import DailyRun, ScheduledCall

log = logging.getLogger("vigie.jobs")

#: The name, in an app's ``tasks`` module, of the tuple of its daily tasks.
DAILY_TASKS = "DAILY_TASKS"
#: The name, in an app's ``tasks`` module, of the tasks each worker runs every minute.
EVERY_MINUTE = "EVERY_MINUTE"
#: A call still not done this long after its due time is looked at by the sweep.
GRACE = timedelta(minutes=2)
#: A run started this long ago and not finished is taken as lost with its worker.
STALE_RUN = timedelta(hours=1)
#: After this many failed runs the sweep stops retrying: the call waits for a person.
MAX_ATTEMPTS = 5
SWEEP_BATCH = 500


# -- Daily jobs ----------------------------------------------------------------------------


def _declared(name: str) -> list[Task]:
    """The tasks every installed app lists under ``name``, in ``INSTALLED_APPS`` order."""
    found: list[Task] = []
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "tasks"):
            continue
        declared = getattr(import_module(f"{config.name}.tasks"), name, ())
        for item in declared:
            if not isinstance(item, Task):
                raise ImproperlyConfigured(
                    f"{config.name}.tasks.{name} holds {item!r}, not a django-tasks task"
                )
            found.append(item)
    return found


def daily_tasks() -> list[Task]:
    """The daily tasks every installed app declares, in ``INSTALLED_APPS`` order."""
    return _declared(DAILY_TASKS)


def minute_tasks() -> list[Task]:
    """The tasks every installed app wants run every minute by each worker."""
    return _declared(EVERY_MINUTE)


def run_minute_sweeps() -> list[str]:
    """Run each app's minute sweep here and now (not through the queue: no job row a
    minute, and no wait behind a long backlog); return the names of those that ran.
    Each runs on its own: one that fails is logged (its kind only) and the others run."""
    ran = []
    for task in minute_tasks():
        try:
            task.call()
        except Exception as error:
            log.error("%s failed: %s", task.module_path, type(error).__name__)
            continue
        ran.append(task.module_path)
    return ran


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


# -- Calls due at a precise time -----------------------------------------------------------


def schedule_call(
    task: Task,
    due_at: datetime,
    *,
    key: str,
    args: Iterable[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    own_transactions: bool = False,
) -> ScheduledCall:
    """Run ``task(*args, **kwargs)`` at ``due_at``, once; call it in the transaction of
    the change that causes it (a breach declared, a request received).

    ``key`` names the call with ids only, never personal data (it is logged):
    ``"breach:12:cnil-72h"``. Scheduling the same key again
    moves a pending call to the new time and arguments, and changes nothing once it is
    done or cancelled. Arguments must be JSON values (ids, not objects).

    ``own_transactions``: the task commits its work as it goes (a long import that
    shows its progress) instead of running in the runner's transaction; it must then
    be resumable: a run lost half-way is run again and finishes the work.
    """
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be timezone-aware")
    path = task.module_path
    try:
        found = import_string(path)
    except ImportError:
        found = None
    if getattr(found, "func", None) is not task.func:
        raise ValueError(f"{path} is not a task at module level: it could not run later")
    now = timezone.now()
    with transaction.atomic():
        call = ScheduledCall.objects.select_for_update().filter(key=key).first()
        if call is None:
            call = ScheduledCall(key=key, created_at=now)
        elif not call.pending:
            return call
        call.task_path = path
        call.args = list(args)
        call.kwargs = dict(kwargs or {})
        call.due_at = due_at
        call.own_transactions = own_transactions
        call.save()
        # A run already queued for an earlier time finds the call not yet due and
        # does nothing: only the run enqueued here counts.
        _enqueue(call, now)
    return call


def cancel_call(key: str) -> bool:
    """Cancel a pending call (the deadline no longer applies); False if none was pending."""
    return bool(
        ScheduledCall.objects.filter(
            key=key, done_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now())
    )


def find_call(key: str) -> ScheduledCall | None:
    return ScheduledCall.objects.filter(key=key).first()


def late_calls(now: datetime | None = None) -> list[ScheduledCall]:
    """Pending calls past their due time and grace: a stopped worker, or failures."""
    now = now or timezone.now()
    return list(_pending().filter(due_at__lte=now - GRACE))


def _pending() -> Any:
    return ScheduledCall.objects.filter(done_at__isnull=True, cancelled_at__isnull=True)


def _enqueue(call: ScheduledCall, now: datetime) -> None:
    from vigie.jobs.tasks import run_scheduled_call

    runner = run_scheduled_call
    if call.due_at > now:
        if not runner.get_backend().supports_defer:
            # A backend that cannot hold a job until a time (the immediate one, some
            # brokers): nothing is queued now, the sweep enqueues it once due.
            return
        runner = runner.using(run_after=call.due_at)
    result = runner.enqueue(call.pk)
    call.task_id = str(result.id)
    call.enqueued_at = now
    call.save(update_fields=["task_id", "enqueued_at"])


def run_call(call_id: int) -> str:
    """Run a scheduled call if it is pending and due: its effects and its ``done_at``
    commit together, so a second run (a duplicate in the queue, a sweep that raced a
    slow worker) finds it done. Returns what happened, for the task result."""
    try:
        with transaction.atomic():
            call = ScheduledCall.objects.select_for_update().filter(pk=call_id).first()
            if call is None:
                return "unknown"
            if call.done_at is not None:
                return "already done"
            if call.cancelled_at is not None:
                return "cancelled"
            now = timezone.now()
            if call.due_at > now:
                return "not due yet"
            if not call.own_transactions:
                import_string(call.task_path).call(*call.args, **call.kwargs)
                ScheduledCall.objects.filter(pk=call.pk).update(
                    done_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
                )
                return "done"
        # A call that commits as it goes: run outside any transaction, then marked done.
        # Run twice (a duplicate, a sweep that took a slow run for lost), it resumes
        # where the work stands: the task guards itself (see ``schedule_call``).
        import_string(call.task_path).call(*call.args, **call.kwargs)
        ScheduledCall.objects.filter(pk=call.pk, done_at__isnull=True).update(
            done_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
        return "done"
    except Exception as error:
        # Only the kind of error: its message may quote personal data. The task result
        # keeps the traceback; the sweep retries with a growing delay.
        ScheduledCall.objects.filter(pk=call_id).update(
            attempts=F("attempts") + 1, last_error=type(error).__name__[:200]
        )
        raise


def _run_is_waiting(call: ScheduledCall, now: datetime) -> bool:
    """Whether the queue still holds a run of ``call`` that will happen by itself."""
    if not call.task_id:
        return False
    try:
        result = default_task_backend.get_result(call.task_id)
    except TaskResultDoesNotExist:
        return False
    if result.status == TaskResultStatus.READY:
        return True
    if result.status == TaskResultStatus.RUNNING:
        started = result.started_at or call.enqueued_at or now
        return now - started < STALE_RUN
    return False


def reconcile_scheduled_calls(now: datetime | None = None) -> list[str]:
    """Enqueue again every due call whose run was lost (no queued run, a failed run, a
    run whose worker died); return their keys. Safe to run anywhere, any number of
    times: a waiting run is left alone, and a duplicate run finds the call done."""
    now = now or timezone.now()
    requeued = []
    # Past the grace period, or due and never queued (a backend without run_after).
    due = _pending().filter(
        Q(due_at__lte=now - GRACE) | Q(due_at__lte=now, task_id=""), attempts__lt=MAX_ATTEMPTS
    )
    for call in due.order_by("due_at")[:SWEEP_BATCH]:
        # A failing call is retried after 2, 4, 8… minutes, not at every sweep.
        if call.attempts and call.enqueued_at and now < call.enqueued_at + GRACE * 2**call.attempts:
            continue
        if _run_is_waiting(call, now):
            continue
        with transaction.atomic():
            locked = ScheduledCall.objects.select_for_update().filter(pk=call.pk).first()
            # Another sweep (another worker) may have re-enqueued it meanwhile.
            if locked is None or not locked.pending or locked.task_id != call.task_id:
                continue
            _enqueue(locked, now)
        log.warning("scheduled call %s was due at %s and is enqueued again", call.key, call.due_at)
        requeued.append(call.key)
    return requeued
