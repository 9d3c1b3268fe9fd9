"""The letters of a rights case (R49, R50, R78, R79), FR and EN by the case's language.

The outbox stores the case's id (and a decision's or challenge's id); everything the
letter says is read here when it is rendered: the case number, the dates (JJ/MM/AAAA),
the types in words, the reasons, and the supervisory authority from the register.

Every letter that answers, extends or refuses carries the CNIL complaint block and the
judicial-remedy sentence (R49, R79): :func:`remedy_problems` renders the template and
refuses one that lacks them, and :func:`send_letter <vigie.rights.services.send_letter>`
will not queue it.
"""

from __future__ import annotations

import uuid
from datetime import date
from functools import cache
from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from vigie.lib.controller import current_controller
from vigie.lib.legal_calendar import one_month_due_date, paris_day
from vigie.mail.addressing import Address, Outcome, Unreachable
from vigie.mail.rendering import RenderError
from vigie.rights.models import Case, Challenge, Decision, Letter, RequestType
from vigie.rights.models import Outcome as DecisionOutcome

#: Every letter template of a case.
TEMPLATES = (
    "rights_acknowledgement",
    "rights_identity_challenge",
    "rights_neutral_reply",
    "rights_extension_notice",
    "rights_identification_impossible",
    "rights_refusal",
    "rights_partial_refusal",
    "rights_answer_cover",
    "rights_identity_document_request",
    "rights_restriction_lifting",
    "rights_objection_decision",
    "rights_access_ready",
    "rights_erasure_done",
    "rights_heirs_rights",
    "rights_erasure_service_stop",
    "rights_rectification_proof",
    "rights_rectification_done",
)
#: The letters that answer, extend or refuse: the CNIL block and the judicial remedy (R79).
REMEDY_LETTERS = frozenset(
    {
        "rights_extension_notice",
        "rights_identification_impossible",
        "rights_refusal",
        "rights_partial_refusal",
        "rights_answer_cover",
        "rights_objection_decision",
        "rights_erasure_done",
        "rights_heirs_rights",
    }
)
JUDICIAL_REMEDY = {"fr": "recours juridictionnel", "en": "judicial remedy"}


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def types_in_words(types: list[str]) -> str:
    if not types:
        # A message of the privacy mailbox, not sorted yet (R78).
        return str(_("to be specified"))
    labels = dict(RequestType.choices)
    return ", ".join(str(labels.get(t, t)).lower() for t in types)


def letter_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """What a rights letter says, read at render time (mail's context builder)."""
    case = Case.objects.filter(pk=uuid.UUID(str(refs["case"]))).first()
    if case is None:
        raise RenderError("CASE_GONE: the rights case no longer exists")
    controller = current_controller()
    if controller is None or controller.authority is None:
        raise RenderError("REGISTER_INCOMPLETE: the register names no supervisory authority")
    with translation.override(language):
        context: dict[str, Any] = {
            "number": case.number,
            "received_on": _day(paris_day(case.received_at)),
            "due_date": _day(case.due_date),
            "extended_due_date": _day(case.due_date),
            "types": types_in_words(case.types),
            "extension_reasons": case.extension_reasons,
            "closing_reason": case.closing_reason,
            "identity_days": _identity_days(),
            # Recorded after its one-month deadline: its clock was never stopped.
            "late": paris_day(case.recorded_at) > one_month_due_date(case.received_at),
            "document_days": _document_days(),
            "authority": controller.authority,
        }
        if "challenge" in refs:
            challenge = Challenge.objects.get(pk=int(refs["challenge"]), case=case)
            from vigie.rights.links import challenge_url

            context["challenge_url"] = challenge_url(challenge.pk, language)
            context["expires_on"] = _day(paris_day(challenge.expires_at))
        if "decision" in refs:
            decision = Decision.objects.get(pk=int(refs["decision"]), case=case)
            context["decision_type"] = types_in_words([decision.request_type])
            context["decision_grounds"] = decision.grounds
        outcomes = dict(DecisionOutcome.choices)
        context["decisions"] = [
            {
                "type": types_in_words([d.request_type]),
                "outcome": str(outcomes[d.outcome]).lower(),
                "grounds": d.grounds if d.outcome != DecisionOutcome.GRANTED else "",
            }
            for d in case.decisions.order_by("pk")
        ]
        if "restriction" in refs:
            from vigie.rights.restriction import lifting_context

            context.update(lifting_context(case, refs))
        if "objection" in refs:
            from vigie.rights.objection import decision_context

            context.update(decision_context(case, refs))
        if "package" in refs:
            # The access package's signed link, made now: never stored in the outbox.
            from vigie.rights.access_delivery import link_context

            context.update(link_context(refs))
        if "erasure" in refs:
            from vigie.rights.erasure import letter_context as erasure_context

            context.update(erasure_context(case, language))
        if "rectification" in refs:
            from vigie.rights.rectification import letter_refs

            context.update(letter_refs(refs))
        context["answer_url"] = refs.get("answer_url", "")
        context["answer_expires_on"] = refs.get("answer_expires_on", "")
    return context


def _identity_days() -> int:
    from vigie.rights.services import identity_days

    return identity_days()


def _document_days() -> int:
    from vigie.rights.identity import KEEP_DAYS

    return KEEP_DAYS


@cache
def remedy_problems(template: str) -> tuple[str, ...]:
    """What an answering, extending or refusing letter lacks of R79 (empty when fine):
    each language's text and HTML are rendered with a sample authority and must show
    its address and the judicial-remedy sentence."""
    if template not in REMEDY_LETTERS:
        return ()
    authority = {
        "name": "CNIL",
        "address": "3 Place de Fontenoy, 75007 Paris",
        "phone": "",
        "complaint_url": "",
    }
    sample = {
        "number": "DDP-2025-0001",
        "received_on": "10/03/2025",
        "due_date": "10/04/2025",
        "extended_due_date": "10/06/2025",
        "types": "-",
        "extension_reasons": "-",
        "closing_reason": "-",
        "decision_type": "-",
        "decision_grounds": "-",
        "decisions": [],
        "erased": [],
        "kept": [],
        "authority": authority,
    }
    problems = []
    for language in ("fr", "en"):
        for suffix in ("txt", "html"):
            try:
                text = render_to_string(f"mail/{template}.{language}.{suffix}", sample)
            except TemplateDoesNotExist:
                problems.append(f"{language} {suffix}: missing")
                continue
            if authority["address"] not in text:
                problems.append(f"{language} {suffix}: no CNIL complaint block")
            if JUDICIAL_REMEDY[language] not in text:
                problems.append(f"{language} {suffix}: no judicial-remedy sentence")
    return tuple(problems)


def requester_address(ref: str) -> Address:
    """Mail's resolver for a case's requester: their own address, opened at send time."""
    from vigie.rights.portability import TRANSFER_REF, transfer_address_of
    from vigie.rights.sealing import open_requester
    from vigie.rights.space import CHANGE_REF, new_address_of

    if ref.startswith(TRANSFER_REF):
        # A receiving controller the person or staff named (Art. 20(2)).
        address = transfer_address_of(ref.removeprefix(TRANSFER_REF))
        if not address:
            raise Unreachable("LINK_GONE")
        return Address(email=address)
    if ref.startswith(CHANGE_REF):
        # A new address a person gave in their space: the confirmation link goes to it.
        address = new_address_of(ref.removeprefix(CHANGE_REF))
        if not address:
            raise Unreachable("CHANGE_GONE")
        return Address(email=address)
    case = Case.objects.filter(pk=uuid.UUID(ref)).first()
    if case is None:
        raise Unreachable("CASE_GONE")
    requester = open_requester(case.id, case.requester_sealed)
    if not requester.email:
        raise Unreachable("NO_ADDRESS")
    first, _sep, last = requester.name.partition(" ")
    return Address(email=requester.email, first_name=first, last_name=last)


def record_outcome(outcome: Outcome) -> None:
    """A letter reached the mail server (or failed): the case's documents say so."""
    letter = Letter.objects.filter(message_id=outcome.message).first()
    if letter is None:
        return
    if outcome.status == "sent":
        letter.sent_at = outcome.at
        letter.failed_reason = ""
    else:
        letter.failed_reason = (outcome.reason or outcome.status)[:200]
    letter.save(update_fields=["sent_at", "failed_reason"])
