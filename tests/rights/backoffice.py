"""Helpers of the back-office tests: cases opened through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from vigie.audit.actor import Actor
from vigie.rights import services
from vigie.rights.models import Case, Channel
from vigie.rights.sealing import Requester

PARIS = dt.timezone(dt.timedelta(hours=1))


def open_verified(person: Any, *, days_ago: int = 0, types: list[str] | None = None) -> Case:
    """A case about ``person`` received ``days_ago`` days ago, identity known to staff."""
    received = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    return services.open_case(
        Actor.cli(),
        types=types or ["access", "erasure"],
        channel=Channel.PHONE,
        requester=Requester(email="claire.martin@client.example", name="Claire Martin"),
        description="Je veux savoir ce que vous avez sur moi.",
        person=person,
        received_at=received,
        verified_by="known_to_staff",
    ).case


def open_unknown(*, at: dt.datetime | None = None) -> Case:
    """A case from an address Vigie does not know: the clock is suspended (R48)."""
    if at is None:
        return services.open_case(
            Actor.cli(),
            types=["access"],
            channel=Channel.PORTAL,
            requester=Requester(email="inconnu@ailleurs.example", name="Paul Inconnu"),
        ).case
    with time_machine.travel(at, tick=False):
        return open_unknown()
