"""Consent records refuse card numbers and passwords in their free text (R18, R30)."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from tests.consent.conftest import WORDING
from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import create_api_key
from vigie.consent.api import router
from vigie.consent.forms import ImportForm, RecordForm
from vigie.consent.models import ConsentEvent

CARD = "carte 4970 1012 3456 7893"
PASSWORD = "mot de passe : Azerty123"


@pytest.mark.parametrize(("field", "value"), [("wording", CARD), ("proof_ref", PASSWORD)])
def test_the_phone_and_post_record_form_refuses_secrets(field: str, value: str) -> None:
    data = {"action": "object", "method": "phone", "wording": "", "proof_ref": ""}
    form = RecordForm(data={**data, field: value})
    assert not form.is_valid() and field in form.errors
    assert RecordForm(data=data).is_valid()


@pytest.mark.parametrize(("field", "value"), [("wording", CARD), ("channel", PASSWORD)])
def test_the_import_form_refuses_secrets(field: str, value: str) -> None:
    data = {"wording": WORDING, "channel": "salon 2026"}
    form = ImportForm(data={**data, field: value}, files={})
    assert field in form.errors


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_proof_reference_holding_a_card_number_is_not_saved(
    signed_in, make_staff, make_person
) -> None:
    person = make_person()
    client = signed_in(make_staff(Role.SALES))
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/backoffice/consent/people/{person.pk}/record/",
        {"action": "object", "method": "phone", "proof_ref": CARD, "wording": ""},
    )
    assert response.status_code == 400
    assert b"a payment card number" in response.content
    assert not ConsentEvent.objects.filter(person=person).exists()


@pytest.mark.django_db(databases=["default", "keys"])
@pytest.mark.parametrize("field", ["wording", "channel", "proof_ref"])
def test_the_api_refuses_a_consent_whose_free_text_holds_a_secret(
    make_staff, cli_actor, make_person, policy_v1, field
) -> None:
    person = make_person("crm@exemple.fr")
    _key, secret = create_api_key(
        cli_actor, make_staff(Role.SALES), name="crm", scopes=[Permission.CONSENT_RECORD]
    )
    client = TestClient(router, headers={"Authorization": f"Bearer {secret}"})
    body = {"person_id": str(person.pk), "action": "grant", "purpose": "offres"}
    body |= {"wording": WORDING, field: CARD if field != "channel" else "https://x/?token=abc123"}
    response = client.post("/consents", json=body)
    assert response.status_code == 422
    assert "4970" not in response.content.decode() and "abc123" not in response.content.decode()
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not ConsentEvent.objects.filter(person=person).exists()
