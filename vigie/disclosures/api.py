"""``/api/v1/disclosures``: other software logs what it sent to a recipient (R22).

A key with the scope ``disclosures:disclosure:record`` posts one transmission: the
person by ``person_id`` or by ``email`` (main or further address), the recipient by
its register key, the register's data-category keys, the moment (with its zone). The
same call again answers 200 with the same disclosure: a retry records nothing twice.

Errors say what is wrong: 404 when no person on file matches (the key, held by
software that already knows its clients, can tell whether an address is on file:
the scope is given only to such software, never to a public form), 400 for a
recipient not in the register (register it first) or an unknown category, 422 for a
body that is not the schema. A key with ``disclosures:disclosure:view`` reads a
person's log by id (journaled).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, field_validator

from vigie.accounts.api_auth import AUTH_ERRORS, ErrorOut, api_key
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_read
from vigie.disclosures.models import Channel, Disclosure
from vigie.disclosures.services import (
    DisclosureError,
    disclosures_of,
    find_person,
    record_disclosure,
)
from vigie.lib.bounds import ApiDateTime, ApiEmail, api_text

router = Router(tags=["disclosures"])

Key = api_text(64)


class DisclosureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID | None = None
    email: ApiEmail = ""
    recipient: Key  # type: ignore[valid-type]
    categories: list[Key] = Field(min_length=1, max_length=50)  # type: ignore[valid-type]
    disclosed_at: ApiDateTime
    purpose: api_text(64) = ""  # type: ignore[valid-type]
    legal_basis: api_text(200) = ""  # type: ignore[valid-type]
    reference: api_text(200) = ""  # type: ignore[valid-type]

    @field_validator("disclosed_at", mode="before")
    @classmethod
    def _iso_text(cls, value: object) -> object:
        # Lax parsing would take a number of seconds; the schema says an ISO 8601 string.
        if not isinstance(value, str | dt.datetime):
            raise ValueError("expected an ISO 8601 date-time")
        return value


class DisclosureOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    recipient: str
    categories: list[str]
    disclosed_at: dt.datetime
    reference: str
    #: False when the same disclosure was already in the log (a retry).
    created: bool


def _out(disclosure: Disclosure, created: bool) -> DisclosureOut:
    return DisclosureOut(
        id=disclosure.pk,
        person_id=disclosure.person_id,
        recipient=disclosure.recipient.key,
        categories=list(disclosure.categories),
        disclosed_at=disclosure.disclosed_at,
        reference=disclosure.reference,
        created=created,
    )


@router.post(
    "/disclosures",
    response={200: DisclosureOut, 201: DisclosureOut, 404: ErrorOut, **AUTH_ERRORS},
    auth=api_key(Permission.DISCLOSURES_RECORD),
)
def create_disclosure(request: HttpRequest, payload: DisclosureIn) -> Status:
    """Log that a person's data was sent to a recipient of the register (R22): 201 when
    recorded, 200 when the same disclosure was already in the log."""
    if not isinstance(json.loads(request.body or b"null"), dict):
        raise HttpError(422, "The body must be a JSON object.")
    if (payload.person_id is None) == (not payload.email):
        raise HttpError(400, "Give the person's person_id or email (one of them).")
    if payload.disclosed_at.tzinfo is None:
        raise HttpError(400, "disclosed_at needs a time zone (e.g. 2026-03-10T09:00:00+01:00).")
    if payload.disclosed_at > timezone.now():
        raise HttpError(400, "A disclosure cannot be in the future.")
    person = find_person(email=payload.email, person_id=payload.person_id)
    if person is None:
        raise HttpError(404, "No person on file has this identifier or e-mail address.")
    try:
        disclosure, created = record_disclosure(
            Actor.from_request(request),
            person,
            payload.recipient,
            payload.categories,
            payload.disclosed_at,
            purpose=payload.purpose,
            legal_basis=payload.legal_basis,
            reference=payload.reference,
            channel=Channel.API,
        )
    except DisclosureError as error:
        raise HttpError(400, str(error)) from None
    return Status(201 if created else 200, _out(disclosure, created))


@router.get(
    "/people/{person_id}/disclosures",
    response={200: list[DisclosureOut], 404: ErrorOut, **AUTH_ERRORS},
    auth=api_key(Permission.DISCLOSURES_VIEW),
)
def read_disclosures(request: HttpRequest, person_id: uuid.UUID) -> list[DisclosureOut]:
    """A person's disclosure log, newest first (journaled)."""
    person = find_person(person_id=person_id)
    if person is None:
        raise HttpError(404, "No person has this identifier.")
    disclosures = disclosures_of(person)
    record_read(
        Actor.from_request(request),
        person,
        view="api:disclosures",
        extra={"disclosures": len(disclosures)},
    )
    return [_out(d, False) for d in disclosures]
