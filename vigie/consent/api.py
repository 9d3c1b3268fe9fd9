"""Consent API: record consents, withdrawals and objections; check an audience (R34-R43).

A mailing tool asks ``POST /audience/check`` before each send; a CRM pushes the
consents it collected with ``POST /consents``. Neither can re-enable marketing for
a suppressed address (409): only the person can, through the double opt-in (R43).
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import IPvAnyAddress, StringConstraints

from vigie.accounts.api_auth import AUTH_ERRORS, ErrorOut, api_key
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.consent import services
from vigie.consent.models import Method, Status
from vigie.lib.bounds import MAX_EMAIL, ApiDateTime, ApiEmail
from vigie.lib.purposes import ALL_PURPOSES, current_purpose
from vigie.people.models import Person
from vigie.people.services import find_by_email
from vigie.pii.fields import FreeText

router = Router(tags=["consent"])

#: An address to check: bounded like any address (RFC 5321), otherwise taken as given:
#: one that is not an address is answered ``UNKNOWN``.
AudienceAddress = Annotated[str, StringConstraints(max_length=MAX_EMAIL)]

#: The largest list one audience check answers (issue 4).
MAX_ADDRESSES = 100_000

#: ``offres_semi`` is the former key of ``offres`` (deprecated): clients configured
#: before the rename keep working, and are answered with the current key.
PurposeName = Literal["newsletter", "offres", "offres_partenaires", "offres_semi"]


class ConsentIn(Schema):
    """Give either ``email`` or ``person_id``."""

    email: ApiEmail | None = None
    person_id: uuid.UUID | None = None
    action: Literal["grant", "soft_opt_in", "withdraw", "object"]
    purpose: PurposeName | None = Field(None, description="Not used by an objection (all).")
    wording: FreeText = Field("", max_length=5000, description="Exact wording shown (grant).")
    method: Literal["api", "web_form", "phone", "post", "import"] = "api"
    channel: FreeText = Field("", max_length=500, description="Channel or form URL.")
    ip: IPvAnyAddress | None = Field(
        None, description="The person's IP address, for an online act."
    )
    proof_ref: FreeText = Field("", max_length=200)
    occurred_at: ApiDateTime | None = Field(
        None, description="When the person acted (1900–2100); now if absent."
    )


class ConsentOut(Schema):
    person_id: uuid.UUID
    purpose: str
    status: str
    changed: bool
    event_id: int | None


class AudienceIn(Schema):
    purpose: PurposeName
    addresses: list[AudienceAddress] = Field(..., max_length=MAX_ADDRESSES)


class AudienceResult(Schema):
    address: str
    allowed: bool
    reason: str | None


class AudienceOut(Schema):
    results: list[AudienceResult]


def _person(body: ConsentIn) -> Person:
    if body.person_id is not None:
        person = Person.objects.filter(pk=body.person_id, shredded_at__isnull=True).first()
    elif body.email:
        person = find_by_email(body.email)
    else:
        raise HttpError(422, "Give the person's email or person_id.")
    if person is None:
        raise HttpError(404, "No such person.")
    return person


@router.post(
    "/consents",
    response={200: ConsentOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    auth=api_key(Permission.CONSENT_RECORD),
)
def post_consent(request: HttpRequest, body: ConsentIn) -> ConsentOut:
    """Record a consent (or soft opt-in), a withdrawal or an objection, with its R34 proof.

    The API key is the collector. 409 when the address is suppressed: only the
    person can subscribe again (R43). A repeated withdrawal or objection changes
    nothing (``changed: false``).
    """
    person = _person(body)
    actor = Actor.from_request(request)
    method = Method(body.method)
    purpose: str = current_purpose(body.purpose or "")
    if body.action != "object" and not purpose:
        raise HttpError(422, "A purpose is required.")
    try:
        if body.action == "object":
            purpose = ALL_PURPOSES
            event = services.object_to_marketing(
                actor,
                person,
                method=method,
                channel=body.channel,
                ip=str(body.ip) if body.ip is not None else None,
                proof_ref=body.proof_ref,
                wording=body.wording,
            )
        elif body.action == "withdraw":
            event = services.withdraw(
                actor,
                person,
                purpose,
                method=method,
                channel=body.channel,
                ip=str(body.ip) if body.ip is not None else None,
                proof_ref=body.proof_ref,
                wording=body.wording,
            )
        else:
            event = services.record_consent(
                actor,
                person,
                purpose,
                wording=body.wording,
                method=method,
                channel=body.channel,
                ip=str(body.ip) if body.ip is not None else None,
                proof_ref=body.proof_ref,
                occurred_at=body.occurred_at,
                soft_opt_in=body.action == "soft_opt_in",
            )
    except services.ReservedToSubject as error:
        raise HttpError(409, str(error)) from None
    except services.ConsentError as error:
        raise HttpError(422, str(error)) from None
    states = services.subscription_states(person)
    status = states[purpose].status if purpose in states else Status.OBJECTED
    return ConsentOut(
        person_id=person.pk,
        purpose=purpose,
        status=status,
        changed=event is not None,
        event_id=event.pk if event is not None else None,
    )


@router.post(
    "/audience/check",
    response={200: AudienceOut, 422: ErrorOut, **AUTH_ERRORS},
    auth=api_key(Permission.AUDIENCE_CHECK),
)
def audience_check(request: HttpRequest, body: AudienceIn) -> HttpResponse:
    """May each address receive marketing for ``purpose``? Up to 100,000 addresses.

    ``reason`` is null when allowed, otherwise one of ``NO_LEGAL_BASIS``,
    ``RESTRICTED`` (Art. 18), ``SUPPRESSED``, ``OBJECTED`` (to all marketing or to
    this purpose), ``PENDING_CONFIRMATION``, ``ART14_NOTICE_PENDING``,
    ``PERSONAL_ADDRESS_NO_CONSENT``, ``UNKNOWN``.
    """
    results = services.check_audience_as(
        Actor.from_request(request), current_purpose(body.purpose), body.addresses
    )
    # Rendered here rather than through ``AudienceOut`` (which documents it): validating
    # 100,000 result objects one by one took longer than the check itself, and these
    # plain values need no conversion.
    payload = {
        "results": [
            {"address": r.address, "allowed": r.allowed, "reason": r.reason} for r in results
        ]
    }
    return HttpResponse(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json; charset=utf-8",
    )
