"""POST /api/v1/requests and GET /api/v1/requests/<number> (R46, R78)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.rights.conftest import ON_FILE
from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import create_api_key
from vigie.audit.actor import Actor
from vigie.rights.models import Case, Channel, Status

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def owner(make_staff):
    return make_staff(Role.SALES)


def _key(owner, *scopes: Permission) -> str:
    return create_api_key(Actor.cli("t"), owner, name="crm", scopes=list(scopes))[1]


def _post(client: Client, token: str, body: object):
    return client.post(
        "/api/v1/requests", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_a_request_from_the_address_on_file_gets_its_number_and_due_date(
    client, owner, claire
) -> None:
    token = _key(owner, Permission.RIGHTS_CASE_CREATE, Permission.RIGHTS_CASE_VIEW)
    response = _post(
        client, token, {"types": ["access"], "email": ON_FILE, "description": "Mes données ?"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(number=data["number"])
    assert case.channel == Channel.API and data["status"] == case.status
    assert case.recorded_by.startswith("api_key:")
    read = client.get(f"/api/v1/requests/{case.number}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert read.status_code == 200 and read.json()["number"] == case.number


def test_an_unknown_address_gets_the_same_answer_shape_and_a_suspended_clock(client, owner) -> None:
    token = _key(owner, Permission.RIGHTS_CASE_CREATE)
    response = _post(client, token, {"types": ["erasure"], "email": "x@ailleurs.example"})
    assert response.status_code == 201
    assert response.json()["status"] == Status.AWAITING_IDENTITY
    assert response.json()["due_date"] is None


def test_a_key_without_the_scope_is_refused(client, owner) -> None:
    token = _key(owner, Permission.PEOPLE_CREATE)
    response = _post(client, token, {"types": ["access"], "email": "x@ailleurs.example"})
    assert response.status_code == 403
    assert "rights:case:create" in response.json()["error"]["message"]
    assert not Case.objects.exists()
    assert (
        client.get(
            "/api/v1/requests/DDP-2026-0001", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"types": ["nonsense"], "email": "x@y.example"}, 422, "Invalid request"),
        ({"types": [], "email": "x@y.example"}, 422, "Invalid request"),
        ({"types": ["access"]}, 400, "at least"),
        ({"types": ["access"], "email": "pas une adresse"}, 422, "Invalid request"),
        ({"types": ["access"], "name": "A", "received_at": "2099-01-01T00:00:00+01:00"}, 400,
         "futur"),
        ({"types": ["access"], "name": "A", "received_at": "2025-01-01T00:00:00"}, 400,
         "time zone"),
        ({"types": ["access"], "name": "A", "colour": "red"}, 422, "Invalid request"),
        (["access"], 422, ""),
    ],
)  # fmt: skip
def test_bad_input_is_a_4xx_with_a_message(client, owner, body, status, words) -> None:
    token = _key(owner, Permission.RIGHTS_CASE_CREATE)
    response = _post(client, token, body)
    assert response.status_code == status, response.content
    assert words in response.json()["error"]["message"]
    assert not Case.objects.exists()


def test_an_unknown_number_is_a_404(client, owner) -> None:
    token = _key(owner, Permission.RIGHTS_CASE_VIEW)
    response = client.get("/api/v1/requests/DDP-1999-9999", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_answer_says_the_same_for_a_known_and_an_unknown_address(client, owner, claire) -> None:
    """No enumeration (R48): the clock runs for the address on file and is suspended for
    an unknown one, but the answer to the key that filed them must not tell which."""
    token = _key(owner, Permission.RIGHTS_CASE_CREATE)
    known = _post(client, token, {"types": ["access"], "email": ON_FILE}).json()
    unknown = _post(client, token, {"types": ["access"], "email": "x@ailleurs.example"}).json()
    assert Case.objects.get(number=known["number"]).due_date is not None
    for data in (known, unknown):
        data.pop("number"), data.pop("received_at")
    assert known == unknown == {"status": Status.AWAITING_IDENTITY, "due_date": None}


def test_a_request_from_an_unknown_address_received_long_ago_is_recorded_late(
    client, owner
) -> None:
    token = _key(owner, Permission.RIGHTS_CASE_CREATE, Permission.RIGHTS_CASE_VIEW)
    body = {"types": ["access"], "email": "x@y.example", "received_at": "2020-01-06T10:00:00Z"}
    response = _post(client, token, body)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.suspensions == [] and case.due_date.isoformat() == "2020-02-06"
    read = client.get(f"/api/v1/requests/{case.number}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert read.json()["due_date"] == "2020-02-06"
