"""Jobs: enqueued in the change's transaction, run by `vigie worker`, scheduled once a day."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.jobs.tasks import mark_done
from vigie.audit.models import Event
from vigie.jobs.models import DailyRun
from vigie.jobs.services import daily_tasks, enqueue_daily_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        mark_done.enqueue("lost")
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the change fails")
    assert DBTaskResult.objects.count() == 0


def test_the_worker_runs_a_committed_job() -> None:
    with transaction.atomic():
        result = mark_done.enqueue("kept")
    call_command("worker", "--batch")
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert Event.objects.filter(object_type="test.job", object_id="kept").count() == 1
    # A second run finds nothing to do: the job is not executed twice.
    call_command("worker", "--batch")
    assert Event.objects.filter(object_type="test.job", object_id="kept").count() == 1


def test_daily_jobs_are_enqueued_once_a_day_whatever_the_number_of_workers() -> None:
    first = enqueue_daily_jobs()
    second = enqueue_daily_jobs()
    # Each app declares its own (DAILY_TASKS in its tasks module), in INSTALLED_APPS order.
    assert first == [
        "vigie.accounts.tasks.clear_sign_in_traces_task",
        "vigie.accounts.tasks.purge_rate_counters_task",
        "vigie.audit.tasks.purge_read_events_task",
        "vigie.jobs.tasks.purge_finished_results_task",
        "vigie.people.tasks.send_art14_notices_task",
        "vigie.people.tasks.purge_stale_lookups_task",
        "vigie.consent.tasks.expire_pending_requests_task",
        "vigie.consent.tasks.purge_finished_imports_task",
        "vigie.rights.tasks.send_deadline_alerts_task",
        "vigie.rights.tasks.close_unverified_cases_task",
        "vigie.rights.tasks.delete_identity_documents_task",
        "vigie.rights.tasks.delete_expired_portability_exports_task",
    ]
    assert second == []
    assert DailyRun.objects.count() == 12
    assert DBTaskResult.objects.count() == 12
    call_command("worker", "--batch")
    statuses = set(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == {TaskResultStatus.SUCCESSFUL}


def test_the_schedule_is_what_the_apps_declare(monkeypatch) -> None:
    from vigie.audit import tasks as audit_tasks

    monkeypatch.setattr(audit_tasks, "DAILY_TASKS", (audit_tasks.purge_read_events_task, mark_done))
    assert "tests.jobs.tasks.mark_done" in [t.module_path for t in daily_tasks()]
    monkeypatch.setattr(audit_tasks, "DAILY_TASKS", ())
    assert "vigie.audit.tasks.purge_read_events_task" not in [t.module_path for t in daily_tasks()]


def test_a_daily_declaration_that_is_not_a_task_is_a_configuration_error(monkeypatch) -> None:
    from vigie.audit import tasks as audit_tasks

    monkeypatch.setattr(audit_tasks, "DAILY_TASKS", (audit_tasks.purge_read_events,))
    with pytest.raises(ImproperlyConfigured, match=r"vigie\.audit\.tasks\.DAILY_TASKS"):
        daily_tasks()
