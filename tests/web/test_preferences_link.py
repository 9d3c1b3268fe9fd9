"""« My preferences » on the portal: the link goes by e-mail, the page never tells
whether an address is known, and the form is rate-limited (in the database: see
tests/accounts/test_ratelimit.py)."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.mail.conftest import SmtpSink, _free_port
from tests.policy.conftest import register  # noqa: F401 (fixture)
from vigie.mail.models import Message
from vigie.people.models import AddressLookup, ContactKind
from vigie.people.services import add_contact_point, create_person, email_index

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

URL = "/mes-preferences/"


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    settings.SITE_URL = "https://vigie.example"
    settings.SMTP_HOST = "127.0.0.1"
    settings.SMTP_PORT = _free_port()
    settings.SMTP_TLS = "none"
    settings.DKIM_PRIVATE_KEY_PATH = ""
    sink = SmtpSink(port=settings.SMTP_PORT)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def known(cli_actor):
    person = create_person(
        cli_actor, email="jeanne.dupont@exemple.fr", first_name="Jeanne", last_name="Dupont"
    )
    add_contact_point(cli_actor, person, ContactKind.EMAIL, "jd@perso.example")
    return person


def _body(response: Any) -> str:
    return response.content.decode()


def test_the_portal_home_cards_are_links(client, db) -> None:
    page = _body(client.get("/"))
    assert f'href="{URL}"' in page
    # « Exercer vos droits » opens the request form; the personal space has its card.
    assert f'href="{reverse("rights:request")}"' in page
    assert f'href="{reverse("rights:space-sign-in")}"' in page
    assert f'href="{reverse("policy:current")}"' in page


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work(client, known) -> None:
    answers = []
    for address in ["jeanne.dupont@exemple.fr", "personne@inconnu.example"]:
        before = DBTaskResult.objects.count()
        response = client.post(URL, {"email": address})
        answers.append((response.status_code, _body(response)))
        # One job either way: the look-up happens in the worker, not in the request.
        assert DBTaskResult.objects.count() == before + 1
        # The job carries a look-up's random id: neither the address nor its blind
        # index, which stays in the look-up row until the job has run.
        job = str(DBTaskResult.objects.latest("enqueued_at").args_kwargs)
        assert address not in job and email_index(address) not in job
        assert AddressLookup.objects.filter(email_index=email_index(address)).count() == 1
    assert answers[0] == answers[1]
    assert answers[0][0] == 200
    assert not Message.objects.exists()


# The worker closes its database connection between jobs, as in production: the test
# needs real transactions, not the rolled-back wrapper of an ordinary test.
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_the_worker_sends_the_known_person_a_working_preferences_link(
    client,
    known,
    smtp,
    register,  # noqa: F811 (fixture)
) -> None:
    client.post(URL, {"email": "JD@perso.example"})
    client.post(URL, {"email": "personne@inconnu.example"})
    call_command("worker", "--batch")
    assert Message.objects.filter(person=known, template="preferences_link").count() == 1
    assert len(smtp.messages) == 1
    captured = smtp.messages[0]
    assert captured.rcpt_tos == ["jeanne.dupont@exemple.fr"]
    parsed = email.message_from_bytes(captured.raw, policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https://vigie\.example(/preferences/\S+)", text)
    assert link, text
    page = client.get(link[1])
    assert page.status_code == 200
    assert "Lettre" in _body(page)


def test_a_bad_address_is_a_form_error_not_a_500(client, db) -> None:
    response = client.post(URL, {"email": "pas une adresse"})
    assert response.status_code == 400
    assert "errorlist" in _body(response)
    assert not DBTaskResult.objects.exists()


def test_over_the_limit_for_one_address_the_page_answers_as_if_it_had_accepted(
    client, known
) -> None:
    """Anyone may use up an address's 3 requests an hour; a different answer would tell
    them that someone (the person) asked too. Nothing more is queued, nothing is said."""
    answers = [client.post(URL, {"email": "jeanne.dupont@exemple.fr"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert len({_body(a) for a in answers}) == 1
    assert DBTaskResult.objects.count() == 3
    assert AddressLookup.objects.count() == 3
    # Another address is not held back by the first one's limit.
    assert client.post(URL, {"email": "autre@exemple.fr"}).status_code == 200
    assert DBTaskResult.objects.count() == 4


def test_the_limits_are_settings(client, known, settings) -> None:
    settings.RATE_LIMIT_PER_ADDRESS = 1
    settings.RATE_LIMIT_PER_IP = 2
    for _ in range(2):
        assert client.post(URL, {"email": "jeanne.dupont@exemple.fr"}).status_code == 200
    assert DBTaskResult.objects.count() == 1
    assert client.post(URL, {"email": "autre@exemple.fr"}).status_code == 429


def test_requests_from_one_ip_are_rate_limited(client, db) -> None:
    statuses = [
        client.post(URL, {"email": f"p{n}@exemple.fr"}, REMOTE_ADDR="192.0.2.7").status_code
        for n in range(21)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
    other = client.post(URL, {"email": "p0b@exemple.fr"}, REMOTE_ADDR="192.0.2.8")
    assert other.status_code == 200
