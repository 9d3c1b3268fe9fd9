"""R19: deleting an account or a contact from the back-office person page runs the same
engine as an erasure request (R53) and tells the person what is kept, why, until when.

The person page (``people``, which may not import ``rights``) shows the panel this module
registers: to the privacy lead, a button that opens an erasure case for the person
(channel: handed to a colleague; identity known to staff), proposes its plan from the
person's data with the legal retention exceptions, confirms it as proposed and runs it.
The erasure letter lists the categories kept with their ground and end date; the case
page shows the same. A current client must confirm first (the case page says so and
waits, like any erasure).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.panels import Panel
from vigie.people.services import PersonUnavailable, open_person
from vigie.rights import erasure, services
from vigie.rights.models import (
    Case,
    Channel,
    ErasurePlan,
    ErasureStatus,
    IdentityMethod,
    RequestType,
)
from vigie.rights.sealing import Requester


def delete_account(actor: Actor, person: Person, *, language: str = "fr") -> Case:
    """Open, plan, confirm and run the erasure of ``person`` (see the module)."""
    services._require(actor, Permission.RIGHTS_CASE_REFUSE)
    try:
        data = open_person(person)
    except PersonUnavailable:
        raise erasure.ErasureError(_("This person's data is already erased.")) from None
    name = f"{data.first_name} {data.last_name}".strip()
    with transaction.atomic():
        # Pressed twice (or by two colleagues): the erasure under way is the answer.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        pending = (
            ErasurePlan.objects.filter(case__person=person, case__closed_at__isnull=True)
            .exclude(status=ErasureStatus.DONE)
            .select_related("case")
            .first()
        )
        if pending is not None:
            case, plan = pending.case, pending
        else:
            case = services.open_case(
                actor,
                types=[RequestType.ERASURE],
                channel=Channel.COLLEAGUE,
                requester=Requester(email=data.email, name=name),
                person=person,
                language=language,
                verified_by=IdentityMethod.KNOWN_TO_STAFF,
            ).case
            plan = erasure.propose(actor, case, ["a"])
            plan = erasure.choose(actor, case, plan.proposed, ["a"])
    if plan.status in (ErasureStatus.CONFIRMED, ErasureStatus.FAILED):
        erasure.run(actor, case)
    return case


def deletion_panel(request: HttpRequest, person: Person) -> Panel | None:
    user = request.user
    if not getattr(user, "has_vigie_permission", lambda _p: False)(Permission.RIGHTS_CASE_REFUSE):
        return None
    return Panel("rights/_delete_account.html", {"person": person})


@requires(Permission.RIGHTS_CASE_REFUSE)
@require_POST
def delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    try:
        case = delete_account(Actor.from_request(request), person)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        messages.error(request, str(error))
        return redirect("people:detail", person.pk)
    plan = erasure.plan_of(case)
    if plan is not None and plan.status == ErasureStatus.DONE:
        messages.success(
            request, _("Deleted; the person is told by e-mail what is kept, why and until when.")
        )
    else:
        messages.warning(
            request,
            _("A current client: the deletion waits for their written confirmation."),
        )
    return redirect("cases:detail", case.pk)
