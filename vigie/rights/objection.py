"""A rights case's objection (Art. 21, R56, R42): stop the purposes the person objects to.

Two kinds of objection, never mixed:

- **direct marketing** (Art. 21(2)-(3), R42): absolute, never weighed. To all
  marketing it goes through ``consent.object_to_marketing`` (every purpose objected,
  the address suppressed, the person out of every segment); to one marketing purpose
  (the company's offers to a business contact, sent on an opt-out basis, R36) a block
  that the audience checks and segments honour at once.
- **a purpose based on legitimate interest** (Art. 6(1)(f)) of the register (B2B
  contact management, targeting, security logs…), for reasons of the person's
  situation (Art. 21(1)): the purpose stops for that person the same day (a block
  that jobs ask about with ``purpose_blocked``). The privacy lead may then record
  compelling legitimate grounds, or a legal-claims need, in writing: the purpose goes
  on. The decision letter tells the person, with the CNIL block and the judicial
  remedy when the objection is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.consent.models import Method
from vigie.consent.services import object_to_marketing
from vigie.lib.purposes import ALL_PURPOSES, Purpose
from vigie.mail.addressing import To
from vigie.people.models import BlockStatus, ProcessingBlock
from vigie.people.restrictions import CaseRef, RestrictionError, block_purpose, override_block
from vigie.register.services import current_document
from vigie.rights import services
from vigie.rights.actions import RightsAction
from vigie.rights.models import Case, Letter, RequestType

DECISION_LETTER = "rights_objection_decision"
MARKETING_LABELS = {
    ALL_PURPOSES: ("Toute la prospection commerciale", "All direct marketing"),
    Purpose.NEWSLETTER: ("Lettre d’information", "Newsletter"),
    Purpose.OFFRES: ("Prospection pour nos offres", "Marketing of our offers"),
    Purpose.OFFRES_PARTENAIRES: ("Offres de nos partenaires", "Partner offers"),
}


@dataclass(frozen=True)
class ObjectablePurpose:
    """A purpose of the register based on legitimate interest (Art. 6(1)(f))."""

    ref: str  # ``activity-key/index``: how blocks and jobs name it
    activity_fr: str
    activity_en: str
    text_fr: str
    text_en: str

    def label(self, lang: str = "fr") -> str:
        if lang == "en":
            return f"{self.activity_en}: {self.text_en}"
        return f"{self.activity_fr} : {self.text_fr}"


def objectable_purposes() -> list[ObjectablePurpose]:
    """The controller's purposes based on legitimate interest, from the current register."""
    document = current_document() or {}
    found = []
    for activity in document.get("activities") or []:
        if activity.get("role") != "controller":
            continue
        name = activity.get("name") or {}
        for index, purpose in enumerate(activity.get("purposes") or []):
            if purpose.get("legal_basis") != "legitimate_interest":
                continue
            text = purpose.get("text") or {}
            found.append(
                ObjectablePurpose(
                    ref=f"{activity['key']}/{index}",
                    activity_fr=name.get("fr", ""),
                    activity_en=name.get("en", ""),
                    text_fr=text.get("fr", ""),
                    text_en=text.get("en", ""),
                )
            )
    return found


def _check_case(case: Case) -> None:
    services._check_open(case)
    if RequestType.OBJECTION not in case.types:
        raise services.RightsError(_("This case does not ask for an objection."))
    if case.person is None:
        raise services.RightsError(_("This case is not linked to a person on file."))
    if case.identity_status != "verified":
        raise services.RightsError(
            _("Identity is not verified: nothing may be changed for this person yet.")
        )


def object_to_purposes(
    actor: Actor,
    case: Case,
    *,
    purposes: Iterable[str] = (),
    marketing: Iterable[str] = (),
) -> list[ProcessingBlock]:
    """Stop, today, each register purpose (``activity/index``) and marketing purpose
    (``newsletter``, ``offres``, ``offres_partenaires`` or ``all``) the person objects to.

    Idempotent: a purpose already blocked is kept as it is.
    """
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    wanted = list(dict.fromkeys(p for p in purposes if p))
    wanted_marketing = list(dict.fromkeys(m for m in marketing if m))
    if not wanted and not wanted_marketing:
        raise services.RightsError(_("Choose at least one purpose the person objects to."))
    known = {p.ref: p for p in objectable_purposes()}
    unknown = [p for p in wanted if p not in known]
    if unknown or any(m not in MARKETING_LABELS for m in wanted_marketing):
        raise services.RightsError(_("Not a purpose of the register based on legitimate interest."))
    blocks = []
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_case(case)
        person = case.person
        assert person is not None
        ref = CaseRef(case.id, case.number)
        for key in wanted_marketing:
            if key == ALL_PURPOSES:
                # R42: the existing absolute objection, with its suppression and segments.
                object_to_marketing(actor, person, method=Method.STAFF, proof_ref=case.number)
            fr, en = MARKETING_LABELS[key]
            block, _created = block_purpose(
                actor, person, key, label_fr=fr, label_en=en, marketing=key, case=ref
            )
            blocks.append(block)
        for key in wanted:
            purpose = known[key]
            block, _created = block_purpose(
                actor,
                person,
                key,
                label_fr=purpose.label("fr"),
                label_en=purpose.label("en"),
                case=ref,
            )
            blocks.append(block)
        services._log(
            actor,
            case,
            RightsAction.PURPOSE_BLOCK,
            "objection_blocked",
            purposes=wanted,
            marketing=wanted_marketing,
        )
    return blocks


def blocks_of(case: Case) -> list[ProcessingBlock]:
    if case.person is None:
        return []
    return list(ProcessingBlock.objects.filter(person=case.person, case_id=case.id))


def record_grounds(actor: Actor, case: Case, block_id: str, grounds: str) -> ProcessingBlock:
    """The privacy lead records compelling legitimate grounds, or a legal-claims need,
    that override the objection to one legitimate-interest purpose (Art. 21(1))."""
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    services._require(actor, Permission.RIGHTS_CASE_REFUSE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_case(case)
        block = ProcessingBlock.objects.filter(pk=block_id, case_id=case.id).first()
        if block is None:
            raise services.RightsError(_("This purpose is not part of the case's objection."))
        try:
            block = override_block(actor, block, grounds)
        except RestrictionError as error:
            raise services.RightsError(str(error)) from None
        services._log(
            actor,
            case,
            RightsAction.PURPOSE_OVERRIDE,
            "objection_overridden",
            purpose=block.purpose,
        )
    return block


def send_decision(actor: Actor, case: Case) -> Letter:
    """Queue the decision letter: what stopped, what goes on and why (Art. 21(1), 12(4))."""
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_case(case)
        if not blocks_of(case):
            raise services.RightsError(_("Record the purposes the person objects to first."))
        assert case.person is not None
        return services.send_letter(actor, case, DECISION_LETTER, To.of(case.person), objection="1")


def decision_context(case: Case, refs: dict[str, Any]) -> dict[str, Any]:
    """What the decision letter lists: each purpose, stopped or going on with grounds."""
    lang = case.language
    stopped, going_on = [], []
    for block in blocks_of(case):
        if block.status == BlockStatus.OVERRIDDEN:
            going_on.append({"label": block.label(lang), "grounds": block.grounds})
        else:
            stopped.append({"label": block.label(lang)})
    return {"stopped": stopped, "going_on": going_on, "refused": bool(going_on)}
