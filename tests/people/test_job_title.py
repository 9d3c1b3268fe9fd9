"""A person's job title: sealed like their name, readable only through their key, and
part of what an access request finds (Art. 15)."""

from __future__ import annotations

import pytest

from vigie.people.models import Person
from vigie.people.services import create_person, open_person, shred_person
from vigie.sources.builtin import BuiltinSource
from vigie.sources.types import Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_job_title_is_stored_sealed_and_opens_with_the_persons_key(cli_actor) -> None:
    person = create_person(cli_actor, email="a@exemple.fr", job_title="  Responsable achats ")
    stored = Person.objects.filter(pk=person.pk).values_list("job_title_sealed", flat=True).get()
    assert b"Responsable" not in bytes(stored)
    assert open_person(person).job_title == "Responsable achats"


def test_an_access_search_in_vigie_finds_the_job_title(cli_actor) -> None:
    person = create_person(cli_actor, email="a@exemple.fr", job_title="Gérante")
    result = BuiltinSource(cli_actor).find(Subject(email=["a@exemple.fr"]))
    row = result.by_category["identity-contact"][0]
    assert row.key == str(person.pk)
    assert row.values["job_title"] == "Gérante"


def test_shredding_makes_the_job_title_unreadable(cli_actor) -> None:
    from vigie.people.services import PersonUnavailable

    person = create_person(cli_actor, email="a@exemple.fr", job_title="Gérante")
    shred_person(cli_actor, person)
    with pytest.raises(PersonUnavailable):
        open_person(person)
