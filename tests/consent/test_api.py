"""POST /consents and POST /audience/check with a scoped API key (R34-R43)."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from tests.consent.conftest import WORDING
from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import create_api_key
from vigie.audit.models import Event
from vigie.consent.api import router
from vigie.consent.models import ConsentEvent, Kind, Status, Subscription

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def api(make_staff, cli_actor):
    """A test client for the router, authenticating with a key holding ``scopes``."""

    def client(*scopes: Permission) -> TestClient:
        owner = make_staff(Role.SALES)
        key, secret = create_api_key(cli_actor, owner, name="crm", scopes=list(scopes))
        client = TestClient(router, headers={"Authorization": f"Bearer {secret}"})
        client.key = key  # type: ignore[attr-defined]
        return client

    return client


def test_a_consent_is_recorded_with_the_key_as_collector(api, make_person, policy_v1) -> None:
    person = make_person("crm@exemple.fr")
    client = api(Permission.CONSENT_RECORD)
    response = client.post(
        "/consents",
        json={
            "email": "CRM@exemple.fr",
            "action": "grant",
            "purpose": "offres",
            "wording": WORDING,
            "channel": "https://crm.example/form/7",
            "ip": "203.0.113.5",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "subscribed" and body["changed"] is True
    event = ConsentEvent.objects.get(pk=body["event_id"])
    assert event.person_id == person.pk
    assert event.collector == f"api_key:{client.key.prefix}"
    assert (event.method, event.ip, event.policy_version) == ("api", "203.0.113.5", 1)


def test_withdrawal_and_objection_are_idempotent(api, make_person, subscribe) -> None:
    person = make_person()
    subscribe(person)
    client = api(Permission.CONSENT_RECORD)
    body = {"person_id": str(person.pk), "action": "withdraw", "purpose": "newsletter"}
    first, second = client.post("/consents", json=body), client.post("/consents", json=body)
    assert (first.json()["changed"], second.json()["changed"]) == (True, False)
    objection = client.post("/consents", json={"person_id": str(person.pk), "action": "object"})
    assert objection.status_code == 200
    assert objection.json()["purpose"] == "all" and objection.json()["status"] == "objected"
    assert ConsentEvent.objects.filter(person=person, kind=Kind.WITHDRAW).count() == 1


def test_a_suppressed_address_cannot_be_resubscribed_through_the_api(
    api, make_person, subscribe, staff_actor
) -> None:
    from vigie.consent.services import withdraw

    person = make_person("non@exemple.fr")
    subscribe(person)
    withdraw(staff_actor, person, "newsletter", method="post")
    response = api(Permission.CONSENT_RECORD).post(
        "/consents",
        json={
            "email": "non@exemple.fr",
            "action": "grant",
            "purpose": "newsletter",
            "wording": "w",
        },
    )
    assert response.status_code == 409
    assert Subscription.objects.get(person=person).status == Status.WITHDRAWN


def test_an_unknown_person_is_404_and_a_missing_purpose_422(api) -> None:
    client = api(Permission.CONSENT_RECORD)
    unknown = {"email": "x@y.fr", "action": "withdraw", "purpose": "newsletter"}
    assert client.post("/consents", json=unknown).status_code == 404
    assert client.post("/consents", json={"action": "grant"}).status_code == 422


def test_the_audience_check_answers_each_address(api, make_person, subscribe) -> None:
    subscribe(make_person("oui@exemple.fr"))
    make_person("non@exemple.fr")
    response = api(Permission.AUDIENCE_CHECK).post(
        "/audience/check",
        json={"purpose": "newsletter", "addresses": ["oui@exemple.fr", "non@exemple.fr", "z@z.fr"]},
    )
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"address": "oui@exemple.fr", "allowed": True, "reason": None},
            {"address": "non@exemple.fr", "allowed": False, "reason": "NO_LEGAL_BASIS"},
            {"address": "z@z.fr", "allowed": False, "reason": "UNKNOWN"},
        ]
    }


def test_an_audience_check_is_journaled_with_counts_and_no_address(
    api, make_person, subscribe
) -> None:
    subscribe(make_person("oui@exemple.fr"))
    client = api(Permission.AUDIENCE_CHECK)
    client.post(
        "/audience/check",
        json={"purpose": "newsletter", "addresses": ["oui@exemple.fr", "z@z.fr"]},
    )
    event = Event.objects.get(action="consent:audience:check")
    assert event.extra == {"purpose": "newsletter", "addresses": 2, "allowed": 1}
    assert (event.actor_type, event.actor_id) == ("api_key", client.key.prefix)
    assert "exemple.fr" not in str(event.extra) and "z@z.fr" not in str(event.extra)


def test_more_than_100000_addresses_are_refused(api) -> None:
    client = api(Permission.AUDIENCE_CHECK)
    addresses = [f"a{n}@b.fr" for n in range(100_001)]
    response = client.post(
        "/audience/check", json={"purpose": "newsletter", "addresses": addresses}
    )
    assert response.status_code == 422


def test_an_unknown_purpose_is_refused(api) -> None:
    response = api(Permission.AUDIENCE_CHECK).post(
        "/audience/check", json={"purpose": "spam", "addresses": []}
    )
    assert response.status_code == 422


def test_each_route_needs_its_own_scope(api) -> None:
    recorder = api(Permission.CONSENT_RECORD)
    checker = api(Permission.AUDIENCE_CHECK)
    check = {"purpose": "newsletter", "addresses": ["a@b.fr"]}
    assert recorder.post("/audience/check", json=check).status_code == 403
    withdraw = {"email": "a@b.fr", "action": "withdraw", "purpose": "newsletter"}
    assert checker.post("/consents", json=withdraw).status_code == 403
    anonymous = TestClient(router)
    assert anonymous.post("/audience/check", json=check).status_code == 401
