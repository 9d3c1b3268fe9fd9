"""A public form hands a look-up by address to a job through a short-lived row: the
job's arguments hold only that row's random id, and the row with the address's blind
index goes when the job has run, when the person is erased, or after a day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vigie.audit.actor import Actor
from vigie.consent.preference_links import send_preferences_link
from vigie.mail.models import Message
from vigie.people.lookups import defer_lookup, take_lookup
from vigie.people.models import AddressLookup
from vigie.people.services import add_contact_point, create_person, email_index, shred_person
from vigie.people.tasks import DAILY_TASKS, purge_stale_lookups_task

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _stored_anywhere(index: str) -> list[str]:
    jobs = [str(r.args_kwargs) for r in DBTaskResult.objects.all() if index in str(r.args_kwargs)]
    lookups = [str(pk) for pk in AddressLookup.objects.filter(email_index=index).values_list("pk")]
    return jobs + lookups


def test_erasure_leaves_no_blind_index_of_the_address_in_the_task_table(client) -> None:
    """Review of issue 9: the blind index sat in ``DBTaskResult.args_kwargs`` after
    crypto-shredding, saying that this address asked for its link, and when."""
    actor = Actor.cli("review")
    person = create_person(actor, email="jeanne@exemple.fr", first_name="Jeanne")
    assert client.post("/mes-preferences/", {"email": "jeanne@exemple.fr"}).status_code == 200
    index = email_index("jeanne@exemple.fr")
    shred_person(actor, person)
    left = [r.args_kwargs for r in DBTaskResult.objects.all() if index in str(r.args_kwargs)]
    assert not left, f"the erased person's address index is still stored: {left}"
    # Nor in the look-up the job had not taken yet.
    assert not AddressLookup.objects.exists()


def test_erasure_drops_the_lookups_of_a_further_address_too(cli_actor) -> None:
    person = create_person(cli_actor, email="jeanne@exemple.fr", first_name="Jeanne")
    add_contact_point(cli_actor, person, "email", "jd@perso.example")
    defer_lookup("JD@perso.example")
    other = defer_lookup("someone@else.example")
    shred_person(cli_actor, person)
    assert list(AddressLookup.objects.values_list("pk", flat=True)) == [other]


def test_the_job_deletes_its_lookup_once_it_has_run(cli_actor) -> None:
    person = create_person(cli_actor, email="jeanne@exemple.fr", first_name="Jeanne")
    lookup = defer_lookup("jeanne@exemple.fr")
    assert send_preferences_link.call(str(lookup), "fr") == 1
    assert not _stored_anywhere(email_index("jeanne@exemple.fr"))
    assert not AddressLookup.objects.exists()
    # A second run (a duplicate in the queue) finds nothing and sends nothing.
    assert send_preferences_link.call(str(lookup), "fr") == 0
    assert Message.objects.filter(person=person, template="preferences_link").count() == 1


def test_a_lookup_of_an_erased_person_finds_nobody(cli_actor) -> None:
    person = create_person(cli_actor, email="jeanne@exemple.fr", first_name="Jeanne")
    lookup = defer_lookup("jeanne@exemple.fr")
    shred_person(cli_actor, person)
    assert take_lookup(lookup) == []


def test_a_lookup_no_job_took_within_a_day_is_purged_daily() -> None:
    with time_machine.travel(timezone.now() - dt.timedelta(hours=25)):
        defer_lookup("old@exemple.fr")
    recent = defer_lookup("recent@exemple.fr")
    assert purge_stale_lookups_task.call() == 1
    assert list(AddressLookup.objects.values_list("pk", flat=True)) == [recent]
    assert purge_stale_lookups_task in DAILY_TASKS
