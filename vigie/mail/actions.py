"""Audit event names of the mail domain (``domain:object:verb``, as in ``audit.actions``)."""

from __future__ import annotations

from enum import StrEnum


class MailAction(StrEnum):
    QUEUE = "mail:message:queue"
    #: Many messages queued at once: one event with counts, never the addresses.
    QUEUE_BATCH = "mail:batch:queue"
    SENT = "mail:message:sent"
    RETRY = "mail:message:retry"
    FAILED = "mail:message:failed"
    REFUSED = "mail:message:refused"
    REQUEUE = "mail:message:requeue"
