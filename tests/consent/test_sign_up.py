"""``consent.services.sign_up``: the web sign-up as one transaction (R34, R43)."""

from __future__ import annotations

import pytest

from vigie.audit.models import Event
from vigie.consent import services
from vigie.consent.models import ConsentEvent, Kind, Status, Subscription
from vigie.lib.purposes import Purpose
from vigie.mail.models import Message
from vigie.people.models import Person, PersonKey
from vigie.people.services import InvalidPerson, find_by_email

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

WORDING = "J'accepte de recevoir la lettre d'information."


def _sign_up(email: str = "lea@exemple.fr") -> Person:
    return services.sign_up(
        services.subject_actor("192.0.2.7"),
        email=email,
        first_name="Léa",
        purpose=Purpose.NEWSLETTER,
        wording=WORDING,
        channel="http://testserver/newsletter/",
        ip="192.0.2.7",
    )


def test_it_creates_the_person_the_pending_consent_and_the_confirmation_mail(policy_v1) -> None:
    person = _sign_up()
    assert find_by_email("lea@exemple.fr") == person
    assert person.subject_types == ["newsletter_subscriber"]
    event = ConsentEvent.objects.get(person=person)
    assert (event.kind, event.purpose, event.wording) == (Kind.PENDING, "newsletter", WORDING)
    assert Subscription.objects.get(person=person).status == Status.PENDING
    message = Message.objects.get()
    assert message.template == "newsletter_confirmation"


def test_signing_up_again_reuses_the_person(policy_v1) -> None:
    first = _sign_up()
    second = _sign_up("LEA@exemple.fr")
    assert second == first
    assert Person.objects.count() == 1


def test_a_failure_half_way_leaves_nothing_written(policy_v1, monkeypatch) -> None:
    def broken_mail(person: Person, token: str) -> None:
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(services, "send_confirmation_hook", broken_mail)
    events_before = Event.objects.count()
    with pytest.raises(RuntimeError):
        _sign_up()
    assert Person.objects.count() == 0
    assert PersonKey.objects.count() == 0
    assert ConsentEvent.objects.count() == 0
    assert Subscription.objects.count() == 0
    assert Message.objects.count() == 0
    assert Event.objects.count() == events_before


def test_an_address_that_is_not_one_is_refused_and_writes_nothing(policy_v1) -> None:
    with pytest.raises(InvalidPerson):
        _sign_up("not-an-address")
    assert Person.objects.count() == 0
    assert PersonKey.objects.count() == 0
