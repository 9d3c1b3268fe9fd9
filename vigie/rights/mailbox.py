"""From the privacy mailbox's triage queue to a case (R46, R78).

Mail stores what arrives at the privacy mailbox and leaves what no handler consumed in
its triage queue (``mail.triage``; mail imports no domain). The rights domain sorts
that queue: a privacy lead turns a message into a case, with the message's arrival
date as the date of receipt, or marks it as not a request. Each step goes through
mail's triage services, so the message's read is journaled and its state changes with
the case, in one transaction.

R78 wants each message to create or update a case and an acknowledgement with the case
number and the due date within minutes. So rights registers a handler that, when a
message arrives, opens a *provisional* case for it (its types not chosen yet) through the
same door as every channel: from an address on file the request is verified and
acknowledged; from another address the sender gets the neutral reply (with the number)
and the clock waits. The handler does not consume the message: it stays in the triage
queue, where a privacy lead chooses the case's types (a message may be a question, spam
or several requests), sorts it under another case, or closes it as not a request. A
message quoting a case number (``DDP-2025-0001``) is a follow-up: it opens nothing and
waits in triage to be sorted under that case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib import bounds
from vigie.mail.inbound import InboundMail
from vigie.mail.models import InboundMessage
from vigie.mail.triage import mark_not_a_request, mark_triaged, open_message
from vigie.rights.actions import RightsAction
from vigie.rights.models import OWN_DEADLINE_TYPES, Case, Channel, Status
from vigie.rights.sealing import Requester
from vigie.rights.services import (
    MAX_DESCRIPTION,
    Intake,
    RightsError,
    _check_open,
    _check_types,
    _close,
    _log,
    _require,
    _store_clock,
    clock_of,
    open_case,
)

LABEL = "rights:acknowledge"
CASE_NUMBER = re.compile(r"\bDDP-\d{4}-\d{4,}\b")

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


def qualify_case(actor: Actor, case: Case, types: Iterable[str]) -> Case:
    """Choose the types of a case the privacy mailbox opened (R46, R78)."""
    _require(actor, Permission.RIGHTS_TRIAGE)
    chosen = _check_types(types)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        case.types = chosen
        # A complaint or a CNIL inquiry has the deadline the privacy lead sets (R80).
        own = set(chosen) <= OWN_DEADLINE_TYPES
        if own and not case.deadline_set_by_privacy_lead:
            case.due_date = case.outer_limit = None
        case.deadline_set_by_privacy_lead = own
        if not own:
            _store_clock(case, clock_of(case))
        case.save()
        _log(actor, case, RightsAction.CASE_QUALIFY, "qualified", types=chosen)
        # A request from the address on file was verified on arrival: once sorted as
        # rectification and restriction, the restriction holds at once (Art. 18(1)(a)).
        from vigie.rights.restriction import restrict_on_verification

        restrict_on_verification(actor, case)
    return case


def close_not_a_request(actor: Actor, case: Case, reason: str) -> Case:
    """Close a case the privacy mailbox opened for a message that is no request (spam, a
    question, a follow-up of another case): no letter, the reason kept."""
    _require(actor, Permission.RIGHTS_TRIAGE)
    reason = reason.strip()
    if not reason:
        raise RightsError(_("Say why this message is not a request."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        if case.source_message is None or case.types:
            raise RightsError(_("Only a case opened by a message not sorted yet can be closed so."))
        case.status = Status.NOT_A_REQUEST
        case.closing_reason = reason[:2000]
        _close(case)
        case.save()
        _log(actor, case, RightsAction.CASE_NOT_A_REQUEST, "not_a_request")
    return case


def provisional_case(message: InboundMessage | InboundMail) -> Case | None:
    """The case a message of the mailbox opened on arrival (R78), if any."""
    return Case.objects.filter(source_message=message.id).first()


def acknowledge_on_arrival(mail: InboundMail) -> bool:
    """Mail's inbound handler (R78): open the message's provisional case, which sends the
    acknowledgement or the neutral reply. Never consumes: the message waits in triage."""
    if CASE_NUMBER.search(mail.subject) or provisional_case(mail) is not None:
        # A follow-up of a case, or a retry of this very message.
        return False
    sender = _sender(mail.sender)
    if not sender:
        return False
    open_case(
        Actor.system("mailbox"),
        types=[],
        channel=Channel.MAILBOX,
        requester=Requester(email=sender),
        description=_clean(f"{mail.subject}\n\n{mail.text}".strip()),
        received_at=mail.received_at,
        source_message=mail.id,
    )
    return False


def open_case_from_message(
    actor: Actor, message: InboundMessage, *, types: Iterable[str], language: str = "fr"
) -> Intake:
    """Open a case from a message of the triage queue: the requester is its sender, the
    date of receipt its arrival in the mailbox, the description its subject and text;
    the message is marked sorted under the case's number, in the same transaction."""
    _require(actor, Permission.RIGHTS_TRIAGE)
    with transaction.atomic():
        provisional = provisional_case(message)
        if provisional is not None and provisional.is_open:
            # Opened on arrival (R78): its types are chosen now, by whoever read it.
            open_message(actor, message, view=VIEW)
            case = qualify_case(actor, provisional, types)
            mark_triaged(actor, message, case.number)
            return Intake(case)
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
    with transaction.atomic():
        provisional = provisional_case(message)
        if provisional is not None and provisional.pk != case.pk and provisional.is_open:
            close_not_a_request(actor, provisional, f"Sorted under {case.number}.")
        return mark_triaged(actor, message, case.number)


def dismiss_message(actor: Actor, message: InboundMessage, reason: str) -> InboundMessage:
    """Not a request (spam, a reply to a newsletter, a misdirected e-mail), with why."""
    _require(actor, Permission.RIGHTS_TRIAGE)
    with transaction.atomic():
        provisional = provisional_case(message)
        if provisional is not None and provisional.is_open:
            close_not_a_request(actor, provisional, reason)
        return mark_not_a_request(actor, message, reason)
