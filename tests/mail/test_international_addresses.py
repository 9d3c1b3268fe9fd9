"""Addresses with accents (RFC 6531 SMTPUTF8, RFC 5890 IDNA) through a real SMTP server."""

from __future__ import annotations

import email
import email.policy

import pytest

from tests.mail.conftest import SmtpSink
from vigie.audit.actor import Actor
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_message
from vigie.mail.tasks import deliver_message
from vigie.people.services import create_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ACTOR = Actor.cli("test")


def _send_notice_to(address: str) -> Message:
    person = create_person(ACTOR, email=address, first_name="Hélène", last_name="Dupré")
    message = queue_message(ACTOR, person, "policy_change", kind="service", context={"version": 1})
    deliver_message.call(str(message.pk))
    message.refresh_from_db()
    return message


@pytest.fixture
def utf8_server(settings) -> SmtpSink:
    sink = SmtpSink(port=settings.SMTP_PORT, smtputf8=True)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(autouse=True)
def _policy_in_force(published) -> None:
    # The notice links to the policy version it announces.
    published("Nouvelle finalité")


def test_an_accented_mailbox_is_delivered_with_smtputf8_when_the_server_offers_it(
    utf8_server,
) -> None:
    message = _send_notice_to("hélène.dupré@exemple.fr")
    assert message.status == Status.SENT
    [captured] = utf8_server.messages
    assert captured.rcpt_tos == ["hélène.dupré@exemple.fr"]
    parsed = email.message_from_bytes(captured.raw, policy=email.policy.SMTPUTF8)
    assert parsed["To"] == "hélène.dupré@exemple.fr"


def test_an_accented_mailbox_fails_for_good_without_smtputf8_and_is_not_retried(
    smtp_server,
) -> None:
    message = _send_notice_to("hélène.dupré@exemple.fr")
    assert message.status == Status.FAILED
    assert message.last_error.startswith("553 ")
    assert "SMTPUTF8" in message.last_error
    assert smtp_server.messages == []


def test_an_accented_domain_travels_in_its_idna_form_to_any_server(smtp_server) -> None:
    message = _send_notice_to("contact@société.fr")
    assert message.status == Status.SENT
    [captured] = smtp_server.messages
    assert captured.rcpt_tos == ["contact@xn--socit-esab.fr"]
