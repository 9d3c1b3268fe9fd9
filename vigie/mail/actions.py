"""Audit event names of the mail domain (``domain:object:verb``, as in ``audit.actions``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class MailAction(StrEnum):
    QUEUE = "mail:message:queue"
    #: Many messages queued at once: one event with counts, never the addresses.
    QUEUE_BATCH = "mail:batch:queue"
    SENT = "mail:message:sent"
    RETRY = "mail:message:retry"
    FAILED = "mail:message:failed"
    REFUSED = "mail:message:refused"
    REQUEUE = "mail:message:requeue"


def sentences() -> dict[str, Any]:
    """Every mail action name as a sentence, for the audit log page."""
    return {
        MailAction.QUEUE: _("queued an e-mail"),
        MailAction.QUEUE_BATCH: _("queued a batch of e-mails"),
        MailAction.SENT: _("sent an e-mail"),
        MailAction.RETRY: _("will retry an e-mail that could not be sent"),
        MailAction.FAILED: _("gave up sending an e-mail"),
        MailAction.REFUSED: _("refused to send an e-mail"),
        MailAction.REQUEUE: _("queued a failed e-mail again"),
    }
