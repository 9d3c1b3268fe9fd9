"""Attack review of issue 14: every closing path waits for the Art. 19 tasks (R57)."""

from __future__ import annotations

import pytest

from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.rights import services
from vigie.rights.art19 import open_notices
from vigie.rights.models import Case, Channel, NoticeStatus, NoticeTrigger, Status
from vigie.rights.restriction import restrict_case
from vigie.rights.sealing import Requester

from .disclosure_helpers import disclose_to_both, give_recipients_a_mailbox

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _unverified(person: Person, types: list[str]) -> Case:
    return services.open_case(
        Actor.cli(),
        types=types,
        channel=Channel.PHONE,
        requester=Requester(email="claire.martin@client.example", name="Claire Martin"),
        person=person,
    ).case


def test_an_unverified_closure_waits_for_the_art19_tasks(claire: Person, privacy_lead) -> None:
    """R57: every closing path refuses while an Art. 19 task is open, the unverified
    closure included (a restriction set before the identity was confirmed opens tasks)."""
    give_recipients_a_mailbox()
    disclose_to_both(claire)
    case = _unverified(claire, ["restriction"])
    actor = Actor.for_user(privacy_lead)
    # An unverified requester cannot restrict (below): the tasks are opened as a step that
    # needs none would open them, to try the closing path itself.
    open_notices(actor, case, NoticeTrigger.RESTRICTION)
    assert case.notices.filter(status=NoticeStatus.OPEN).count() == 2
    with pytest.raises(services.RightsError, match=r"19"):
        services.close_unverified(actor, case, "Pas de réponse au défi d’identité.")
    case.refresh_from_db()
    assert case.closed_at is None and case.status != Status.UNVERIFIED


def test_someone_who_only_claims_to_be_the_person_cannot_restrict(
    claire: Person, privacy_lead
) -> None:
    """Restricting stops the person's processing and tells the recipients: not on the word
    of a requester whose identity is not verified."""
    disclose_to_both(claire)
    case = _unverified(claire, ["restriction"])
    with pytest.raises(services.RightsError):
        restrict_case(Actor.for_user(privacy_lead), case)
    assert case.notices.count() == 0
    assert not claire.restrictions.exists()
