"""Withdrawal per purpose (Art. 7(3)) and the global objection to marketing (Art. 21, R42)."""

from __future__ import annotations

import pytest

from vigie.audit.models import Event
from vigie.consent import services
from vigie.consent.models import (
    ConsentEvent,
    Kind,
    Method,
    Status,
    Subscription,
    SuppressionEntry,
)
from vigie.lib.tokens import make_token

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_a_withdrawal_stops_one_purpose_and_suppresses_the_address_for_it(
    make_person, subscribe, staff_actor
) -> None:
    person = make_person("un@exemple.fr")
    subscribe(person, "newsletter")
    subscribe(person, "offres")
    event = services.withdraw(staff_actor, person, "newsletter", method=Method.POST)
    assert event is not None and event.kind == Kind.WITHDRAW
    states = dict(Subscription.objects.filter(person=person).values_list("purpose", "status"))
    assert states == {"newsletter": Status.WITHDRAWN, "offres": Status.SUBSCRIBED}
    assert services.is_suppressed("un@exemple.fr", "newsletter")
    assert not services.is_suppressed("un@exemple.fr", "offres")
    assert Event.objects.filter(action="consent:newsletter:withdraw").count() == 1


def test_an_objection_removes_the_person_from_every_purpose(
    make_person, subscribe, staff_actor
) -> None:
    person = make_person("non.merci@exemple.fr")
    subscribe(person, "offres")
    event = services.object_to_marketing(staff_actor, person, method=Method.PHONE)
    assert event is not None and event.purpose == "all"
    statuses = dict(Subscription.objects.filter(person=person).values_list("purpose", "status"))
    assert statuses == {
        "newsletter": Status.OBJECTED,
        "offres": Status.OBJECTED,
        "offres_partenaires": Status.OBJECTED,
    }
    for purpose in ("newsletter", "offres", "offres_partenaires"):
        [result] = services.check_audience(purpose, ["non.merci@exemple.fr"])
        assert result.reason == "OBJECTED"
    assert services.object_to_marketing(staff_actor, person, method=Method.PHONE) is None
    assert Event.objects.filter(action="consent:marketing:object").count() == 1


def test_the_suppression_list_holds_no_address(make_person, staff_actor) -> None:
    person = make_person("cache@exemple.fr")
    services.object_to_marketing(staff_actor, person, method=Method.POST)
    entry = SuppressionEntry.objects.get()
    assert "cache" not in str(entry.__dict__) and len(entry.address_hash) == 64
    # Not the people blind index either: the two lists cannot be joined.
    assert entry.address_hash != person.email_index


def test_an_all_purposes_link_unsubscribes_from_all_marketing(make_person, subscribe) -> None:
    person = make_person()
    subscribe(person)
    first = services.unsubscribe(make_token(person.id, "all"), ip="192.0.2.1")
    again = services.unsubscribe(make_token(person.id, "all"), ip="192.0.2.1")
    assert (first.changed, again.changed) == (True, False)
    assert ConsentEvent.objects.filter(person=person, kind=Kind.OBJECT).count() == 1


def test_the_event_the_state_and_the_audit_are_written_together(
    make_person, subscribe, staff_actor, monkeypatch
) -> None:
    person = make_person()
    subscribe(person)

    def broken(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record_event", broken)
    with pytest.raises(RuntimeError):
        services.withdraw(staff_actor, person, "newsletter", method=Method.POST)
    assert Subscription.objects.get(person=person).status == Status.SUBSCRIBED
    assert not ConsentEvent.objects.filter(kind=Kind.WITHDRAW).exists()
    assert not SuppressionEntry.objects.exists()
