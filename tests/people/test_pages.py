"""People pages: decrypted on the detail page only, each read journaled; roles enforced."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vigie.audit.models import Event
from vigie.people.services import create_person, shred_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def person(cli_actor):
    return create_person(
        cli_actor, email="lea.bernard@exemple.fr", first_name="Léa", last_name="Bernard"
    )


def test_the_list_shows_no_clear_personal_data_and_finds_by_email(
    signed_in, make_staff, person
) -> None:
    client = signed_in(make_staff("sales"))
    page = client.get(reverse("people:list")).content.decode()
    assert str(person.pk)[:8] in page and "Bernard" not in page
    found = client.get(reverse("people:list"), {"email": "LEA.BERNARD@exemple.fr"}).content.decode()
    assert str(person.pk)[:8] in found
    assert (
        str(person.pk)[:8]
        not in client.get(reverse("people:list"), {"email": "x@y.fr"}).content.decode()
    )


def test_the_detail_page_decrypts_and_journals_the_read(signed_in, make_staff, person) -> None:
    sales = make_staff("sales")
    page = signed_in(sales).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Léa Bernard" in page and "lea.bernard@exemple.fr" in page
    event = Event.objects.get(action="personal_data:read", object_id=str(person.pk))
    assert event.actor_id == str(sales.pk)


def test_a_shredded_person_shows_as_erased(signed_in, make_staff, person, cli_actor) -> None:
    shred_person(cli_actor, person)
    page = (
        signed_in(make_staff("sales"))
        .get(reverse("people:detail", args=[person.pk]))
        .content.decode()
    )
    assert "key was destroyed" in page or "clé" in page
    assert "Bernard" not in page


def test_a_technician_cannot_open_people(signed_in, technician, person) -> None:
    client = signed_in(technician)
    assert client.get(reverse("people:list")).status_code == 403
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 403
