"""Finished job results (django-tasks-db rows: arguments, return value, traceback) are
kept VIGIE_TASK_RESULT_RETENTION_DAYS, then deleted by a daily job; waiting and running
jobs are never touched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.jobs.tasks import mark_done
from vigie.jobs.models import ScheduledCall
from vigie.jobs.services import daily_tasks
from vigie.jobs.tasks import (
    purge_finished_calls,
    purge_finished_results,
    purge_finished_results_task,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _job(label: str, status: str, finished_days_ago: float | None) -> None:
    result = mark_done.enqueue(label)
    finished = None if finished_days_ago is None else NOW - dt.timedelta(days=finished_days_ago)
    DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=finished)


def _left() -> set[str]:
    return {r.args_kwargs["args"][0] for r in DBTaskResult.objects.all()}


def test_finished_results_older_than_the_retention_are_deleted() -> None:
    _job("done-8-days-ago", TaskResultStatus.SUCCESSFUL, 8)
    _job("failed-8-days-ago", TaskResultStatus.FAILED, 8)
    _job("done-6-days-ago", TaskResultStatus.SUCCESSFUL, 6)
    _job("waiting", TaskResultStatus.READY, None)
    _job("running", TaskResultStatus.RUNNING, None)
    assert purge_finished_results(NOW) == 2
    assert _left() == {"done-6-days-ago", "waiting", "running"}
    # Safe to run twice.
    assert purge_finished_results(NOW) == 0


def test_the_retention_is_a_setting(settings) -> None:
    settings.TASK_RESULT_RETENTION_DAYS = 30
    _job("done-8-days-ago", TaskResultStatus.SUCCESSFUL, 8)
    _job("done-31-days-ago", TaskResultStatus.SUCCESSFUL, 31)
    assert purge_finished_results(NOW) == 1
    assert _left() == {"done-8-days-ago"}


def test_the_purge_is_a_daily_job() -> None:
    assert purge_finished_results_task in daily_tasks()
    _job("done-8-days-ago", TaskResultStatus.SUCCESSFUL, 8)
    assert purge_finished_results_task.call() == 1


def test_a_failed_job_s_traceback_is_kept_without_the_address_it_quotes() -> None:
    """A traceback may quote a value (PostgreSQL: « Key (email)=(x@y) already exists »);
    the row keeps it a week for whoever looks into the failure, so it is stored redacted,
    like every log line: no address in clear at rest."""
    result = mark_done.enqueue("failing")
    row = DBTaskResult.objects.get(pk=result.id)
    try:
        raise RuntimeError("Key (email)=(laetitia.techer@laposte.net) already exists.")
    except RuntimeError as error:
        row.set_failed(error)
    stored = DBTaskResult.objects.get(pk=result.id).traceback
    assert "RuntimeError" in stored and "already exists" in stored
    assert "laetitia.techer" not in stored and "laposte.net" not in stored


def _call(
    key: str, *, done_days_ago: float | None = None, cancelled_days_ago: float | None = None
) -> None:
    def ago(days: float | None) -> dt.datetime | None:
        return None if days is None else NOW - dt.timedelta(days=days)

    ScheduledCall.objects.create(
        key=key,
        task_path="tests.jobs.tasks.mark_done",
        due_at=NOW - dt.timedelta(days=10),
        created_at=NOW - dt.timedelta(days=10),
        done_at=ago(done_days_ago),
        cancelled_at=ago(cancelled_days_ago),
    )


def test_finished_scheduled_calls_older_than_the_retention_are_deleted_daily() -> None:
    _call("done-8-days-ago", done_days_ago=8)
    _call("cancelled-8-days-ago", cancelled_days_ago=8)
    _call("done-6-days-ago", done_days_ago=6)
    _call("pending-and-late")
    assert purge_finished_results_task.call() == 2
    assert set(ScheduledCall.objects.values_list("key", flat=True)) == {
        "done-6-days-ago",
        "pending-and-late",
    }
    assert purge_finished_calls(NOW) == 0


def test_a_newsletter_sign_up_leaves_no_call_row_past_the_retention(settings) -> None:
    settings.TASK_RESULT_RETENTION_DAYS = 2
    _call("newsletter-signup:1", done_days_ago=3)
    assert purge_finished_calls(NOW) == 1
    assert not ScheduledCall.objects.exists()
