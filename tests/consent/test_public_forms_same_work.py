"""Issue 11, item 3: a public form does the same work whoever the address belongs to.

Timing told a subscribed address from an unknown one at /newsletter/: the request
looked the address up, and then created a person, or did not. Now every public form
that takes an address does, in the request, the same queries and queues the same job
whatever the address; the look-up and the sign-up happen in the worker. Asserted on
the queries and the job, not on wall-clock time.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from vigie.accounts.models import RateCounter
from vigie.accounts.ratelimit import subject_key
from vigie.consent.models import Status, Subscription
from vigie.jobs.services import reconcile_scheduled_calls
from vigie.mail.models import Message
from vigie.people.models import AddressLookup, Person
from vigie.people.services import email_index, find_by_email

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _shape(sql: str) -> str:
    """A query without its values: literals, numbers and ids become ``?``."""
    sql = re.sub(r'"s\d+_x\d+"', "savepoint", sql)
    sql = re.sub(r"'(?:[^']|'')*'(?:::\w+)?", "?", sql)
    sql = re.sub(r"\bX\?", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\s+", " ", sql).strip()


def _post_and_capture(client: Client, url: str, data: dict[str, Any]) -> tuple[Any, list[str]]:
    before = DBTaskResult.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert DBTaskResult.objects.count() == before + 1, "one job queued per request"
    return response, [_shape(q["sql"]) for q in queries.captured_queries]


@pytest.fixture
def subscribed(make_person, subscribe) -> Person:
    person = make_person("deja@exemple.fr")
    subscribe(person)
    return person


@pytest.fixture
def known_unsubscribed(make_person) -> Person:
    return make_person("connue@exemple.fr")


ADDRESSES = ["deja@exemple.fr", "connue@exemple.fr", "inconnue@exemple.fr"]


@pytest.mark.parametrize("url", ["/newsletter/", "/mes-preferences/"])
def test_the_request_does_the_same_queries_and_queues_the_same_job_whatever_the_address(
    client: Client, subscribed, known_unsubscribed, url: str
) -> None:
    # A first request from this IP: its rate counter exists afterwards, as for an
    # attacker's second request.
    client.post(url, {"email": "echauffement@exemple.fr", "consent": "on"})
    people_before = Person.objects.count()
    shapes, answers, jobs = [], [], []
    for address in ADDRESSES:
        response, queries = _post_and_capture(client, url, {"email": address, "consent": "on"})
        shapes.append(queries)
        answers.append((response.status_code, response.content))
        job = DBTaskResult.objects.latest("enqueued_at")
        jobs.append((job.task_path, len(job.args_kwargs["args"])))
        arguments = str(job.args_kwargs)
        assert address not in arguments and email_index(address) not in arguments
    assert shapes[0] == shapes[1] == shapes[2]
    # Nothing of the person is read or written in the request.
    assert not any("people_person" in q for q in shapes[0]), shapes[0]
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 200
    assert jobs[0] == jobs[1] == jobs[2]
    assert Person.objects.count() == people_before


def test_the_job_signs_up_a_new_address_and_leaves_a_subscriber_as_they_are(
    client: Client, subscribed, run_signup_jobs, policy_v1
) -> None:
    client.post(
        "/newsletter/", {"email": "Nouvelle@Exemple.fr", "first_name": "Léa", "consent": "on"}
    )
    client.post("/newsletter/", {"email": "deja@exemple.fr", "consent": "on"})
    assert find_by_email("nouvelle@exemple.fr") is None  # not yet: the worker does it
    assert run_signup_jobs() == 2
    person = find_by_email("nouvelle@exemple.fr")
    assert person is not None
    assert Subscription.objects.get(person=person).status == Status.PENDING
    assert Subscription.objects.get(person=subscribed).status == Status.SUBSCRIBED
    confirmations = Message.objects.filter(template="newsletter_confirmation")
    assert [m.person_id for m in confirmations] == [person.pk]
    # The sealed sign-ups are gone with their jobs.
    assert not AddressLookup.objects.exists()


def test_the_sign_up_waiting_for_its_job_is_sealed(client: Client) -> None:
    client.post("/newsletter/", {"email": "lea@exemple.fr", "first_name": "Léa", "consent": "on"})
    [row] = AddressLookup.objects.all()
    assert row.payload_sealed
    assert b"lea@exemple.fr" not in bytes(row.payload_sealed)
    assert "Léa".encode() not in bytes(row.payload_sealed)


def test_a_sign_up_whose_worker_died_mid_job_is_carried_out_when_a_worker_is_back(
    client: Client, policy_v1
) -> None:
    """The worker was killed while it ran the sign-up: its transaction rolled back, the
    job stays "running" for ever in the queue. The sign-up is not lost: what every
    worker runs each minute enqueues it again, and it runs once."""
    client.post("/newsletter/", {"email": "lea@exemple.fr", "first_name": "Léa", "consent": "on"})
    [job] = DBTaskResult.objects.all()
    job.status, job.started_at = "RUNNING", timezone.now() - timedelta(hours=2)
    job.save(update_fields=["status", "started_at"])
    later = timezone.now() + timedelta(hours=2)
    reconcile_scheduled_calls(now=later)
    again = DBTaskResult.objects.filter(status="READY").exclude(pk=job.pk).first()
    assert again is not None, "the lost sign-up was not enqueued again"
    for _run in range(2):  # a duplicate run changes nothing
        import_string(again.task_path).call(*again.args_kwargs["args"])
    person = find_by_email("lea@exemple.fr")
    assert person is not None
    assert Subscription.objects.get(person=person).status == Status.PENDING
    assert Message.objects.filter(template="newsletter_confirmation").count() == 1
    assert not AddressLookup.objects.exists()


def test_an_address_over_its_limit_gets_the_same_work_as_any_other(
    client: Client, settings, run_signup_jobs, policy_v1
) -> None:
    """Over an address's hourly limit the request skipped the sealing and the job: it
    answered in about half the time (21 ms against 39 ms), telling whoever asks that
    someone, maybe the person, signed the address up within the hour. The address is
    counted by the job; the request does the same work for every address."""
    settings.RATE_LIMIT_PER_ADDRESS = 1
    client.post("/newsletter/", {"email": "echauffement@exemple.fr", "consent": "on"})
    shapes = []
    for _ in range(2):  # the second is over the address's limit
        _response, queries = _post_and_capture(
            client, "/newsletter/", {"email": "lea@exemple.fr", "consent": "on"}
        )
        shapes.append(queries)
    assert shapes[0] == shapes[1]
    # The job counts the address, and signs up each address once.
    assert run_signup_jobs() == 3
    scope = "newsletter:address"
    counter = RateCounter.objects.get(
        scope=scope, key=subject_key(scope, email_index("lea@exemple.fr"))
    )
    assert counter.count == 2
    assert Message.objects.filter(template="newsletter_confirmation").count() == 2
    assert not AddressLookup.objects.exists()
