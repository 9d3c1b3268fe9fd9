"""The marketing gate mail asks before queuing and again before sending a marketing
message (R35, R36, R41, R42): the audience check on each person's address.
Registered with mail by ``ConsentConfig.ready``; without it no marketing goes out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from vigie.consent.audience import check_audience
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, open_person


def marketing_gate(
    person_ids: Sequence[uuid.UUID], purpose: str
) -> dict[uuid.UUID, tuple[bool, str]]:
    """May each person receive ``purpose`` marketing now? (allowed, reason code)."""
    verdicts: dict[uuid.UUID, tuple[bool, str]] = {}
    addresses: dict[uuid.UUID, str] = {}
    for person in Person.objects.filter(pk__in=list(person_ids)):
        try:
            email = open_person(person).email
        except PersonUnavailable:
            verdicts[person.pk] = (False, "PERSON_ERASED")
            continue
        if person.shredded_at or not email:
            verdicts[person.pk] = (False, "NO_ADDRESS")
        else:
            addresses[person.pk] = email
    # One set-based audience check for every address (the hot path of a campaign).
    results = check_audience(purpose, list(addresses.values()))
    for pk, result in zip(addresses, results, strict=True):
        verdicts[pk] = (bool(result.allowed), str(result.reason or ""))
    return verdicts
