"""The outbox page: states in words, recipients by name (journaled), retry for staff."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from vigie.accounts.permissions import Role
from vigie.audit.models import Event
from vigie.mail.delivery import UNCERTAIN
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


def _uncertain(cli_actor, person) -> Message:
    message = _message(cli_actor, person, Status.FAILED)
    Message.objects.filter(pk=message.pk).update(last_error=UNCERTAIN.format(message.message_id))
    message.refresh_from_db()
    return message


def test_an_uncertain_delivery_shows_its_warning_where_retry_is_offered(
    make_staff, signed_in, cli_actor, person
) -> None:
    message = _uncertain(cli_actor, person)
    page = (
        signed_in(make_staff(Role.PRIVACY_LEAD))
        .get("/backoffice/outbox/", secure=True)
        .content.decode()
    )
    assert f"/backoffice/outbox/{message.pk}/retry/" in page  # the button is there
    # (escaped: the Message-ID's angle brackets, raw in HTML, would hide it as a tag)
    assert escape(message.message_id) in page, "no way to check the server log before retrying"
    # The reason in words, and the box to tick before sending it again.
    assert "Peut-être remis" in page
    assert 'name="checked_server_log" required' in page
    assert "J'ai vérifié dans le journal du serveur de messagerie" in page


def test_a_failure_reason_is_shown_in_words(signed_in, privacy_lead, person, cli_actor) -> None:
    message = _message(cli_actor, person, Status.FAILED)
    Message.objects.filter(pk=message.pk).update(last_error="NO_SENDER: no register is loaded")
    page = signed_in(privacy_lead).get(reverse("mail:outbox")).content.decode()
    assert "Aucun registre n&#x27;est chargé" in page
    assert 'name="checked_server_log"' not in page  # no check needed: nothing left


def test_an_uncertain_message_is_not_sent_again_without_the_server_log_check(
    signed_in, privacy_lead, person, cli_actor
) -> None:
    message = _uncertain(cli_actor, person)
    client = signed_in(privacy_lead)
    jobs_before = DBTaskResult.objects.count()
    url = reverse("mail:retry", args=[message.pk])
    refused = client.post(url, {"next": reverse("mail:outbox")})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Rien n'a été fait" in text and escape(message.message_id) in text
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert DBTaskResult.objects.count() == jobs_before
    assert not Event.objects.filter(action="mail:message:requeue").exists()

    accepted = client.post(url, {"next": reverse("mail:outbox"), "checked_server_log": "on"})
    assert accepted.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert DBTaskResult.objects.count() == jobs_before + 1
    requeued = Event.objects.get(action="mail:message:requeue")
    assert requeued.extra["checked_server_log"] is True


def test_every_template_of_the_catalogue_is_named_in_words(
    signed_in, privacy_lead, admin, make_staff
) -> None:
    """The outbox shows what a message is, not its file name (the role request to the
    privacy leads showed as « role_grant_request »)."""
    from vigie.accounts.permissions import Role as StaffRole
    from vigie.accounts.services import request_role
    from vigie.audit.actor import Actor
    from vigie.mail.outbox import TEMPLATE_LABELS
    from vigie.mail.rendering import CATALOGUE

    assert set(CATALOGUE) - set(TEMPLATE_LABELS) == set()
    newcomer = make_staff(username="nadia")
    request_role(Actor.for_user(admin), newcomer, StaffRole.SALES)
    assert Message.objects.filter(template="role_grant_request").exists()
    page = signed_in(privacy_lead).get(reverse("mail:outbox")).content.decode()
    assert "Demande de rôle à confirmer" in page
