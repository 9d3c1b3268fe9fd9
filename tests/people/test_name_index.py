"""The blind index of name words: names found without ever being stored in clear."""

from __future__ import annotations

import pytest

from vigie.audit.models import Event
from vigie.people.models import NameWord, Person
from vigie.people.names import name_words, people_named
from vigie.people.services import (
    create_person,
    index_missing_names,
    open_person,
    shred_person,
    update_person,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_name_words_are_lower_case_without_accents_split_on_hyphens_and_apostrophes() -> None:
    assert name_words("Jean-Noël", "D’Aubigné  LE GOFF") == [
        "jean",
        "noel",
        "d",
        "aubigne",
        "le",
        "goff",
    ]
    assert name_words("Éloïse", "éloïse") == ["eloise"]
    assert name_words("  ", "—") == []


def test_only_keyed_hashes_of_the_words_are_stored(cli_actor) -> None:
    person = create_person(cli_actor, first_name="Élodie", last_name="Marchand")
    stored = list(NameWord.objects.filter(person=person).values_list("word_index", flat=True))
    assert len(stored) == 2
    assert all(len(value) == 64 and "marchand" not in value for value in stored)
    assert set(people_named("MARCHAND élodie")) == {person}


def test_a_query_without_words_matches_nothing_rather_than_everyone(cli_actor) -> None:
    create_person(cli_actor, first_name="Élodie", last_name="Marchand")
    assert people_named(" - ") is None


def test_a_name_change_rebuilds_the_index(cli_actor) -> None:
    person = create_person(cli_actor, first_name="Claire", last_name="Martin")
    update_person(cli_actor, person, last_name="Dubois", job_title="Directrice technique")
    assert set(people_named("dubois")) == {person}
    assert not people_named("martin").exists()
    opened = open_person(Person.objects.get(pk=person.pk))
    assert (opened.last_name, opened.job_title) == ("Dubois", "Directrice technique")
    event = Event.objects.get(action="people:person:update")
    assert event.extra == {"fields": ["job_title", "last_name"]}


def test_an_unchanged_name_records_nothing(cli_actor) -> None:
    person = create_person(cli_actor, first_name="Claire", last_name="Martin")
    update_person(cli_actor, person, first_name="Claire")
    assert not Event.objects.filter(action="people:person:update").exists()


def test_crypto_shredding_clears_the_name_index(cli_actor) -> None:
    person = create_person(cli_actor, first_name="Claire", last_name="Martin")
    shred_person(cli_actor, person)
    assert not NameWord.objects.filter(person=person).exists()


def test_people_recorded_before_the_index_are_indexed_once(cli_actor) -> None:
    first = create_person(cli_actor, first_name="Claire", last_name="Martin")
    second = create_person(cli_actor, first_name="Paul", last_name="Roux")
    nameless = create_person(cli_actor, email="x@exemple.fr")
    NameWord.objects.all().delete()
    assert index_missing_names(cli_actor, batch_size=1) == 2
    assert set(people_named("martin")) == {first}
    assert set(people_named("paul roux")) == {second}
    assert not NameWord.objects.filter(person=nameless).exists()
    assert index_missing_names(cli_actor) == 0
    assert Event.objects.filter(action="people:names:index").count() == 1


def test_the_index_names_command_reports_its_count(cli_actor) -> None:
    from io import StringIO

    from django.core.management import call_command

    create_person(cli_actor, first_name="Claire", last_name="Martin")
    NameWord.objects.all().delete()
    out = StringIO()
    call_command("people", "index-names", stdout=out)
    assert "1 person(s) indexed" in out.getvalue()
