"""record_consent: the R34 proof, the policy version in force (R75), and R43."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from tests.consent.conftest import WORDING, publish_policy
from vigie.audit.models import Event
from vigie.consent import services
from vigie.consent.models import ConsentEvent, Kind, Method, Status, Subscription
from vigie.people.models import SubjectType

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_a_consent_is_stored_with_every_proof_field_and_an_audit_event(
    make_person, staff_actor, policy_v1
) -> None:
    person = make_person("jeanne@exemple.fr")
    event = services.record_consent(
        staff_actor,
        person,
        "offres",
        wording=WORDING,
        method=Method.PHONE,
        channel="phone",
        ip="192.0.2.44",
        proof_ref="appel-2026-0042",
    )
    stored = ConsentEvent.objects.get(pk=event.pk)
    assert (stored.kind, stored.purpose, stored.wording) == (Kind.GRANT, "offres", WORDING)
    assert stored.policy_version == 1
    assert (stored.method, stored.channel, stored.ip) == ("phone", "phone", "192.0.2.44")
    assert stored.collector == f"user:{staff_actor.id}"
    assert stored.proof_ref == "appel-2026-0042"
    assert stored.email_index == person.email_index
    sub = Subscription.objects.get(person=person, purpose="offres")
    assert sub.status == Status.SUBSCRIBED and sub.last_event_id == event.pk
    audit = Event.objects.get(action="consent:offres:grant")
    assert audit.object_id == str(person.pk) and audit.extra["event"] == event.pk


def test_a_consent_given_the_day_before_a_new_version_references_the_old_one(
    make_person, staff_actor
) -> None:
    v2_effective = timezone.now() + dt.timedelta(days=1)
    publish_policy(1, timezone.now() - dt.timedelta(days=60))
    publish_policy(2, v2_effective)
    person = make_person()
    before = services.record_consent(
        staff_actor, person, "newsletter", wording=WORDING, method=Method.PHONE
    )
    assert before.policy_version == 1
    with time_machine.travel(v2_effective + dt.timedelta(hours=1), tick=False):
        other = make_person()
        after = services.record_consent(
            staff_actor, other, "newsletter", wording=WORDING, method=Method.PHONE
        )
    assert after.policy_version == 2


def test_consent_events_are_append_only(make_person, subscribe) -> None:
    person = make_person()
    subscribe(person)
    event = ConsentEvent.objects.get(person=person)
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        ConsentEvent.objects.filter(pk=event.pk).update(wording="changed")
    with pytest.raises(RuntimeError):
        event.delete()


def test_staff_cannot_re_enable_marketing_for_a_suppressed_address(
    make_person, subscribe, staff_actor
) -> None:
    person = make_person("suppr@exemple.fr")
    subscribe(person)
    services.withdraw(staff_actor, person, "newsletter", method=Method.POST)
    assert services.is_suppressed("  SUPPR@exemple.FR")
    with pytest.raises(services.ReservedToSubject) as refused, translation.override("en"):
        subscribe(person)
    with translation.override("en"):
        assert "Action reserved to the person concerned" in str(refused.value)
    assert Subscription.objects.get(person=person, purpose="newsletter").status == "withdrawn"
    assert ConsentEvent.objects.filter(person=person).count() == 2


def test_a_new_record_for_a_suppressed_address_cannot_be_subscribed_by_staff_either(
    make_person, subscribe, staff_actor
) -> None:
    first = make_person("revient@exemple.fr")
    services.object_to_marketing(staff_actor, first, method=Method.PHONE)
    second = make_person("Revient@Exemple.fr")
    with pytest.raises(services.ReservedToSubject):
        subscribe(second, "offres")


def test_a_consent_needs_the_exact_wording(make_person, staff_actor) -> None:
    with pytest.raises(services.ConsentError):
        services.record_consent(staff_actor, make_person(), "newsletter", wording=" ", method="api")


def test_a_soft_opt_in_is_only_for_clients_and_only_for_semi_offers(
    make_person, staff_actor
) -> None:
    client = make_person(types=(SubjectType.CLIENT_INDIVIDUAL_B2C,))
    prospect = make_person(types=(SubjectType.PROSPECT_B2C,))
    with pytest.raises(services.ConsentError):
        services.record_consent(
            staff_actor, client, "newsletter", wording=WORDING, method="api", soft_opt_in=True
        )
    with pytest.raises(services.ConsentError):
        services.record_consent(
            staff_actor, prospect, "offres", wording=WORDING, method="api", soft_opt_in=True
        )
    event = services.record_consent(
        staff_actor, client, "offres", wording=WORDING, method="api", soft_opt_in=True
    )
    assert event.kind == Kind.SOFT_OPT_IN
    assert Subscription.objects.get(person=client, purpose="offres").soft_opt_in


def test_an_ip_address_that_is_not_one_is_refused(make_person, staff_actor) -> None:
    with pytest.raises(services.ConsentError):
        services.record_consent(
            staff_actor, make_person(), "newsletter", wording=WORDING, method="api", ip="nope"
        )
