"""Queue e-mail to a person, an organisation or a register recipient, and decide
whether marketing may reach them.

The outbox stores the recipient, the template and references, never an address or
a name (R30): those are opened when the message is sent. Service messages (R44, R76)
go whatever the person's marketing choices; a marketing message goes only to a
person and is checked against the audience rules (the consent domain's gate, see
``mail.addressing``) when queued and again when sent (R35, R36, R41, R42), and its
template must carry what R37 requires.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event
from vigie.mail.actions import MailAction
from vigie.mail.addressing import (
    ORGANISATION,
    PERSON,
    REQUESTER,
    STAFF,
    To,
    marketing_verdicts,
)
from vigie.mail.compose import message_id_domain, new_message_id
from vigie.mail.models import Kind, Message, Purpose, Status
from vigie.mail.rendering import (
    CATALOGUE,
    LANGUAGES,
    validate_marketing_template,
    validate_service_template,
)
from vigie.mail.tasks import deliver_message, deliver_messages

# Keys that would carry personal data into the outbox; names are looked up at render.
_PERSONAL_KEYS = frozenset({"email", "address", "first_name", "last_name", "name", "phone"})
#: Messages per delivery task of a batch: one job row per chunk, not per message.
DELIVERY_CHUNK = 100


class InvalidMessage(ValueError):
    """The message cannot be queued as asked; the text says why."""


def _check_refs(value: Any, path: str = "context") -> None:
    """The context holds ids and references only: an address or a name slipped in
    here would sit in the outbox in clear."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.lower() in _PERSONAL_KEYS:
                raise InvalidMessage(f"{path}: {key!r} would store personal data")
            _check_refs(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_refs(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if "@" in value:
            raise InvalidMessage(f"{path}: looks like an e-mail address")
    elif value is not None and not isinstance(value, (bool, int)):
        raise InvalidMessage(f"{path}: only strings, whole numbers, booleans and lists")


def _check_request(
    template: str, *, kind: str, purpose: str | None, context: dict[str, Any] | None, language: str
) -> dict[str, Any]:
    """Everything that does not depend on the recipient; returns the stored context."""
    if kind not in Kind.values:
        raise InvalidMessage(f"unknown kind {kind!r}")
    if kind == Kind.MARKETING and purpose not in Purpose.values:
        raise InvalidMessage("a marketing message needs a purpose: " + ", ".join(Purpose.values))
    if kind == Kind.SERVICE and purpose:
        raise InvalidMessage("a service message has no marketing purpose")
    if language not in LANGUAGES:
        raise InvalidMessage(f"unsupported language {language!r}")
    declared = CATALOGUE.get(template)
    if declared is not None and declared != kind:
        raise InvalidMessage(f"{template!r} is a {declared} template")
    refs = dict(context or {})
    _check_refs(refs)
    # Raises TemplateRefused: R37 for marketing, R44 (no promotion) for service mail.
    if kind == Kind.MARKETING:
        validate_marketing_template(template, (language,))
    else:
        validate_service_template(template, (language,))
    return refs


def _recipient_fields(to: To, kind: str) -> dict[str, Any]:
    if kind == Kind.MARKETING and to.kind != PERSON:
        # Consent, objection and unsubscribes are a person's (R34, R41).
        raise InvalidMessage("marketing goes only to a person")
    if to.kind == PERSON:
        return {"person_id": uuid.UUID(to.ref)}
    if to.kind == ORGANISATION:
        return {"organisation_id": int(to.ref)}
    if to.kind == STAFF:
        return {"staff_id": int(to.ref)}
    if to.kind == REQUESTER:
        if not to.ref:
            raise InvalidMessage("a requester is named by their case's id")
        return {"requester_case": to.ref}
    if not to.ref:
        raise InvalidMessage("a register recipient is named by its key")
    return {"recipient_key": to.ref}


def _new_message(
    to: To,
    template: str,
    *,
    kind: str,
    purpose: str | None,
    refs: dict[str, Any],
    language: str,
    verdict: tuple[bool, str] | None,
    domain: str,
) -> Message:
    status, reason = Status.QUEUED, ""
    if verdict is not None and not verdict[0]:
        status, reason = Status.REFUSED, verdict[1] or "NOT_ALLOWED"
    pk = uuid.uuid4()
    return Message(
        id=pk,
        **_recipient_fields(to, kind),
        kind=kind,
        purpose=purpose or "",
        template=template,
        language=language,
        context=refs,
        status=status,
        last_error=reason,
        message_id=new_message_id(pk, domain),
    )


def _distinct(targets: list[To], kind: str) -> tuple[list[To], int]:
    """The targets without repeats, in their first order, and how many were dropped.
    Compared by the stored reference, so ``Person`` rows and ``To.person`` ids agree."""
    seen: set[tuple[tuple[str, Any], ...]] = set()
    kept = []
    for target in targets:
        key = tuple(sorted(_recipient_fields(target, kind).items()))
        if key not in seen:
            seen.add(key)
            kept.append(target)
    return kept, len(targets) - len(kept)


def queue_message(
    actor: Actor,
    to: To | models.Model,
    template: str,
    *,
    kind: str,
    purpose: str | None = None,
    context: dict[str, Any] | None = None,
    language: str = "fr",
) -> Message:
    """Put one message in the outbox and enqueue its delivery, in one transaction.

    ``to`` is a Person or Organisation row, or a ``To`` (``To.recipient(key)`` for a
    register recipient's privacy contact). A marketing message the audience rules
    refuse now is recorded as ``refused`` (with the reason) and never enqueued.
    """
    to = To.of(to)
    refs = _check_request(template, kind=kind, purpose=purpose, context=context, language=language)
    verdict = None
    if kind == Kind.MARKETING:
        person_id = _recipient_fields(to, kind)["person_id"]
        verdict = marketing_verdicts([person_id], str(purpose))[person_id]
    message = _new_message(
        to,
        template,
        kind=kind,
        purpose=purpose,
        refs=refs,
        language=language,
        verdict=verdict,
        domain=message_id_domain(),
    )
    with transaction.atomic():
        message.save(force_insert=True)
        extra = {to.kind: to.ref, "template": template, "kind": kind}
        if message.status == Status.REFUSED:
            record_event(
                actor, MailAction.REFUSED, message, extra={**extra, "reason": message.last_error}
            )
        else:
            record_event(actor, MailAction.QUEUE, message, extra={**extra, "purpose": purpose})
            # Same transaction: the job exists exactly when the message does.
            deliver_message.enqueue(str(message.pk))
    return message


def queue_messages(
    actor: Actor,
    recipients: Iterable[To | models.Model],
    template: str,
    *,
    kind: str,
    purpose: str | None = None,
    context: dict[str, Any] | None = None,
    language: str = "fr",
) -> list[Message]:
    """Queue the same message to many recipients in one transaction (breach, client and
    Art. 19 notices, a newsletter): one insert, one audit event for the batch (counts
    only, no address), one delivery job per chunk of ``DELIVERY_CHUNK`` messages.

    The template is checked once; marketing recipients are checked by the gate in
    one call. Refused marketing messages are kept as ``refused`` with their reason.
    A recipient listed more than once (the same client from two contracts) gets one
    message; the audit event counts the duplicates dropped.
    """
    targets, duplicates = _distinct([To.of(r) for r in recipients], kind)
    refs = _check_request(template, kind=kind, purpose=purpose, context=context, language=language)
    verdicts: dict[uuid.UUID, tuple[bool, str]] = {}
    if kind == Kind.MARKETING:
        ids = [_recipient_fields(t, kind)["person_id"] for t in targets]
        verdicts = marketing_verdicts(ids, str(purpose))
    domain = message_id_domain()
    messages = [
        _new_message(
            t,
            template,
            kind=kind,
            purpose=purpose,
            refs=refs,
            language=language,
            verdict=verdicts.get(uuid.UUID(t.ref)) if kind == Kind.MARKETING else None,
            domain=domain,
        )
        for t in targets
    ]
    if not messages:
        return []
    queued = [str(m.pk) for m in messages if m.status == Status.QUEUED]
    counts: dict[str, int] = {}
    for t in targets:
        counts[t.kind] = counts.get(t.kind, 0) + 1
    with transaction.atomic():
        Message.objects.bulk_create(messages, batch_size=500)
        record_event(
            actor,
            MailAction.QUEUE_BATCH,
            ObjectRef("mail.message"),
            extra={
                "template": template,
                "kind": kind,
                "purpose": purpose or "",
                "language": language,
                "count": len(messages),
                "queued": len(queued),
                "refused": len(messages) - len(queued),
                "duplicates": duplicates,
                "recipients": counts,
            },
        )
        for start in range(0, len(queued), DELIVERY_CHUNK):
            deliver_messages.enqueue(queued[start : start + DELIVERY_CHUNK])
    return messages


class UnconfirmedRetry(InvalidMessage):
    """The message may already have been delivered: sending it again needs a person to
    say they checked the mail server's log for its Message-ID."""


def requeue_message(actor: Actor, message: Message, *, checked_server_log: bool = False) -> Message:
    """Send a ``failed`` message again, e.g. once the mail server's log shows that an
    uncertain delivery never left. Attempts start again from zero.

    A message that may have been delivered (``delivery_uncertain``) is refused unless
    ``checked_server_log``: the check is what keeps a notice from going out twice,
    and the audit event records that it was confirmed.
    """
    with transaction.atomic():
        current = Message.objects.select_for_update().filter(pk=message.pk).first()
        if current is None or current.status != Status.FAILED:
            raise InvalidMessage("only a failed message can be sent again")
        if current.delivery_uncertain and not checked_server_log:
            raise UnconfirmedRetry(
                f"this message may already have been delivered: look for Message-ID "
                f"{current.message_id} in the mail server's log, then confirm it never left"
            )
        Message.objects.filter(pk=message.pk, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            claimed_by="",
            transfer_started_at=None,
        )
        extra: dict[str, Any] = {message.to.kind: message.to.ref}
        if current.delivery_uncertain:
            extra["checked_server_log"] = True
        record_event(actor, MailAction.REQUEUE, message, extra=extra)
        deliver_message.enqueue(str(message.pk))
    message.refresh_from_db()
    return message
