"""``/api/v1/requests``: other software files a rights request, and reads its status.

A key with the scope ``rights:case:create`` files a request (R46, R78: channel « other
software »); the case opens as any other, its identity checked the same way (R48): the
API never says whether the address is known. A key with ``rights:case:view`` reads a
case's status and due date by its number.
"""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, field_validator

from vigie.accounts.api_auth import AUTH_ERRORS, ErrorOut, api_key
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib.bounds import ApiDateTime, ApiEmail, ApiName, ApiPhone, api_text
from vigie.lib.legal_calendar import DeadlineError
from vigie.rights import services
from vigie.rights.models import Case, Channel, IdentityStatus, RequestType
from vigie.rights.sealing import Requester

router = Router(tags=["rights"])


class RequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    types: list[RequestType] = Field(min_length=1, max_length=len(RequestType))
    email: ApiEmail = ""
    name: ApiName = ""
    phone: ApiPhone = ""
    postal_address: api_text(500) = ""  # type: ignore[valid-type]
    on_file_email: ApiEmail = ""
    reference: ApiName = ""
    description: api_text(services.MAX_DESCRIPTION) = ""  # type: ignore[valid-type]
    language: str = Field("fr", pattern="^(fr|en)$")
    received_at: ApiDateTime | None = None

    @field_validator("received_at", mode="before")
    @classmethod
    def _iso_text(cls, value: object) -> object:
        # Lax parsing would take a number of seconds; the schema says an ISO 8601 string.
        if value is not None and not isinstance(value, str | dt.datetime):
            raise ValueError("expected an ISO 8601 date-time")
        return value


class RequestOut(Schema):
    number: str
    status: str
    #: C2: a date; ``null`` while the clock waits for the requester (R48). The answer to
    #: a new request gives it only once identity is verified: a due date for a known
    #: address and none for an unknown one would say which addresses are on file.
    due_date: dt.date | None
    received_at: dt.datetime


def _out(case: Case, *, filed: bool = False) -> RequestOut:
    verified = case.identity_status == IdentityStatus.VERIFIED
    return RequestOut(
        number=case.number,
        status=case.status,
        due_date=case.due_date if verified or not filed else None,
        received_at=case.received_at,
    )


@router.post(
    "/requests",
    response={201: RequestOut, **AUTH_ERRORS},
    auth=api_key(Permission.RIGHTS_CASE_CREATE),
)
def create_request(request: HttpRequest, payload: RequestIn) -> Status:
    """File a rights request received by other software (R46): answered with the case
    number and its status; the acknowledgement or the identity check goes by e-mail."""
    if not isinstance(json.loads(request.body or b"null"), dict):
        raise HttpError(422, "The body must be a JSON object.")
    if not (payload.email or payload.name or payload.phone or payload.postal_address):
        raise HttpError(400, "Give at least the requester's e-mail, name, phone or address.")
    if payload.received_at is not None and payload.received_at.tzinfo is None:
        raise HttpError(400, "received_at needs a time zone (e.g. 2025-03-10T09:00:00+01:00).")
    requester = Requester(
        email=payload.email,
        name=payload.name,
        phone=payload.phone,
        postal_address=payload.postal_address,
        on_file_email=payload.on_file_email,
        reference=payload.reference,
    )
    try:
        intake = services.open_case(
            Actor.from_request(request),
            types=[str(t.value) for t in payload.types],
            channel=Channel.API,
            requester=requester,
            description=payload.description,
            received_at=payload.received_at,
            language=payload.language,
        )
    except services.NotAllowed:
        raise HttpError(403, "This API key may not file a request.") from None
    except (services.RightsError, DeadlineError) as error:
        # A clock the law does not allow (e.g. a request from an unknown address
        # recorded after its deadline: it cannot be suspended) is refused, with why.
        raise HttpError(400, str(error)) from None
    return Status(201, _out(intake.case, filed=True))


@router.get(
    "/requests/{number}",
    response={200: RequestOut, 404: ErrorOut, **AUTH_ERRORS},
    auth=api_key(Permission.RIGHTS_CASE_VIEW),
)
def read_request(request: HttpRequest, number: str) -> RequestOut:
    """A request's status and due date, by its number (``DDP-2025-0001``)."""
    case = Case.objects.filter(number=number[:20]).first()
    if case is None:
        raise HttpError(404, "No request has this number.")
    return _out(case)
