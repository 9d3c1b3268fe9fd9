"""``update_contact_details``: a person's main address and phone corrected (Art. 16),
resealed, the address's blind index moved, the old values handed back to the caller and
never written in the audit log."""

from __future__ import annotations

import pytest

from vigie.audit.models import Event
from vigie.people.models import Person
from vigie.people.services import (
    InvalidPerson,
    PersonUnavailable,
    create_person,
    find_by_email,
    open_person,
    shred_person,
    update_contact_details,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_address_and_phone_change_and_the_old_values_come_back(cli_actor) -> None:
    person = create_person(cli_actor, email="ancienne@exemple.fr", phone="01 23 45 67 89")
    before = update_contact_details(
        cli_actor, person, email="nouvelle@exemple.fr", phone="06 12 34 56 78"
    )
    assert before == {"email": "ancienne@exemple.fr", "phone": "01 23 45 67 89"}
    person = Person.objects.get(pk=person.pk)
    data = open_person(person)
    assert (data.email, data.phone) == ("nouvelle@exemple.fr", "+33612345678")
    assert find_by_email("nouvelle@exemple.fr") == person
    assert find_by_email("ancienne@exemple.fr") is None
    event = Event.objects.filter(action="people:person:update").get()
    assert event.extra == {"fields": ["email", "phone"]}


def test_nothing_is_recorded_when_nothing_changes(cli_actor) -> None:
    person = create_person(cli_actor, email="a@exemple.fr")
    assert update_contact_details(cli_actor, person, email="a@exemple.fr") == {}
    assert not Event.objects.filter(action="people:person:update").exists()


@pytest.mark.parametrize(
    "change", [{"phone": "pas un numéro"}, {"email": "sans-arobase"}, {"phone": "+33 1"}]
)
def test_a_value_out_of_bounds_is_refused(cli_actor, change) -> None:
    person = create_person(cli_actor, email="a@exemple.fr")
    with pytest.raises(InvalidPerson):
        update_contact_details(cli_actor, person, **change)


def test_a_shredded_person_cannot_be_corrected(cli_actor) -> None:
    person = create_person(cli_actor, email="a@exemple.fr")
    shred_person(cli_actor, person)
    with pytest.raises(PersonUnavailable):
        update_contact_details(cli_actor, Person.objects.get(pk=person.pk), phone="0612345678")
