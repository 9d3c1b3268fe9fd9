"""Art. 19 (R57): one notice task per recipient of the disclosure log (R22) that received
the affected categories; opening them again adds none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.disclosures.services import DisclosureError, recipients_of, record_disclosure
from vigie.people.models import Person
from vigie.rights import services
from vigie.rights.art19 import open_notices, open_notices_of
from vigie.rights.models import Channel, NoticeStatus, NoticeTrigger
from vigie.rights.services import Requester

from .conftest import ON_FILE

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

WHEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _case(person: Person):
    return services.open_case(
        Actor.cli(),
        types=["rectification"],
        channel=Channel.POST,
        requester=Requester(email=ON_FILE, name="Claire Martin"),
        person=person,
        verified_by="customer_reference",
    ).case


def test_an_unregistered_recipient_cannot_be_logged(claire: Person) -> None:
    # The messages are translated (French by default): read in English here.
    with translation.override("en"):
        with pytest.raises(DisclosureError, match="register it first"):
            record_disclosure(Actor.cli(), claire, "nobody-sarl", ["identity-contact"], WHEN)
        with pytest.raises(DisclosureError, match="Not a data category"):
            record_disclosure(Actor.cli(), claire, "debt-collectors", ["hobbies"], WHEN)


def test_the_same_line_twice_is_one_disclosure(claire: Person) -> None:
    first, created = record_disclosure(
        Actor.cli(), claire, "debt-collectors", ["identity-contact"], WHEN, reference="R-12"
    )
    again, created_again = record_disclosure(
        Actor.cli(), claire, "debt-collectors", ["identity-contact"], WHEN, reference="R-12"
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Event.objects.filter(action="disclosures:disclosure:record").count() == 1


def test_one_task_per_recipient_that_received_the_affected_data(claire: Person) -> None:
    record_disclosure(Actor.cli(), claire, "technical-subcontractors", ["identity-contact"], WHEN)
    record_disclosure(Actor.cli(), claire, "debt-collectors", ["identity-contact"], WHEN)
    record_disclosure(Actor.cli(), claire, "external-counsel", ["litigation-files"], WHEN)
    case = _case(claire)

    notices = open_notices(Actor.cli(), case, NoticeTrigger.RECTIFICATION, ["identity-contact"])

    assert sorted(n.recipient.key for n in notices) == [
        "debt-collectors",
        "technical-subcontractors",
    ]
    assert all(n.status == NoticeStatus.OPEN for n in notices)
    again = open_notices(Actor.cli(), case, NoticeTrigger.RECTIFICATION, ["identity-contact"])
    assert sorted(n.pk for n in again) == sorted(n.pk for n in notices)
    assert len(open_notices_of(case)) == 2
    assert [r.recipient.key for r in recipients_of(claire)] == [
        "debt-collectors",
        "external-counsel",
        "technical-subcontractors",
    ]
