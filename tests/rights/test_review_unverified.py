"""Attack review of issue 14: a request whose requester's identity is not verified yet
(Art. 12(6)) changes nothing of the person's data: no erasure (R53), no rectification
(R54), no restriction with notices to recipients (R55); nothing is written to the
unverified requester about the person's data either."""

from __future__ import annotations

import pytest

from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.services import open_person
from vigie.rights import erasure, rectification, services
from vigie.rights.models import Case, Channel, ErasurePlan, ErasureStatus
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

IMPOSTOR = "claire.martin.vraie@ailleurs.example"


def _unverified(person: Person, types: list[str]) -> Case:
    """Someone writing from another address says they are Claire (portal form)."""
    case = services.open_case(
        Actor("anonymous", "", "203.0.113.5"),
        types=types,
        channel=Channel.PORTAL,
        requester=Requester(email=IMPOSTOR, name="Claire Martin"),
        person=person,
    ).case
    assert case.identity_status != "verified"
    return case


def test_an_unverified_erasure_is_not_confirmed_nor_run(claire: Person, privacy_lead) -> None:
    lead = Actor.for_user(privacy_lead)
    case = _unverified(claire, ["erasure"])
    plan = erasure.propose(lead, case, ["a"])  # preparing the plan reads, changes nothing
    letters = case.letters.count()
    with pytest.raises(services.RightsError, match=r"[Ii]dentit"):
        erasure.choose(lead, case, plan.proposed, ["a"])
    assert case.letters.count() == letters  # no « service stops » letter to the requester
    # Even a plan confirmed some other way does not run.
    ErasurePlan.objects.filter(pk=plan.pk).update(status=ErasureStatus.CONFIRMED)
    with pytest.raises(services.RightsError, match=r"[Ii]dentit"):
        erasure.run(lead, case)
    claire.refresh_from_db()
    assert claire.shredded_at is None
    assert open_person(claire).email


def test_an_unverified_rectification_changes_nothing(claire: Person, privacy_lead) -> None:
    lead = Actor.for_user(privacy_lead)
    case = _unverified(claire, ["rectification"])
    before = open_person(claire).phone
    with pytest.raises(services.RightsError, match=r"[Ii]dentit"):
        rectification.record_corrections(lead, case, {"phone": "06 66 66 66 66"})
    claire.refresh_from_db()
    assert open_person(claire).phone == before
    assert not case.rectifications.exists()
