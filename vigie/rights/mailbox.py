"""From the privacy mailbox's triage queue to a case (R46, R78).

Mail stores what arrives at the privacy mailbox and leaves what no handler consumed in
its triage queue (``mail.triage``; mail imports no domain). The rights domain sorts
that queue: a privacy lead turns a message into a case, with the message's arrival
date as the date of receipt, or marks it as not a request. Each step goes through
mail's triage services, so the message's read is journaled and its state changes with
the case, in one transaction.

No handler is registered for these messages: a request by e-mail is opened as a case
by a person, who reads it and chooses its types (a message may be a question, spam, or
several requests); only the ``mailto:`` unsubscribe is consumed automatically (consent).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import transaction

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib import bounds
from vigie.mail.models import InboundMessage
from vigie.mail.triage import mark_not_a_request, mark_triaged, open_message
from vigie.rights.models import Case, Channel
from vigie.rights.sealing import Requester
from vigie.rights.services import MAX_DESCRIPTION, Intake, _require, open_case

VIEW = "rights:triage"


def _clean(text: str) -> str:
    """The message's text as a case description: line breaks and tabs kept, other
    control and format characters (bidi overrides) dropped, bounded."""
    kept = "".join(
        ch
        for ch in text.replace("\r\n", "\n")
        if ch in "\t\n" or unicodedata.category(ch)[0] != "C"
    )
    return kept[:MAX_DESCRIPTION]


def _sender(address: str) -> str:
    try:
        return bounds.check_email(address) if address else ""
    except bounds.OutOfBounds:
        # Not an address a letter can go to: the case opens without one.
        return ""


def open_case_from_message(
    actor: Actor, message: InboundMessage, *, types: Iterable[str], language: str = "fr"
) -> Intake:
    """Open a case from a message of the triage queue: the requester is its sender, the
    date of receipt its arrival in the mailbox, the description its subject and text;
    the message is marked sorted under the case's number, in the same transaction."""
    _require(actor, Permission.RIGHTS_TRIAGE)
    with transaction.atomic():
        opened = open_message(actor, message, view=VIEW)
        intake = open_case(
            actor,
            types=types,
            channel=Channel.MAILBOX,
            requester=Requester(email=_sender(opened.sender)),
            description=_clean(f"{opened.subject}\n\n{opened.text}".strip()),
            received_at=message.received_at,
            language=language,
        )
        mark_triaged(actor, message, intake.case.number)
    return intake


def attach_message(actor: Actor, message: InboundMessage, case: Case) -> InboundMessage:
    """A further message about an open case (a reply, a document sent later): sorted
    under that case's number."""
    _require(actor, Permission.RIGHTS_TRIAGE)
    return mark_triaged(actor, message, case.number)


def dismiss_message(actor: Actor, message: InboundMessage, reason: str) -> InboundMessage:
    """Not a request (spam, a reply to a newsletter, a misdirected e-mail), with why."""
    _require(actor, Permission.RIGHTS_TRIAGE)
    return mark_not_a_request(actor, message, reason)
