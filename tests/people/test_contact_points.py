"""Further contact points: sealed like the person, found and suppressed by address (R30, R41)."""

from __future__ import annotations

import pytest

from vigie.audit.models import Event
from vigie.consent import services as consent
from vigie.consent.models import Method
from vigie.people.models import ContactPoint
from vigie.people.services import (
    InvalidPerson,
    PersonUnavailable,
    add_contact_point,
    create_person,
    find_by_email,
    open_person,
    shred_person,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def person(cli_actor):
    return create_person(cli_actor, email="paul.martin@pme.example", first_name="Paul")


def test_a_phone_is_stored_sealed_in_international_form(cli_actor, person) -> None:
    add_contact_point(cli_actor, person, "phone", "06 12 34 56 78", usage="personal")
    stored = bytes(ContactPoint.objects.get().value_sealed)
    assert b"612345678" not in stored and b"06 12" not in stored
    [point] = open_person(person).contact_points
    assert (point.kind, point.usage, point.value) == ("phone", "personal", "+33612345678")
    assert Event.objects.filter(action="people:contact_point:add").count() == 1


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("phone", "06 12", "telephone"),
        ("phone", "pas un numéro", "telephone"),
        ("email", "paul.martin", "e-mail"),
        ("postal", "", "postal"),
        ("fax", "01 02 03 04 05", "unknown kind"),
    ],
)
def test_a_bad_contact_point_is_refused_and_nothing_is_written(
    cli_actor, person, kind, value, message
) -> None:
    with pytest.raises(InvalidPerson, match=message):
        add_contact_point(cli_actor, person, kind, value)
    assert not ContactPoint.objects.exists()
    assert not Event.objects.filter(action="people:contact_point:add").exists()


def test_a_person_is_found_by_a_further_address(cli_actor, person) -> None:
    add_contact_point(cli_actor, person, "email", "Paul.Perso@Gmail.com", usage="personal")
    assert find_by_email("paul.perso@gmail.com") == person
    assert open_person(person).emails == ["paul.martin@pme.example", "Paul.Perso@Gmail.com"]


def test_an_objection_suppresses_every_address_of_the_person(cli_actor, person) -> None:
    add_contact_point(cli_actor, person, "email", "paul.perso@gmail.com")
    consent.object_to_marketing(cli_actor, person, method=Method.PHONE)
    assert consent.is_suppressed("PAUL.PERSO@gmail.com", "newsletter")
    assert consent.is_suppressed("paul.martin@pme.example", "offres")


def test_shredding_makes_contact_points_unreadable_and_unfindable(cli_actor, person) -> None:
    add_contact_point(cli_actor, person, "email", "paul.perso@gmail.com")
    add_contact_point(cli_actor, person, "postal", "3 rue des Lilas\n69003 Lyon")
    shred_person(cli_actor, person)
    assert find_by_email("paul.perso@gmail.com") is None
    assert set(ContactPoint.objects.values_list("email_index", flat=True)) == {""}
    with pytest.raises(PersonUnavailable):
        open_person(person)


def test_the_person_page_shows_contact_points(signed_in, privacy_lead, cli_actor, person) -> None:
    add_contact_point(cli_actor, person, "postal", "3 rue des Lilas\n69003 Lyon")
    page = signed_in(privacy_lead).get(f"/backoffice/people/{person.pk}/")
    assert page.status_code == 200
    assert "3 rue des Lilas<br>69003 Lyon" in page.text


def test_a_further_address_added_after_an_objection_is_suppressed_at_once(
    cli_actor, person
) -> None:
    consent.object_to_marketing(cli_actor, person, method=Method.PHONE)
    add_contact_point(cli_actor, person, "email", "nouvelle@exemple.fr")
    shred_person(cli_actor, person)
    assert consent.is_suppressed("NOUVELLE@exemple.fr", "offres_partenaires")


def test_a_further_address_of_someone_who_unsubscribed_is_suppressed_for_that_list(
    cli_actor, person
) -> None:
    consent.record_consent(
        cli_actor, person, "newsletter", wording="Lettre", method=Method.PHONE, channel="appel"
    )
    consent.withdraw(cli_actor, person, "newsletter", method=Method.PHONE)
    add_contact_point(cli_actor, person, "email", "autre@exemple.fr")
    assert consent.is_suppressed("autre@exemple.fr", "newsletter")
    assert not consent.is_suppressed("autre@exemple.fr", "offres")
