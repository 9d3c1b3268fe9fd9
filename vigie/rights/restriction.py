"""A rights case's restriction steps (Art. 18, R55): restrict, tell the person, lift.

The flag itself lives with the person (``vigie.people.restrictions``) so that every
lower layer honours it. Here a case sets it, opens the Art. 19 notices to the
recipients (R57), queues the lifting letter (Art. 18(3)) and lifts it.

While contested accuracy is checked (Art. 18(1)(a)) the restriction is set as soon as
the requester's identity is verified, when the case asks for both rectification and
restriction; the case page offers to lift it, after the letter, once the rectification
is decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import paris_day
from vigie.mail.addressing import To
from vigie.people.models import Restriction, RestrictionReason
from vigie.people.restrictions import (
    CaseRef,
    RestrictionError,
    lift_restriction,
    log_lifting_notice,
    restrict,
)
from vigie.register.models import DataCategory
from vigie.rights import services
from vigie.rights.actions import RightsAction
from vigie.rights.art19 import open_notices
from vigie.rights.models import Case, IdentityStatus, NoticeTrigger, RequestType

LIFTING_LETTER = "rights_restriction_lifting"


def restrictions_of(case: Case) -> list[Restriction]:
    """The restrictions this case set, active first."""
    if case.person is None:
        return []
    rows = Restriction.objects.filter(person=case.person, case_id=case.id)
    return sorted(rows, key=lambda r: (r.lifted_at is not None, r.set_at))


def active_of(case: Case) -> list[Restriction]:
    return [r for r in restrictions_of(case) if r.lifted_at is None]


def restrict_case(
    actor: Actor,
    case: Case,
    reason: str = RestrictionReason.ACCURACY_CONTESTED,
    categories: Iterable[str] = (),
) -> Restriction:
    """Restrict the processing of the case's person (all their data, or ``categories``)
    and open the Art. 19 notices to the recipients who received it."""
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    if reason not in RestrictionReason.values:
        raise services.RightsError(_("Unknown reason for a restriction."))
    keys = sorted({c for c in categories if c})
    known = set(DataCategory.objects.filter(key__in=keys).values_list("key", flat=True))
    if set(keys) - known:
        raise services.RightsError(_("Not a data category of the register."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        services._check_open(case)
        if case.person is None:
            raise services.RightsError(_("This case is not linked to a person on file."))
        if case.identity_status != IdentityStatus.VERIFIED:
            # Someone who only claims to be the person cannot stop their processing.
            raise services.RightsError(_("The requester's identity is not verified yet."))
        try:
            restriction, created = restrict(
                actor,
                case.person,
                RestrictionReason(reason),
                categories=keys,
                case=CaseRef(case.id, case.number),
            )
        except RestrictionError as error:
            raise services.RightsError(str(error)) from None
        if created:
            services._log(
                actor,
                case,
                RightsAction.RESTRICTION_SET,
                "restricted",
                reason=str(reason),
                categories=keys,
            )
            open_notices(actor, case, NoticeTrigger.RESTRICTION, keys or None)
    return restriction


def restrict_on_verification(actor: Actor, case: Case) -> None:
    """Called when the requester's identity is verified: a case asking for rectification
    and restriction restricts at once while accuracy is checked (Art. 18(1)(a))."""
    wanted = {RequestType.RECTIFICATION, RequestType.RESTRICTION}
    if case.person is None or not wanted <= set(case.types):
        return
    if case.identity_status != IdentityStatus.VERIFIED:
        return
    _restriction, created = restrict(
        actor,
        case.person,
        RestrictionReason.ACCURACY_CONTESTED,
        case=CaseRef(case.id, case.number),
    )
    if created:
        services._log(
            actor,
            case,
            RightsAction.RESTRICTION_SET,
            "restricted",
            reason=str(RestrictionReason.ACCURACY_CONTESTED),
            categories=[],
        )
        open_notices(actor, case, NoticeTrigger.RESTRICTION, None)


def send_lifting_notice(actor: Actor, case: Case) -> int:
    """Queue the letter telling the person the restriction will be lifted (Art. 18(3))
    and log it on each active restriction of the case; how many were noted."""
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        services._check_open(case)
        pending = [r for r in active_of(case) if r.notice_sent_at is None]
        if not pending:
            raise services.RightsError(_("No restriction of this case waits for its notice."))
        to = To.of(case.person) if case.person is not None else To.requester(str(case.id))
        letter = services.send_letter(
            actor, case, LIFTING_LETTER, to, restriction=str(pending[0].pk)
        )
        for restriction in pending:
            log_lifting_notice(actor, restriction, message=str(letter.message_id))
        services._log(
            actor, case, RightsAction.RESTRICTION_NOTICE, "restriction_notice", count=len(pending)
        )
    return len(pending)


def lift_case_restrictions(actor: Actor, case: Case) -> int:
    """Lift the case's restrictions; refused while the person has not been told."""
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        active = active_of(case)
        if not active:
            raise services.RightsError(_("This case has no restriction to lift."))
        try:
            for restriction in active:
                lift_restriction(actor, restriction)
        except RestrictionError as error:
            raise services.RightsError(str(error)) from None
        services._log(
            actor, case, RightsAction.RESTRICTION_LIFT, "restriction_lifted", count=len(active)
        )
    return len(active)


def lifting_context(case: Case, refs: dict[str, Any]) -> dict[str, Any]:
    """What the lifting letter says: since when, and which data (labels, not keys)."""
    restriction = Restriction.objects.filter(pk=refs["restriction"], case_id=case.id).first()
    if restriction is None:
        return {"restricted_on": "", "restricted_categories": ""}
    labels = [
        c.label_en if case.language == "en" else c.label_fr
        for c in DataCategory.objects.filter(key__in=restriction.categories)
    ]
    return {
        "restricted_on": paris_day(restriction.set_at).strftime("%d/%m/%Y"),
        "restricted_categories": ", ".join(labels),
    }
