"""Calls due at a precise time: run_after, the reconciliation sweep, never twice."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.jobs.tasks import deadline_fails, deadline_reached, plain_function
from vigie.audit.models import Event
from vigie.jobs.models import ScheduledCall
from vigie.jobs.services import (
    MAX_ATTEMPTS,
    cancel_call,
    late_calls,
    reconcile_scheduled_calls,
    run_call,
    schedule_call,
)
from vigie.jobs.tasks import run_scheduled_call

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)
DUE = T0 + dt.timedelta(hours=72)


def _runs(label: str = "b1") -> int:
    return Event.objects.filter(object_type="test.deadline", object_id=label).count()


def _schedule(label: str = "b1", due: dt.datetime = DUE) -> ScheduledCall:
    with transaction.atomic():
        return schedule_call(deadline_reached, due, key=f"test:{label}", args=[label])


def _worker() -> None:
    call_command("worker", "--batch")


def test_the_queue_holds_the_call_until_its_due_time() -> None:
    with time_machine.travel(T0, tick=False):
        call = _schedule()
    stored = DBTaskResult.objects.get(id=call.task_id)
    # django-tasks-db keeps run_after: no worker takes the job before it.
    assert stored.run_after == DUE
    assert stored.task_path == "vigie.jobs.tasks.run_scheduled_call"
    with time_machine.travel(DUE - dt.timedelta(minutes=1), tick=False):
        _worker()
    assert _runs() == 0
    assert DBTaskResult.objects.get(id=call.task_id).status == TaskResultStatus.READY


def test_the_call_runs_at_its_due_time_and_only_once() -> None:
    with time_machine.travel(T0, tick=False):
        call = _schedule()
    with time_machine.travel(DUE + dt.timedelta(seconds=5), tick=False):
        _worker()
        _worker()
    assert _runs() == 1
    call.refresh_from_db()
    assert call.done_at == DUE + dt.timedelta(seconds=5)
    assert call.attempts == 1


def test_a_call_scheduled_in_a_rolled_back_transaction_never_exists() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        schedule_call(deadline_reached, DUE, key="test:lost", args=["lost"])
        raise RuntimeError("the change fails")
    assert ScheduledCall.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_run_lost_from_the_queue_is_enqueued_again_by_the_sweep() -> None:
    with time_machine.travel(T0, tick=False):
        call = _schedule()
    # The queue lost the job (purged, backend swapped, restored from a backup).
    DBTaskResult.objects.all().delete()
    with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
        # Within the grace period the sweep leaves it alone.
        assert reconcile_scheduled_calls() == []
    with time_machine.travel(DUE + dt.timedelta(minutes=10), tick=False):
        assert late_calls() == [call]
        _worker()
        assert reconcile_scheduled_calls() == []
        _worker()
    assert _runs() == 1
    assert late_calls(DUE + dt.timedelta(days=1)) == []


def test_a_run_whose_worker_died_is_enqueued_again_after_a_while() -> None:
    with time_machine.travel(T0, tick=False):
        call = _schedule()
    # The worker took the job and died: the queue says "running" for ever.
    DBTaskResult.objects.filter(id=call.task_id).update(
        status=TaskResultStatus.RUNNING, started_at=DUE
    )
    with time_machine.travel(DUE + dt.timedelta(minutes=30), tick=False):
        assert reconcile_scheduled_calls() == []
    with time_machine.travel(DUE + dt.timedelta(hours=2), tick=False):
        assert reconcile_scheduled_calls() == ["test:b1"]
        _worker()
    assert _runs() == 1


def test_a_worker_down_at_the_due_time_runs_the_call_when_it_comes_back() -> None:
    with time_machine.travel(T0, tick=False):
        _schedule()
    with time_machine.travel(DUE + dt.timedelta(hours=5), tick=False):
        # The queued run is still there: nothing to re-enqueue, the worker takes it.
        assert reconcile_scheduled_calls() == []
        _worker()
    assert _runs() == 1


def test_a_duplicate_run_in_the_queue_does_nothing() -> None:
    with time_machine.travel(T0, tick=False):
        call = _schedule()
    with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
        run_scheduled_call.enqueue(call.pk)
        run_scheduled_call.enqueue(call.pk)
        _worker()
        assert run_call(call.pk) == "already done"
    assert _runs() == 1
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


def test_scheduling_the_same_key_again_moves_the_call() -> None:
    later = DUE + dt.timedelta(hours=24)
    with time_machine.travel(T0, tick=False):
        first = _schedule()
        moved = _schedule(due=later)
    assert moved.pk == first.pk
    assert ScheduledCall.objects.count() == 1
    with time_machine.travel(DUE + dt.timedelta(minutes=5), tick=False):
        # The run queued for the old time finds the call not due yet.
        _worker()
        assert reconcile_scheduled_calls() == []
    assert _runs() == 0
    with time_machine.travel(later + dt.timedelta(seconds=1), tick=False):
        _worker()
    assert _runs() == 1


def test_a_done_call_is_not_scheduled_again() -> None:
    with time_machine.travel(T0, tick=False):
        _schedule()
    with time_machine.travel(DUE, tick=False):
        _worker()
        again = _schedule(due=DUE + dt.timedelta(hours=1))
    assert again.done_at is not None
    with time_machine.travel(DUE + dt.timedelta(hours=2), tick=False):
        _worker()
    assert _runs() == 1


def test_a_cancelled_call_never_runs() -> None:
    with time_machine.travel(T0, tick=False):
        _schedule()
        assert cancel_call("test:b1")
        assert not cancel_call("test:b1")
    with time_machine.travel(DUE + dt.timedelta(hours=1), tick=False):
        _worker()
        assert reconcile_scheduled_calls() == []
    assert _runs() == 0


def test_a_failing_call_leaves_no_effect_and_is_retried_a_bounded_number_of_times() -> None:
    with time_machine.travel(T0, tick=False), transaction.atomic():
        call = schedule_call(deadline_fails, DUE, key="test:fails", args=["fails"])
    when = DUE
    for _ in range(12):
        with time_machine.travel(when, tick=False):
            reconcile_scheduled_calls()
            _worker()
        when += dt.timedelta(hours=1)
    call.refresh_from_db()
    assert call.attempts == MAX_ATTEMPTS
    assert call.last_error == "RuntimeError"
    assert call.done_at is None
    # Each failed run rolled back its own writes.
    assert _runs("fails") == 0
    assert late_calls(when) == [call]


def test_a_task_that_cannot_be_found_again_later_is_refused() -> None:
    # A task object whose function is not the task of that name at module level.
    stray = dataclasses.replace(deadline_reached, func=plain_function)
    with pytest.raises(ValueError, match="not a task at module level"):
        schedule_call(stray, DUE, key="test:stray", args=["stray"])
    assert ScheduledCall.objects.count() == 0


def test_a_task_with_other_queue_options_can_be_scheduled() -> None:
    with time_machine.travel(T0, tick=False):
        call = schedule_call(
            deadline_reached.using(priority=5), DUE, key="test:options", args=["options"]
        )
    with time_machine.travel(DUE, tick=False):
        _worker()
    call.refresh_from_db()
    assert call.done_at is not None and _runs("options") == 1


def test_a_naive_due_time_is_refused() -> None:
    with pytest.raises(ValueError):
        schedule_call(deadline_reached, dt.datetime(2026, 3, 5, 9, 15), key="test:naive")


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
)
def test_a_backend_without_run_after_gets_the_call_from_the_sweep_once_due() -> None:
    with time_machine.travel(T0, tick=False):
        call = _schedule()
        assert call.task_id == ""
        assert reconcile_scheduled_calls() == []
    assert _runs() == 0
    with time_machine.travel(DUE + dt.timedelta(seconds=30), tick=False):
        # The immediate backend runs the call as the sweep enqueues it.
        assert reconcile_scheduled_calls() == ["test:b1"]
        assert reconcile_scheduled_calls() == []
    assert _runs() == 1
    call.refresh_from_db()
    assert call.done_at == DUE + dt.timedelta(seconds=30)
