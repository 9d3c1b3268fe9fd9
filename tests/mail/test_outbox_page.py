"""The outbox page: states in words, recipients by name (journaled), retry for staff."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from vigie.audit.models import Event
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_message
from vigie.people.services import create_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def person(cli_actor):
    return create_person(
        cli_actor, email="jeanne.dupont@exemple.fr", first_name="Jeanne", last_name="Dupont"
    )


def _message(cli_actor, person, status: str = Status.QUEUED) -> Message:
    message = queue_message(
        cli_actor, person, "art14_notice", kind="service", context={"source_name": "Salon IT"}
    )
    Message.objects.filter(pk=message.pk).update(status=status)
    message.refresh_from_db()
    return message


def test_it_lists_messages_with_the_recipients_name_and_never_an_address(
    signed_in, privacy_lead, person, cli_actor
) -> None:
    message = _message(cli_actor, person, Status.FAILED)
    page = signed_in(privacy_lead).get(reverse("mail:outbox")).content.decode()
    assert f'href="{reverse("people:detail", args=[person.pk])}">Jeanne Dupont</a>' in page
    assert "jeanne.dupont@exemple.fr" not in page
    assert "Échec" in page or "Échoué" in page
    assert "Service" in page
    assert "Renvoyer" in page
    assert message.created_at.astimezone().strftime("%d/%m/%Y %H:%M") in page
    events = Event.objects.filter(action="personal_data:read", extra__view="mail:outbox")
    assert events.count() == 1
    assert events.get().extra["ids"] == [str(person.pk)]


def test_it_filters_by_status(signed_in, privacy_lead, person, cli_actor) -> None:
    other = create_person(cli_actor, email="paul@exemple.fr", first_name="Paul", last_name="Roux")
    _message(cli_actor, person, Status.FAILED)
    _message(cli_actor, other, Status.SENT)
    page = (
        signed_in(privacy_lead).get(reverse("mail:outbox"), {"status": "failed"}).content.decode()
    )
    assert "Jeanne Dupont" in page and "Paul Roux" not in page


def test_a_failed_message_is_sent_again_once_however_many_clicks(
    signed_in, privacy_lead, person, cli_actor
) -> None:
    message = _message(cli_actor, person, Status.FAILED)
    client = signed_in(privacy_lead)
    jobs_before = DBTaskResult.objects.count()
    url = reverse("mail:retry", args=[message.pk])
    first = client.post(url, {"next": reverse("mail:outbox") + "?status=failed"})
    assert (
        first.status_code == 302 and first["Location"] == reverse("mail:outbox") + "?status=failed"
    )
    second = client.post(url)
    assert second.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert DBTaskResult.objects.count() == jobs_before + 1
    assert Event.objects.filter(action="mail:message:requeue").count() == 1


def test_retry_does_not_follow_a_foreign_next_url(
    signed_in, privacy_lead, person, cli_actor
) -> None:
    message = _message(cli_actor, person, Status.FAILED)
    response = signed_in(privacy_lead).post(
        reverse("mail:retry", args=[message.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("mail:outbox")


def test_retry_needs_its_permission_and_a_post(signed_in, make_staff, person, cli_actor) -> None:
    message = _message(cli_actor, person, Status.FAILED)
    sales = signed_in(make_staff("sales"))
    # Sales sees the outbox but may not send a failed message again.
    assert sales.get(reverse("mail:outbox")).status_code == 200
    assert "Renvoyer" not in sales.get(reverse("mail:outbox")).content.decode()
    assert sales.post(reverse("mail:retry", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_a_technician_cannot_see_the_outbox(signed_in, technician) -> None:
    assert signed_in(technician).get(reverse("mail:outbox")).status_code == 403
