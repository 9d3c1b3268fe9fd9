"""Queue e-mail to a person, and decide whether marketing may reach them.

The outbox stores the person, the template and references, never an address or a
name (R30): those are opened when the message is sent. Service messages (R44, R76)
go whatever the person's marketing choices; a marketing message is checked against
the audience rules when queued and again when sent (R35, R36, R41, R42), and its
template must carry what R37 requires.
"""

from __future__ import annotations

import importlib
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.mail.actions import MailAction
from vigie.mail.compose import new_message_id
from vigie.mail.models import Kind, Message, Purpose, Status
from vigie.mail.rendering import (
    CATALOGUE,
    LANGUAGES,
    validate_marketing_template,
    validate_service_template,
)
from vigie.mail.tasks import deliver_message
from vigie.people.models import Person
from vigie.people.services import open_person

# Keys that would carry personal data into the outbox; names are looked up at render.
_PERSONAL_KEYS = frozenset({"email", "address", "first_name", "last_name", "name", "phone"})


class InvalidMessage(ValueError):
    """The message cannot be queued as asked; the text says why."""


def marketing_allowed(person: Person, purpose: str) -> tuple[bool, str]:
    """May ``person`` receive marketing for ``purpose`` now? (allowed, reason code).

    Asks the consent domain's audience check (legal basis, suppression list,
    objection, double opt-in, Art. 14 notice). If that check is not available, no
    marketing goes out at all: the safe default. Tests and callers may replace this
    function (``vigie.mail.services.marketing_allowed``).
    """
    try:
        module = importlib.import_module("vigie.consent.services")
        check_audience = module.check_audience
    except (ImportError, AttributeError):
        return False, "AUDIENCE_CHECK_UNAVAILABLE"
    address = open_person(person).email
    results = list(check_audience(purpose, [address]))
    if not results:
        return False, "UNKNOWN"
    return bool(results[0].allowed), str(results[0].reason or "")


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


def queue_message(
    actor: Actor,
    person: Person,
    template: str,
    *,
    kind: str,
    purpose: str | None = None,
    context: dict[str, Any] | None = None,
    language: str = "fr",
) -> Message:
    """Put one message in the outbox and enqueue its delivery, in one transaction.

    A marketing message the audience rules refuse now is recorded as ``refused``
    (with the reason) and never enqueued.
    """
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

    status, reason = Status.QUEUED, ""
    if kind == Kind.MARKETING:
        allowed, reason = marketing_allowed(person, str(purpose))
        if not allowed:
            status, reason = Status.REFUSED, reason or "NOT_ALLOWED"
    pk = uuid.uuid4()
    with transaction.atomic():
        message = Message.objects.create(
            id=pk,
            person=person,
            kind=kind,
            purpose=purpose or "",
            template=template,
            language=language,
            context=refs,
            status=status,
            last_error=reason if status == Status.REFUSED else "",
            message_id=new_message_id(pk),
        )
        extra = {"person": str(person.pk), "template": template, "kind": kind}
        if status == Status.REFUSED:
            record_event(actor, MailAction.REFUSED, message, extra={**extra, "reason": reason})
        else:
            record_event(actor, MailAction.QUEUE, message, extra={**extra, "purpose": purpose})
            # Same transaction: the job exists exactly when the message does.
            deliver_message.enqueue(str(pk))
    return message


def requeue_message(actor: Actor, message: Message) -> Message:
    """Send a ``failed`` message again, e.g. once the mail server's log shows that an
    uncertain delivery never left. Attempts start again from zero."""
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            transfer_started_at=None,
        )
        if not updated:
            raise InvalidMessage("only a failed message can be sent again")
        record_event(actor, MailAction.REQUEUE, message, extra={"person": str(message.person_id)})
        deliver_message.enqueue(str(message.pk))
    message.refresh_from_db()
    return message
