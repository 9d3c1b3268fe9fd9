"""The rights domain's daily jobs (enqueued once a day by ``vigie worker``, see
``vigie.jobs.services``); each is safe to run twice (``rights.jobs``)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_deadline_alerts_task() -> int:
    """Daily: the D-7, D-2 and overdue alerts of the day (R47)."""
    from vigie.rights.jobs import send_deadline_alerts

    return send_deadline_alerts()


@task()
def close_unverified_cases_task() -> int:
    """Daily: cases whose identity challenge went unanswered are closed (R48)."""
    from vigie.rights.jobs import close_unverified_cases

    return close_unverified_cases()


@task()
def delete_identity_documents_task() -> int:
    """Daily: identity documents 7 days after verification or closure lose their file (R48)."""
    from vigie.rights.identity import delete_due_documents

    return delete_due_documents()


@task()
def delete_expired_portability_exports_task() -> int:
    """Daily: the files of portability exports past their expiry are deleted (R58)."""
    from vigie.rights.portability import delete_expired

    return delete_expired()


#: Enqueued once a day by `vigie worker` (see vigie.jobs.services).
DAILY_TASKS = (
    send_deadline_alerts_task,
    close_unverified_cases_task,
    delete_identity_documents_task,
    delete_expired_portability_exports_task,
)
