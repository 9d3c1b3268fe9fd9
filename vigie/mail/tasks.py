"""Background jobs of the mail domain, run by ``vigie worker``."""

from __future__ import annotations

import logging

from django_tasks import task

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


#: Run every minute by each `vigie worker` (see vigie.jobs.services): a notice must not
#: wait a day for a stopped worker's row or a lost job.
EVERY_MINUTE = (sweep_outbox_task,)
