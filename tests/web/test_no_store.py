"""Pages that show personal data tell every cache, the browser's included, not to keep
them (``Cache-Control: no-store``): a shared computer's back button or disk cache must
not give the next user a person's record (issue 11, item 12)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vigie.lib.tokens import make_token
from vigie.people.services import create_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def person(cli_actor):
    return create_person(
        cli_actor, email="lea.bernard@exemple.fr", first_name="Léa", last_name="Bernard"
    )


def _assert_not_stored(response) -> None:
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_person_page_and_the_consent_proof_are_not_stored(
    signed_in, privacy_lead, person
) -> None:
    client = signed_in(privacy_lead)
    _assert_not_stored(client.get(reverse("people:detail", args=[person.pk])))
    _assert_not_stored(client.get(reverse("consent:proof", args=[person.pk])))
    _assert_not_stored(client.get(reverse("consent:proof-export", args=[person.pk])))


def test_the_portal_preference_centre_is_not_stored(client: Client, person) -> None:
    _assert_not_stored(client.get(f"/preferences/{make_token(person.id, 'all')}"))


def test_a_back_office_page_refused_to_an_outsider_is_not_stored_either(
    signed_in, outsider, person
) -> None:
    response = signed_in(outsider).get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
