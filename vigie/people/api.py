from __future__ import annotations

import datetime as dt
import json
import uuid

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, StrictBool, field_validator

from vigie.accounts.api_auth import AUTH_ERRORS, ErrorOut, api_key
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib.bounds import ApiDateTime, ApiEmail, ApiName, ApiPhone, api_text
from vigie.people import services
from vigie.people.models import Source, SubjectType

router = Router(tags=["people"])


class PersonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    email: ApiEmail = ""
    first_name: ApiName = ""
    last_name: ApiName = ""
    phone: ApiPhone = ""
    subject_types: list[SubjectType] = []
    source: Source = Source.SUBJECT
    source_name: ApiName = ""
    partner_permission_ref: api_text(200) = ""  # type: ignore[valid-type]
    collected_at: ApiDateTime | None = None
    informed_of_opt_out: StrictBool = False

    @field_validator("collected_at", mode="before")
    @classmethod
    def _iso_text(cls, value: object) -> object:
        # Lax parsing would take a number of seconds; the schema says an ISO 8601 string.
        if value is not None and not isinstance(value, str | dt.datetime):
            raise ValueError("expected an ISO 8601 date-time")
        return value


class PersonOut(Schema):
    id: uuid.UUID
    source: str
    #: C2: a date; the notice is late from the next day, 00:00 Paris time.
    art14_notice_due_at: dt.date | None


@router.post(
    "/people",
    response={201: PersonOut, 400: ErrorOut, 409: ErrorOut, **AUTH_ERRORS},
    auth=api_key(Permission.PEOPLE_CREATE),
)
def create_person(request: HttpRequest, payload: PersonIn) -> Status:
    """Create a person with provenance (R8); partner or third-party data schedules the
    Art. 14 notice and blocks marketing until it is sent (R9)."""
    # Every field has a default, so ninja would take a JSON array or null as {}.
    if not isinstance(json.loads(request.body or b"null"), dict):
        raise HttpError(422, "The body must be a JSON object.")
    if payload.email and services.find_by_email(payload.email) is not None:
        raise HttpError(409, "A person with this e-mail address already exists.")
    try:
        fields = payload.dict()
        fields["subject_types"] = [str(t.value) for t in payload.subject_types]
        fields["source"] = str(payload.source.value)
        person = services.create_person(Actor.from_request(request), **fields)
    except services.InvalidPerson as error:
        raise HttpError(400, str(error)) from None
    return Status(
        201,
        PersonOut(
            id=person.id, source=person.source, art14_notice_due_at=person.art14_notice_due_at
        ),
    )
