"""Personal fields sealed per person; crypto-shredding; blind index; key rotation (R30)."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command
from django.db import connections

from vigie.audit.models import Event
from vigie.lib import crypto
from vigie.people.models import Person, PersonKey
from vigie.people.services import (
    PersonUnavailable,
    create_person,
    find_by_email,
    open_person,
    read_person,
    rotate_keys,
    shred_person,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _create(cli_actor, n: int) -> Person:
    return create_person(
        cli_actor,
        email=f"Jeanne.Dupont{n}@Exemple.fr",
        first_name="Jeanne",
        last_name=f"Dupont{n}",
        phone="+33 6 12 34 56 78",
    )


def test_fields_are_stored_only_as_ciphertext(cli_actor) -> None:
    person = _create(cli_actor, 1)
    row = Person.objects.filter(pk=person.pk).values().get()
    stored = b" ".join(bytes(v) for v in row.values() if isinstance(v, (bytes, memoryview)))
    for clear in (b"Jeanne", b"Dupont1", b"exemple.fr", b"12 34 56"):
        assert clear not in stored
    assert "Jeanne" not in str(row)
    assert open_person(Person.objects.get(pk=person.pk)).email == "Jeanne.Dupont1@Exemple.fr"


def test_the_data_key_is_kept_apart_and_wrapped(cli_actor) -> None:
    person = _create(cli_actor, 1)
    stored = PersonKey.objects.using("keys").get(person_id=person.pk)
    assert len(bytes(stored.wrapped)) == 1 + 12 + 32 + 16
    # The key table exists only in the key store, the data only in the main database.
    assert "people_personkey" not in connections["default"].introspection.table_names()
    assert "people_person" not in connections["keys"].introspection.table_names()


def test_an_address_is_found_by_its_blind_index_whatever_its_case(cli_actor) -> None:
    person = _create(cli_actor, 1)
    assert find_by_email("  jeanne.dupont1@exemple.FR ") == person
    assert find_by_email("someone@exemple.fr") is None
    assert len(person.email_index) == 64 and "jeanne" not in person.email_index


def test_shredding_one_key_leaves_that_person_unreadable_in_an_old_copy(cli_actor) -> None:
    people = [_create(cli_actor, n) for n in range(3)]
    # A copy of the main database taken before the shredding (rows, as a backup holds them).
    backup = {p.pk: Person(**Person.objects.filter(pk=p.pk).values().get()) for p in people}
    shred_person(cli_actor, people[1])
    with pytest.raises(PersonUnavailable):
        open_person(backup[people[1].pk])
    assert open_person(backup[people[0].pk]).last_name == "Dupont0"
    assert open_person(backup[people[2].pk]).last_name == "Dupont2"
    shredded = Person.objects.get(pk=people[1].pk)
    assert shredded.shredded_at is not None and shredded.email_index == ""
    assert find_by_email("jeanne.dupont1@exemple.fr") is None
    assert Event.objects.filter(action="people:person:shred", object_id=str(people[1].pk)).exists()


def test_a_sealed_value_moved_to_another_person_does_not_open(cli_actor) -> None:
    alice, bob = _create(cli_actor, 1), _create(cli_actor, 2)
    Person.objects.filter(pk=bob.pk).update(last_name_sealed=alice.last_name_sealed)
    with pytest.raises(crypto.DecryptionError):
        open_person(Person.objects.get(pk=bob.pk))


def test_reading_for_display_is_journaled(cli_actor) -> None:
    person = _create(cli_actor, 1)
    read_person(cli_actor, person, view="test")
    event = Event.objects.get(action="personal_data:read")
    assert (event.object_type, event.object_id) == ("people.person", str(person.pk))


def test_rotation_rewraps_every_key_and_data_stays_readable(cli_actor, settings) -> None:
    old = base64.b64encode(b"o" * 32).decode()
    new = base64.b64encode(b"n" * 32).decode()
    settings.MASTER_KEYS = [old]
    people = [_create(cli_actor, n) for n in range(5)]
    settings.MASTER_KEYS = [new, old]
    assert rotate_keys(cli_actor, batch_size=2) == 5
    assert rotate_keys(cli_actor) == 0
    settings.MASTER_KEYS = [new]
    assert [open_person(p).last_name for p in people] == [f"Dupont{n}" for n in range(5)]


def test_keys_rotate_with_the_key_file(cli_actor, settings, tmp_path, capsys) -> None:
    settings.MASTER_KEYS = []
    settings.VAR_DIR = tmp_path
    person = _create(cli_actor, 1)
    call_command("keys", "rotate", "--retire")
    out = capsys.readouterr().out
    assert "1 data key(s) re-wrapped" in out and "retired master key(s):" in out
    assert len((tmp_path / "master_keys").read_text().split()) == 1
    assert open_person(person).first_name == "Jeanne"
