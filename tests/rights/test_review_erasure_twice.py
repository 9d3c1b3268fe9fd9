"""Attack review of issue 14: a double submit of the erasure run (R53)."""

from __future__ import annotations

import pytest

from vigie.audit.actor import Actor
from vigie.people.models import Person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_two_runs_of_one_erasure_send_one_letter_and_one_decision(
    claire: Person, privacy_lead, monkeypatch
) -> None:
    """A double submit of « Run »: the second request read the plan as confirmed while the
    first was erasing; when it reaches its last step the plan is done and it stops there
    (no second decision, letter or timeline step)."""
    from vigie.rights import erasure
    from vigie.rights.models import Decision, ErasureStatus

    from .backoffice import open_verified

    lead = Actor.for_user(privacy_lead)
    case = open_verified(claire, types=["erasure"])
    plan = erasure.propose(lead, case, ["a"])
    plan = erasure.choose(lead, case, plan.proposed, ["a"])
    if plan.status == ErasureStatus.AWAITING_CLIENT:
        erasure.record_client_confirmation(lead, case, "Courrier du 02/03/2026.")
    real_erase = erasure._erase
    calls: list[int] = []

    def concurrent(actor, plan, subject):  # the other request runs to its end meanwhile
        reports = real_erase(actor, plan, subject)
        if not calls:
            calls.append(1)
            erasure.run(lead, case)
        return reports

    monkeypatch.setattr(erasure, "_erase", concurrent)
    assert erasure.run(lead, case).status == ErasureStatus.DONE
    assert case.letters.filter(template="rights_erasure_done").count() == 1
    assert Decision.objects.filter(case=case, request_type="erasure").count() == 1
    assert case.events.filter(kind="erasure_done").count() == 1
