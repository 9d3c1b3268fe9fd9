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
    #: The privacy mailbox (``mail.inbound``, ``mail.triage``).
    INBOUND_STORE = "mail:inbound:store"
    INBOUND_HANDLE = "mail:inbound:handle"
    INBOUND_QUEUE = "mail:inbound:queue"
    INBOUND_DISMISS = "mail:inbound:dismiss"
    INBOUND_TRIAGE = "mail:inbound:triage"


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
        MailAction.INBOUND_STORE: _("stored an e-mail received in the privacy mailbox"),
        MailAction.INBOUND_HANDLE: _(
            "processed automatically an e-mail received in the privacy mailbox"
        ),
        MailAction.INBOUND_QUEUE: _("put a received e-mail in the queue to sort"),
        MailAction.INBOUND_DISMISS: _("marked a received e-mail as not a request"),
        MailAction.INBOUND_TRIAGE: _("sorted a received e-mail"),
    }
