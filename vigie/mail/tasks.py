"""Background jobs of the mail domain, run by ``vigie worker``."""

from __future__ import annotations

import logging

from django_tasks import task
from django_tasks.base import TaskContext

log = logging.getLogger("vigie.mail")


@task()
def deliver_message(message_id: str) -> str:
    """Deliver one outbox message; safe to run twice (see ``mail.delivery``)."""
    # Imported here: delivery enqueues this task for its retries.
    from vigie.mail.delivery import deliver

    return deliver(message_id)


@task()
def deliver_messages(message_ids: list[str]) -> dict[str, int]:
    """Deliver a chunk of a batch queued at once (``services.queue_messages``), one
    message after the other; each delivery is as safe to repeat as a single one.

    One message's trouble is its own: ``deliver`` closes a message whose attempt
    raised, and an error even outside it (the database gone for a moment) is counted
    and the next message tried; a row it left ``sending`` is the sweep's.
    """
    from vigie.mail.delivery import deliver

    outcomes: dict[str, int] = {}
    for message_id in message_ids:
        try:
            outcome = deliver(message_id)
        except Exception as error:
            # The class only: the exception's text may quote personal data.
            log.error("mail %s: delivery raised %s", message_id, type(error).__name__)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@task()
def sweep_outbox_task() -> dict[str, int]:
    """Reconcile messages a stopped worker left half-sent; re-enqueue lost retries."""
    from vigie.mail.delivery import sweep_outbox

    return sweep_outbox()


@task(takes_context=True)
def poll_mailbox_task(context: TaskContext) -> dict[str, object]:
    """Read the privacy mailbox once, then queue the next reading (``mail.polling``)."""
    from vigie.mail.polling import run_poll_job

    return run_poll_job(str(context.task_result.id))


@task()
def keep_mailbox_polled_task() -> str:
    """Queue a reading of the privacy mailbox when none is waiting (a lost job, a
    worker killed mid-poll, the first start)."""
    from vigie.mail.polling import keep_mailbox_polled

    return keep_mailbox_polled()


#: Run every minute by each `vigie worker` (see vigie.jobs.services): a notice must not
#: wait a day for a stopped worker's row or a lost job, nor the mailbox a lost reading.
EVERY_MINUTE = (sweep_outbox_task, keep_mailbox_polled_task)
