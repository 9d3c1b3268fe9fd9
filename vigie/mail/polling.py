"""The worker reads the privacy mailbox every ``VIGIE_IMAP_POLL_SECONDS`` (R78).

A reading is a queued job (``poll_mailbox_task``) that, when it ends, well or not,
queues the next one ``VIGIE_IMAP_POLL_SECONDS`` later (``run_after``). The id of the
job waiting is kept on the mailbox's ``MailboxPoll`` row: only that job queues the
next, so a duplicate never starts a second chain. The queue alone is not trusted:
each worker's minute sweep (``keep_mailbox_polled``) queues a reading when none is
waiting or running (the job was lost, its worker was killed mid-poll, first start),
under a lock on that row so that two workers queue one. A reading that cannot reach
the server fails (its job says why, the log too) and the next one tries again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from vigie.mail import imap
from vigie.mail.delivery import dead_claimants
from vigie.mail.inbound import LEASE, poll_mailbox
from vigie.mail.models import MailboxPoll

log = logging.getLogger("vigie.mail.inbound")


def _interval() -> timedelta:
    return timedelta(seconds=settings.IMAP_POLL_SECONDS)


def run_poll_job(job_id: str) -> dict[str, object]:
    """The job: one reading, then the next one queued (unless inbound is disabled)."""
    try:
        report = poll_mailbox()
    except imap.InboundDisabled:
        return {"disabled": True}
    except imap.MailboxUnavailable as error:
        log.error(
            "privacy mailbox not read: %s; next try in %ss", error, settings.IMAP_POLL_SECONDS
        )
        _queue_next(job_id)
        raise
    except Exception:
        _queue_next(job_id)
        raise
    _queue_next(job_id)
    return report.as_dict()


def _queue_next(job_id: str) -> None:
    from vigie.mail.tasks import poll_mailbox_task

    identity = imap.config().identity
    now = timezone.now()
    due = now + _interval()
    with transaction.atomic():
        MailboxPoll.objects.get_or_create(mailbox=identity)
        state = MailboxPoll.objects.select_for_update().get(mailbox=identity)
        if state.task_id and state.task_id != job_id:
            # A duplicate run (the sweep took this one for lost): the chain is the other's.
            return
        state.next_poll_at = due
        state.task_id = ""
        if poll_mailbox_task.get_backend().supports_defer:
            state.task_id = str(poll_mailbox_task.using(run_after=due).enqueue().id)
        # Otherwise the minute sweep queues it once due.
        state.save(update_fields=["next_poll_at", "task_id"])


def _waiting_or_running(state: MailboxPoll, now: datetime) -> bool:
    from vigie.mail.tasks import poll_mailbox_task

    if not state.task_id:
        return False
    try:
        result = poll_mailbox_task.get_result(state.task_id)
    except (TaskResultDoesNotExist, ValueError):
        return False
    if result.status == TaskResultStatus.READY:
        return True
    if result.status != TaskResultStatus.RUNNING:
        return False
    # Running: unless its process is gone from this host, or it has not been heard of
    # for the lease (its worker was killed elsewhere).
    if state.polling_by and dead_claimants([state.polling_by]):
        return False
    started = result.started_at or result.enqueued_at
    heard = max(filter(None, [started, state.polling_since]))
    return heard > now - LEASE


def keep_mailbox_polled(now: datetime | None = None) -> str:
    """Queue a reading when none is waiting or running; what it did, for the log."""
    from vigie.mail.tasks import poll_mailbox_task

    if not imap.configured():
        return "disabled"
    now = now or timezone.now()
    identity = imap.config().identity
    with transaction.atomic():
        MailboxPoll.objects.get_or_create(mailbox=identity)
        state = MailboxPoll.objects.select_for_update().get(mailbox=identity)
        if _waiting_or_running(state, now):
            return "queued"
        due = state.next_poll_at or now
        task = poll_mailbox_task
        if due > now:
            if not task.get_backend().supports_defer:
                return "not due"
            task = task.using(run_after=due)
        state.task_id = str(task.enqueue().id)
        state.save(update_fields=["task_id"])
    return "enqueued"
