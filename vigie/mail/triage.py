"""The triage queue of the privacy mailbox: messages no handler consumed, for a
person to sort (R46, R78).

Mail owns the messages; the rights domain lists them, opens them and turns them into
cases through these services (mail imports no domain: rights calls down here). Opening
a message shows personal data: it is journaled as a read (R29), like a person's page.
Sorting is recorded as an audit event naming the message, never its content.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.audit.services import record_event, record_read
from vigie.mail.actions import MailAction
from vigie.mail.inbound import open_bytes, open_text, sender_index
from vigie.mail.models import InboundAttachment, InboundMessage, InboundState

#: Longest note kept with a decision (a reason, a case number).
NOTE_MAX = 500


class TriageError(ValueError):
    """The message cannot take this step (already sorted, handled automatically…)."""


@dataclass(frozen=True)
class OpenedAttachment:
    id: uuid.UUID
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class OpenedMessage:
    id: uuid.UUID
    received_at: datetime
    sent_at: datetime | None
    sender: str
    subject: str
    text: str
    attachments: tuple[OpenedAttachment, ...]
    state: str


def triage_queue() -> QuerySet[InboundMessage]:
    """The messages waiting for a person, oldest first (nothing opened)."""
    return InboundMessage.objects.filter(state=InboundState.TRIAGE).order_by("received_at", "uid")


def messages_from(address: str) -> QuerySet[InboundMessage]:
    """Every message still holding its content that ``address`` sent (by the keyed index,
    nothing opened): for a person's access or erasure request (Art. 15, 17)."""
    if not address.strip():
        return InboundMessage.objects.none()
    return InboundMessage.objects.filter(
        sender_index=sender_index(address), content_dropped_at__isnull=True
    ).order_by("received_at", "uid")


def open_message(actor: Actor, message: InboundMessage, *, view: str = "") -> OpenedMessage:
    """The message's content, opened; journaled as one read by ``actor`` (R29)."""
    if message.content_dropped_at is not None:
        raise TriageError("this message's content was dropped once it was processed")
    pk = message.pk
    attachments = tuple(
        OpenedAttachment(
            a.pk,
            open_text(pk, f"attachment:{a.position}:name", a.name_sealed),
            a.content_type,
            a.size,
        )
        for a in message.attachments.order_by("position")
    )
    opened = OpenedMessage(
        id=pk,
        received_at=message.received_at,
        sent_at=message.sent_at,
        sender=open_text(pk, "sender", message.sender_sealed),
        subject=open_text(pk, "subject", message.subject_sealed),
        text=open_text(pk, "body", message.body_sealed),
        attachments=attachments,
        state=message.state,
    )
    record_read(actor, message, view=view or "mail.triage.open_message")
    return opened


def open_attachment(
    actor: Actor, attachment: InboundAttachment, *, view: str = ""
) -> tuple[str, str, bytes]:
    """(name, content type, content) of one attachment; journaled as a read."""
    pk = attachment.message_id
    name = open_text(pk, f"attachment:{attachment.position}:name", attachment.name_sealed)
    content = open_bytes(pk, f"attachment:{attachment.position}:content", attachment.content_sealed)
    record_read(
        actor,
        attachment.message,
        view=view or "mail.triage.open_attachment",
        extra={"attachment": str(attachment.pk)},
    )
    return name, attachment.content_type, content


def _note(text: str) -> str:
    note = " ".join((text or "").split())
    if not note:
        raise TriageError("a reason is required")
    return note[:NOTE_MAX]


def _locked(message: InboundMessage) -> InboundMessage:
    return InboundMessage.objects.select_for_update().get(pk=message.pk)


def mark_not_a_request(actor: Actor, message: InboundMessage, reason: str) -> InboundMessage:
    """Take a message out of the queue as not a request (spam, a reply to a newsletter,
    a misdirected e-mail), with the reason. Again on a message already marked so:
    nothing changes."""
    note = _note(reason)
    with transaction.atomic():
        row = _locked(message)
        if row.state == InboundState.NOT_A_REQUEST:
            return row
        if row.state != InboundState.TRIAGE:
            raise TriageError(f"a message {row.state} cannot be marked as not a request")
        row.state = InboundState.NOT_A_REQUEST
        row.decided_by, row.decided_at, row.decision_note = _who(actor), timezone.now(), note
        row.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        record_event(actor, MailAction.INBOUND_DISMISS, row)
    return row


def mark_triaged(actor: Actor, message: InboundMessage, label: str) -> InboundMessage:
    """The message became, or was attached to, what ``label`` names (a case number).
    A message marked as not a request may still be sorted so (a person changed their
    mind); a message already sorted may not be sorted again under another label."""
    note = _note(label)
    with transaction.atomic():
        row = _locked(message)
        if row.state == InboundState.TRIAGED:
            if row.decision_note == note:
                return row
            raise TriageError(f"already sorted as {row.decision_note}")
        if row.state not in (InboundState.TRIAGE, InboundState.NOT_A_REQUEST):
            raise TriageError(f"a message {row.state} cannot be sorted")
        previous = row.state
        row.state = InboundState.TRIAGED
        row.decided_by, row.decided_at, row.decision_note = _who(actor), timezone.now(), note
        row.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        record_event(actor, MailAction.INBOUND_TRIAGE, row, extra={"from": previous})
    return row


def _who(actor: Actor) -> str:
    return f"{actor.kind}:{actor.id}"[:200]
