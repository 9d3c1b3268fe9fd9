"""Attack review of issue 14: a death notified twice at the same moment (two colleagues, a
double submit) is recorded once (R59): the second is refused under the person's lock."""

from __future__ import annotations

import datetime as dt

import pytest

from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.rights import death
from vigie.rights.models import Case, DeathNotice
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

HEIR = Requester(email="paul.martin@example.fr", name="Paul Martin")
CERTIFICATE = b"%PDF-1.4 acte de deces"


def _record(lead: Actor, person: Person) -> death.DeathOutcome:
    return death.record_death(
        lead,
        person,
        died_on=dt.date(2026, 11, 2),
        proof=CERTIFICATE,
        proof_type="application/pdf",
        notified_by=HEIR,
    )


def test_a_death_recorded_twice_at_once_is_recorded_once(
    claire: Person, privacy_lead, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = Actor.for_user(privacy_lead)
    current_directive = death.current_directive
    started: list[bool] = []

    def meanwhile(person: Person):
        # The other request got past the same first check and finished first.
        if not started:
            started.append(True)
            _record(lead, person)
        return current_directive(person)

    monkeypatch.setattr(death, "current_directive", meanwhile)
    with pytest.raises(death.RightsError, match=r"déjà|already"):
        _record(lead, claire)
    assert DeathNotice.objects.filter(person=claire).count() == 1
    assert Case.objects.filter(person=claire).count() == 1
