"""Background jobs of the mail domain, run by ``vigie worker``."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_message(message_id: str) -> str:
    """Deliver one outbox message; safe to run twice (see ``mail.delivery``)."""
    # Imported here: delivery enqueues this task for its retries.
    from vigie.mail.delivery import deliver

    return deliver(message_id)


@task()
def deliver_messages(message_ids: list[str]) -> dict[str, int]:
    """Deliver a chunk of a batch queued at once (``services.queue_messages``), one
    message after the other; each delivery is as safe to repeat as a single one."""
    from vigie.mail.delivery import deliver

    outcomes: dict[str, int] = {}
    for message_id in message_ids:
        outcome = deliver(message_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@task()
def sweep_outbox_task() -> dict[str, int]:
    """Reconcile messages a stopped worker left half-sent; re-enqueue lost retries."""
    from vigie.mail.delivery import sweep_outbox

    return sweep_outbox()


#: Enqueued once a day by `vigie worker` (see vigie.jobs.services).
DAILY_TASKS = (sweep_outbox_task,)
