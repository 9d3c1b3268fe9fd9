"""The demo's rights requests show every colour of the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.demo.rights import create_demo_cases
from vigie.people.services import create_person
from vigie.rights.models import Status
from vigie.rights.services import clock_of

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.mark.parametrize("today", ["2025-03-01", "2025-03-31", "2025-02-28", "2024-12-31"])
def test_the_demo_cases_show_every_clock_colour_once_created(today: str) -> None:
    with time_machine.travel(dt.datetime.fromisoformat(today + "T10:00:00+01:00"), tick=False):
        _every_colour()


def _every_colour() -> None:
    for n in range(6):
        create_person(Actor.cli(), email=f"p{n}@client.example", first_name="P", last_name=str(n))
    cases = create_demo_cases()
    now = timezone.now()
    colours = {clock_of(c).colour(now).value for c in cases if c.status != Status.ANSWERED}
    assert colours == {"green", "amber", "orange", "red", "suspended"}
    assert any(c.status == Status.ANSWERED for c in cases)
    assert create_demo_cases() == []
