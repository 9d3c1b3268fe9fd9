"""Every input kind within bounds, a clear 4xx in the API's error format (issue 11 #10).

Names, addresses (RFC 5321), phones, free text and dates, on the API and on a form;
and a request body over the limit is a 413.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import create_api_key
from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.services import InvalidPerson, create_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

GOOD = {
    "email": "paul.martin@entreprise.fr",
    "first_name": "Paul",
    "last_name": "Martin",
    "phone": "+33 (0)4 42 00 00 01",
}
RLO = "\u202e"


@pytest.fixture
def token(make_staff) -> str:
    owner = make_staff(Role.PRIVACY_LEAD)
    scopes = [Permission.PEOPLE_CREATE, Permission.CONSENT_RECORD, Permission.AUDIENCE_CHECK]
    return create_api_key(Actor.cli("t"), owner, name="crm", scopes=scopes)[1]


def _post(client: Client, token: str, path: str, body: object):
    return client.post(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _refused(response, status: int = 422, field: str | None = None) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    if field is not None:
        locs = [detail["loc"][-1] for detail in body["error"]["details"]]
        assert field in locs, body
    return json.dumps(body)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("first_name", "x" * 15 * 1024 * 1024, "150"),  # a 15 MB name
        ("last_name", "Mart\x00in", "NUL"),
        ("last_name", f"Martin{RLO}gpj.exe", "U+202E"),
        ("email", "a" * 290 + "@exemple.fr", "254"),  # a 300-character mailbox
        ("email", "a" * 65 + "@exemple.fr", "65"),
        ("email", f"paul{RLO}@exemple.fr", "U+202E"),
        ("phone", "1" * 5000, "32"),  # a 5,000-digit phone
        ("phone", "+33 1 23 45 67 89 01 23 45 67", "19"),
        ("phone", "06 12 <script>", "+ ( ) . - /"),
        ("partner_permission_ref", "ref\x00", "NUL"),
        ("collected_at", "9999-12-31T23:59:59-12:00", "01/01/1900"),
        ("collected_at", "0001-01-01T00:00:00+14:00", "31/12/2100"),
    ],
)
def test_people_api_refuses_out_of_bounds_input(
    client: Client, token: str, field: str, value: str, says: str
) -> None:
    body = {**GOOD, field: value}
    if field in ("partner_permission_ref", "collected_at"):
        body |= {"source": "partner", "source_name": "Salon", "partner_permission_ref": "c-1"}
        body[field] = value
    text = _refused(_post(client, token, "/api/v1/people", body), 422, field)
    assert says in json.loads(text)["error"]["details"][0]["msg"]
    assert not Person.objects.exists()


def test_people_api_accepts_values_at_the_bounds(client: Client, token: str) -> None:
    body = {
        **GOOD,
        "email": "a" * 64 + "@" + "b" * 180 + ".fr",
        "first_name": "É" * 150,
        "phone": "+" + "3" * 15,
        "collected_at": "2100-12-31T23:59:59-12:00",
    }
    assert _post(client, token, "/api/v1/people", body).status_code == 201


def test_consent_api_refuses_bad_dates_text_and_addresses(client: Client, token: str) -> None:
    create_person(Actor.cli("t"), email="paul.martin@entreprise.fr")
    base = {"email": "paul.martin@entreprise.fr", "action": "grant", "purpose": "newsletter"}
    base["wording"] = "J'accepte de recevoir la lettre."
    cases = [
        ({"occurred_at": "9999-12-31T23:59:59-12:00"}, "occurred_at"),
        ({"wording": f"J'accepte{RLO}"}, "wording"),
        ({"channel": "web\x00"}, "channel"),
        ({"ip": "x" * 5000}, "ip"),
        ({"email": "p" * 300 + "@entreprise.fr"}, "email"),
    ]
    for change, field in cases:
        _refused(_post(client, token, "/api/v1/consents", base | change), 422, field)
    good = _post(client, token, "/api/v1/consents", base | {"ip": "2001:db8::1"})
    assert good.status_code == 200, good.content


def test_audience_check_refuses_an_overlong_address(client: Client, token: str) -> None:
    body = {"purpose": "newsletter", "addresses": ["ok@exemple.fr", "a" * 300 + "@exemple.fr"]}
    _refused(_post(client, token, "/api/v1/audience/check", body), 422)
    body["addresses"] = ["ok@exemple.fr"]
    assert _post(client, token, "/api/v1/audience/check", body).status_code == 200


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=64 * 1024)
def test_a_body_over_the_limit_is_a_413_in_the_error_format(client: Client, token: str) -> None:
    body = {**GOOD, "first_name": "x" * 100_000}
    text = _refused(_post(client, token, "/api/v1/people", body), 413)
    assert '"too_large"' in text
    assert not Person.objects.exists()


def test_the_services_refuse_what_an_import_would_bring() -> None:
    for fields in [
        {"email": "a" * 65 + "@exemple.fr"},
        {"first_name": "Jean\x00"},
        {"last_name": "x" * 151},
        {"phone": "9" * 16},
        {"job_title": f"Directeur{RLO}"},
    ]:
        with pytest.raises(InvalidPerson):
            create_person(Actor.cli("import"), **fields)
    assert not Person.objects.exists()


def test_the_sign_up_form_refuses_out_of_bounds_input(client: Client) -> None:
    for data, field in [
        ({"email": "a" * 65 + "@exemple.fr"}, "email"),
        ({"email": "ok@exemple.fr", "first_name": f"Anne{RLO}"}, "first_name"),
        ({"email": "ok@exemple.fr", "first_name": "x" * 151}, "first_name"),
    ]:
        response = client.post("/newsletter/", {"consent": "on", **data})
        assert response.status_code == 400  # the form again, with its error
        assert response.context["form"].errors[field]
    assert not Person.objects.exists()
