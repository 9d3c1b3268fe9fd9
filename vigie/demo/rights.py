"""A few rights requests for the demo, at every point of their clock: the dashboard
shows green, amber (D-7), orange (D-2), red (overdue) and a suspended case waiting for
its requester, and one answered. Created once, through the same services as real ones
(their letters go to the demo's mail sink)."""

from __future__ import annotations

from datetime import datetime, timedelta

from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import ClockColour, RequestClock
from vigie.people.models import Person
from vigie.people.services import open_person
from vigie.rights import services
from vigie.rights.models import Case, Channel
from vigie.rights.sealing import Requester

#: (colour of the clock today, types, channel); the first one is then answered.
CASES = (
    (ClockColour.GREEN, ["access"], Channel.PORTAL),
    (ClockColour.AMBER, ["erasure"], Channel.POST),
    (ClockColour.ORANGE, ["objection"], Channel.MAILBOX),
    (ClockColour.RED, ["access", "portability"], Channel.EMAIL),
    (ClockColour.GREEN, ["rectification"], Channel.PHONE),
)


def _received_for(colour: ClockColour, now: datetime) -> datetime:
    """The most recent receipt (by whole days back) whose clock shows ``colour`` today:
    months differ in length, so the number of days is found, not fixed."""
    for days in range(2, 45):
        received = now - timedelta(days=days, hours=2)
        if RequestClock(received).colour(now) is colour:
            return received
    raise ValueError(colour)


def create_demo_cases() -> list[Case]:
    """Create the demo cases once (nothing when a case exists); return them."""
    if Case.objects.exists():
        return []
    actor = Actor.cli("demo")
    people = list(Person.objects.filter(shredded_at__isnull=True).order_by("created_at")[:6])
    if len(people) < len(CASES):
        return []
    from django.utils import timezone

    now = timezone.now()
    cases = []
    for (colour, types, channel), person in zip(CASES, people, strict=False):
        data = open_person(person)
        intake = services.open_case(
            actor,
            types=types,
            channel=channel,
            requester=Requester(email=data.email, name=f"{data.first_name} {data.last_name}"),
            received_at=_received_for(colour, now),
            person=person,
            verified_by="known_to_staff",
        )
        cases.append(intake.case)
    # Someone writing from an address Vigie does not know: a neutral reply, the clock stopped.
    cases.append(
        services.open_case(
            actor,
            types=["erasure"],
            channel=Channel.PORTAL,
            requester=Requester(email="inconnu.demandeur@exemple-perso.fr", name="Sam Inconnu"),
            description="Merci d’effacer toutes mes données.",
        ).case
    )
    # One answered.
    services.decide(actor, cases[0], "access", "granted", "")
    cases[0] = services.answer(actor, cases[0])
    return cases
