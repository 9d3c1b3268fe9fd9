"""POST /api/v1/people: a person with provenance (R8, R9)."""

from __future__ import annotations

import pytest
from django.test import Client

from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import create_api_key
from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.services import open_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def token(make_staff) -> str:
    owner = make_staff(Role.SALES)
    return create_api_key(Actor.cli("t"), owner, name="crm", scopes=[Permission.PEOPLE_CREATE])[1]


def _post(client: Client, token: str, body: dict):
    return client.post(
        "/api/v1/people",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_partner_sourced_contact_gets_an_art14_deadline(client: Client, token: str) -> None:
    body = {
        "email": "paul.martin@entreprise.fr",
        "first_name": "Paul",
        "last_name": "Martin",
        "subject_types": ["partner_sourced_contact", "prospect_B2B"],
        "source": "partner",
        "source_name": "Salon IT Sud",
        "partner_permission_ref": "contrat-2026-14",
        "collected_at": "2025-02-03T10:00:00+01:00",
    }
    response = _post(client, token, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["art14_notice_due_at"].startswith("2025-03-03")
    person = Person.objects.get(pk=data["id"])
    assert person.art14_notice_pending
    assert open_person(person).last_name == "Martin"
    assert person.source_name == "Salon IT Sud"


def test_partner_data_without_proof_of_permission_is_refused(client: Client, token: str) -> None:
    response = _post(
        client, token, {"email": "x@entreprise.fr", "source": "partner", "source_name": "P"}
    )
    assert response.status_code == 400
    assert "proof" in response.json()["error"]["message"]
    assert not Person.objects.exists()


def test_a_duplicate_address_is_a_conflict(client: Client, token: str) -> None:
    assert _post(client, token, {"email": "a@entreprise.fr"}).status_code == 201
    response = _post(client, token, {"email": "A@Entreprise.fr"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_bad_input_is_a_422_in_the_error_format(client: Client, token: str) -> None:
    response = _post(client, token, {"subject_types": "prospect_B2B"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert _post(client, token, {"subject_types": ["martian"]}).status_code == 422
    assert _post(client, token, [None, None]).status_code == 422
    assert _post(client, token, {"informed_of_opt_out": 0}).status_code == 422
    assert _post(client, token, {"collected_at": 946684800}).status_code == 422
    assert _post(client, token, {"colour": "blue"}).status_code == 422
