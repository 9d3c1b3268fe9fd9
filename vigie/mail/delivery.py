"""Deliver one outbox message, at most once, with retries and back-off.

How a message is never sent twice, even when a worker dies at the worst moment:

1. The Message-ID is generated with the outbox row, so it is stored before any
   SMTP traffic and names the message in the mail server's logs.
2. A worker *claims* the row with one conditional UPDATE (``queued`` → ``sending``,
   ``attempts + 1``, ``claimed_at``), committed on its own: two workers running the
   same task cannot both win, and a second run of a finished task finds nothing.
3. Just before the content goes out (after RCPT, before DATA) it commits
   ``transfer_started_at``. Until then the server cannot have accepted the message
   (acceptance is the reply to the end of DATA, RFC 5321 §4.1.1.4).
4. On the server's reply it commits ``sent`` with the audit event.

A row found ``sending`` after ``MAIL_SENDING_TIMEOUT_SECONDS`` belonged to a worker
that stopped; so does one whose claiming process (``claimed_by``, host and pid) no
longer exists on this host, found at once by the next sweep (when a worker starts, then
every minute) rather than after the timeout. Without ``transfer_started_at`` it is
safely queued again. With it, the message may or may not have been accepted: rather
than risk a second copy, the row becomes ``failed`` with a reason asking for a check of
the server's log for its Message-ID (``services.requeue_message`` then sends it again
if it never left). That window is one network round trip long.

Each state change is conditional on the claim (status and ``claimed_at``), so a
worker that lost its claim to such a takeover stops before sending.

An unexpected error while a message is being prepared or sent (a bug, a sealed field
that does not open) closes that message as ``failed`` at once, with the kind of error
as its reason, so it neither stays ``sending`` nor holds back the rest of a batch; if
the transfer had started, it is closed as uncertain like a stopped worker's.

``sweep_outbox`` runs every minute in each worker (``EVERY_MINUTE`` in
``mail.tasks``): it reconciles rows left ``sending`` and re-enqueues overdue rows whose
job was lost. It only changes states and enqueues jobs, each change conditional, so
any number of workers may run it at the same time.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.lib.controller import current_controller
from vigie.mail import addressing, smtp
from vigie.mail.actions import MailAction
from vigie.mail.compose import DkimKeyUnavailable, NoSender, compose, senders, unsubscribe_link
from vigie.mail.models import UNCERTAIN_MARK, Message, Status
from vigie.mail.rendering import (
    RIGHTS_LETTERS,
    RenderError,
    marketing_problems,
    policy_url,
    render,
)
from vigie.mail.tasks import deliver_message

log = logging.getLogger("vigie.mail")

#: The reason of a message closed after an unexpected error (its class name only: an
#: exception's text may quote personal data).
UNEXPECTED = "UNEXPECTED_ERROR: {} while preparing the message; nothing was sent"

UNCERTAIN = (
    UNCERTAIN_MARK + ": the worker stopped after handing the message to the SMTP server "
    "and before recording its reply; it may have been delivered. Look for Message-ID {} "
    "in the mail server's log before sending it again."
)


class _ClaimLost(Exception):
    """Another worker took the row over (our claim timed out): stop, send nothing."""


def _system() -> Actor:
    return Actor.system("mail delivery")


def _sending_timeout() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "MAIL_SENDING_TIMEOUT_SECONDS", 900)))


def worker_identity() -> str:
    """This process, as a claim names it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def dead_claimants(claimants: Iterable[str]) -> set[str]:
    """The claimants among ``claimants`` that are processes of this host no longer running.

    Only this host's processes can be looked at; a claim by another host, or by a
    process that still exists (or whose pid was reused), waits for the sending timeout.
    That errs on the safe side: a live worker's claim is never taken over early.
    """
    host, dead = socket.gethostname(), set()
    for claimant in set(claimants):
        name, _sep, pid = claimant.rpartition(":")
        if name != host or not pid.isdigit() or int(pid) in (0, os.getpid()):
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.add(claimant)
        except PermissionError:
            continue  # alive, under another account
    return dead


def backoff(attempts: int) -> timedelta:
    """Exponential: base, 2×base, 4×base… after the 1st, 2nd, 3rd failure, capped."""
    base = int(getattr(settings, "MAIL_RETRY_BASE_SECONDS", 60))
    cap = int(getattr(settings, "MAIL_RETRY_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def deliver(message_id: uuid.UUID | str) -> str:
    """Try to deliver one message now; return what became of it.

    Call it outside any transaction: each step must be committed before the next
    (the task worker does so).
    """
    now = timezone.now()
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "missing"
    if message.status == Status.SENDING:
        return _reconcile(message, now)
    if message.status != Status.QUEUED:
        # Already sent, failed or refused: a repeated task is a no-op.
        return str(message.status)
    if message.next_attempt_at > now:
        return "not due"
    with transaction.atomic():
        won = Message.objects.filter(
            pk=message.pk, status=Status.QUEUED, attempts=message.attempts
        ).update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=now,
            claimed_by=worker_identity(),
            transfer_started_at=None,
        )
    if not won:
        return "claimed elsewhere"
    message.refresh_from_db()
    try:
        return _attempt(message)
    except _ClaimLost:
        return "claimed elsewhere"
    except Exception as error:  # anything unforeseen: close this message, keep going
        return _abandon(message, error)


def _abandon(message: Message, error: Exception) -> str:
    """Close a message whose attempt raised unexpectedly, never to send it twice: if
    the content had started to go, it may have been accepted (uncertain)."""
    kind = type(error).__name__
    # The stack without the exception's text, which may quote an address or a name.
    where = "".join(traceback.format_tb(error.__traceback__))
    log.error("mail %s: delivery raised %s; closing it as failed\n%s", message.pk, kind, where)
    if message.transfer_started_at is not None:
        reason = f"{kind}; " + UNCERTAIN.format(message.message_id)
    else:
        reason = UNEXPECTED.format(kind)
    try:
        return _close(message, Status.FAILED, reason)
    except _ClaimLost:
        return "claimed elsewhere"


def _attempt(message: Message) -> str:
    try:
        # The address is opened now, by the domain that holds it (R30).
        address = addressing.resolve(message.to)
    except addressing.Unreachable as error:
        return _close(message, Status.REFUSED, error.reason)
    controller = current_controller()
    try:
        sender = senders(
            controller,
            marketing=message.is_marketing,
            rights_letter=message.template in RIGHTS_LETTERS,
        )
    except NoSender as error:
        # Failed, not refused: once a register is loaded, the message may be requeued.
        return _close(message, Status.FAILED, str(error))
    unsubscribe = None
    if message.is_marketing and message.person_id is not None:
        # R35, R36, R41, R42: the audience rules again, at the moment of sending.
        allowed, reason = addressing.marketing_allowed(message.person_id, message.purpose)
        if not allowed:
            return _close(message, Status.REFUSED, reason or "NOT_ALLOWED")
        unsubscribe = unsubscribe_link(message.person_id, message.purpose)
    try:
        rendered = render(
            message.template,
            message.language,
            kind=message.kind,
            first_name=address.first_name,
            last_name=address.last_name,
            recipient_name=address.name,
            refs=message.context,
            unsubscribe_url=unsubscribe[0] if unsubscribe else "",
            controller=controller,
        )
    except RenderError as error:
        return _close(message, Status.FAILED, f"RENDER: {error}")
    if unsubscribe is not None:
        problems = marketing_problems(
            rendered,
            unsubscribe_url=unsubscribe[0],
            policy_url=policy_url(message.language),
            language=message.language,
            controller=controller,
        )
        if problems:
            # R37: the engine refuses to send, whatever was validated at queue time.
            return _close(message, Status.REFUSED, "TEMPLATE_REFUSED: " + "; ".join(problems))
    try:
        raw = compose(
            to=address.email,
            message_id=message.message_id,
            rendered=rendered,
            sender=sender,
            unsubscribe=unsubscribe,
        )
    except DkimKeyUnavailable as error:
        return _retry_or_fail(message, str(error))
    try:
        smtp.send(raw, sender.envelope, address.email, lambda: _start_transfer(message))
    except smtp.Unavailable as error:
        return _retry_or_fail(message, str(error))
    except smtp.Rejected as error:
        if error.permanent:
            return _close(message, Status.FAILED, str(error))
        return _retry_or_fail(message, str(error))
    except smtp.Interrupted as error:
        return _close(message, Status.FAILED, f"{error}; " + UNCERTAIN.format(message.message_id))
    return _record_sent(message)


def _claimed(message: Message) -> QuerySet[Message]:
    """The row, only while it is still this worker's claim."""
    return Message.objects.filter(
        pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at
    )


def _start_transfer(message: Message) -> None:
    now = timezone.now()
    with transaction.atomic():
        if not _claimed(message).update(transfer_started_at=now):
            raise _ClaimLost
    message.transfer_started_at = now


def _tell(message: Message, status: Status, at: datetime, reason: str = "") -> None:
    addressing.tell_outcome(
        addressing.Outcome(message.pk, message.to, message.template, str(status), at, reason)
    )


def _record_sent(message: Message) -> str:
    now = timezone.now()
    with transaction.atomic():
        # The server said yes: that is the truth even if our claim was taken over
        # meanwhile (the takeover can only have marked the row failed/uncertain).
        Message.objects.filter(pk=message.pk).update(status=Status.SENT, sent_at=now, last_error="")
        record_event(_system(), MailAction.SENT, message, extra=_refs(message))
        # The owning domain learns of the delivery in the same transaction (R9).
        _tell(message, Status.SENT, now)
    return Status.SENT


def _close(message: Message, status: Status, reason: str) -> str:
    reason = smtp.redact(reason, keep=message.message_id)
    action = MailAction.REFUSED if status == Status.REFUSED else MailAction.FAILED
    with transaction.atomic():
        if not _claimed(message).update(status=status, last_error=reason):
            raise _ClaimLost
        record_event(_system(), action, message, extra={**_refs(message), "reason": reason})
        _tell(message, status, timezone.now(), reason)
    log.info("mail %s %s: %s", message.pk, status, reason)
    return str(status)


def _retry_or_fail(message: Message, error: str) -> str:
    maximum = int(getattr(settings, "MAIL_MAX_ATTEMPTS", 8))
    if message.attempts >= maximum:
        return _close(message, Status.FAILED, f"gave up after {message.attempts} attempts: {error}")
    error = smtp.redact(error)
    next_at = timezone.now() + backoff(message.attempts)
    with transaction.atomic():
        if not _claimed(message).update(
            status=Status.QUEUED,
            next_attempt_at=next_at,
            last_error=error,
            claimed_at=None,
            claimed_by="",
            transfer_started_at=None,
        ):
            raise _ClaimLost
        record_event(
            _system(),
            MailAction.RETRY,
            message,
            extra={**_refs(message), "reason": error, "next_attempt_at": next_at.isoformat()},
        )
        deliver_message.using(run_after=next_at).enqueue(str(message.pk))
    return "retry"


def _reconcile(message: Message, now: datetime, *, send_now: bool = True) -> str:
    recent = message.claimed_at and message.claimed_at > now - _sending_timeout()
    if recent and not dead_claimants([message.claimed_by]):
        return "in progress"
    if message.transfer_started_at is None:
        # The worker stopped before the content went out: nothing can have been
        # accepted, so the message goes back to the queue and is tried at once
        # (here, or by a job when the sweep found it: the sweep sends nothing itself).
        with transaction.atomic():
            requeued = (
                _claimed(message)
                .filter(transfer_started_at__isnull=True)
                .update(status=Status.QUEUED, next_attempt_at=now, claimed_at=None, claimed_by="")
            )
            if requeued and not send_now:
                deliver_message.enqueue(str(message.pk))
        if not requeued:
            return "claimed elsewhere"
        return deliver(message.pk) if send_now else "requeued"
    try:
        return _close(message, Status.FAILED, UNCERTAIN.format(message.message_id))
    except _ClaimLost:
        return "claimed elsewhere"


def sweep_outbox(*, batch_size: int = 500) -> dict[str, int]:
    """Reconcile rows left ``sending`` by a stopped worker; re-enqueue overdue rows
    whose task was lost. Sends nothing itself (it runs every minute in each worker's
    scheduler): the rows it puts back are sent by jobs. Bounded per run; safe to run
    any number of times, by several workers at once."""
    now = timezone.now()
    cutoff = now - _sending_timeout()
    sending = Message.objects.filter(status=Status.SENDING)
    # Claims of this host's workers that were killed: at once, not after the timeout.
    claimants = sending.exclude(claimed_by="").values_list("claimed_by", flat=True).distinct()
    dead = dead_claimants(claimants[:batch_size])
    stale = sending.filter(Q(claimed_at__lt=cutoff) | Q(claimed_by__in=dead))[:batch_size]
    reconciled = 0
    for message in stale:
        try:
            outcome = _reconcile(message, now, send_now=False)
        except _ClaimLost:
            continue
        reconciled += outcome != "claimed elsewhere"
    overdue = list(
        Message.objects.filter(status=Status.QUEUED, next_attempt_at__lt=cutoff).values_list(
            "pk", "next_attempt_at"
        )[:batch_size]
    )
    requeued = 0
    with transaction.atomic():
        for pk, due in overdue:
            # Moving the due time is the claim on the re-enqueue: one worker wins, and a
            # row whose job is merely late (a long backlog) is enqueued again at most
            # once per sending timeout, not every minute.
            if Message.objects.filter(pk=pk, status=Status.QUEUED, next_attempt_at=due).update(
                next_attempt_at=now
            ):
                deliver_message.enqueue(str(pk))
                requeued += 1
    return {"reconciled": reconciled, "requeued": requeued}


def _refs(message: Message) -> dict[str, Any]:
    to = message.to
    return {
        to.kind: to.ref,
        "template": message.template,
        "kind": message.kind,
        "purpose": message.purpose,
        "attempt": message.attempts,
        "message_id": message.message_id,
    }
