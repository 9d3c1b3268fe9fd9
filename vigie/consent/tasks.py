"""Background jobs of the consent domain, run by ``vigie worker``."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_pending_requests_task() -> int:
    """Daily: mark unconfirmed double opt-in requests past their 7 days (R43)."""
    from vigie.consent.expiry import expire_pending_requests

    return expire_pending_requests()


@task()
def purge_finished_imports_task() -> int:
    """Daily: import jobs finished more than ``VIGIE_TASK_RESULT_RETENTION_DAYS`` ago go
    (their report; the file went when the job ended)."""
    from vigie.consent.import_jobs import purge_finished_imports

    return purge_finished_imports()


#: Enqueued once a day by `vigie worker` (see vigie.jobs.services).
DAILY_TASKS = (expire_pending_requests_task, purge_finished_imports_task)
