"""The ``mailto:`` of ``List-Unsubscribe`` (RFC 2369/8058), end to end: the header of a
sent newsletter, the message a mail client sends from it to the real IMAP server, one
poll, and the person is unsubscribed, once, with the method « mailto » (R39, R78)."""

from __future__ import annotations

import email
import email.policy
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from django.db import transaction

from tests.mail.conftest import mail_bytes
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.consent.models import ConsentEvent, Method, Subscription
from vigie.consent.models import Status as ConsentStatus
from vigie.lib.tokens import make_token
from vigie.mail import inbound
from vigie.mail.inbound import poll_mailbox
from vigie.mail.models import InboundAttachment, InboundMessage, InboundState
from vigie.mail.services import queue_message
from vigie.mail.tasks import deliver_message

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


def _mailto_of_a_sent_newsletter(smtp_server: Any, person: Any) -> tuple[str, str]:
    """(mailbox, subject) of the mailto: link, as a mail client reads it (RFC 6068:
    the subject percent-decoded)."""
    with transaction.atomic():
        message = queue_message(
            Actor.cli("test"), person, "newsletter", kind="marketing", purpose="newsletter"
        )
    assert deliver_message.call(str(message.pk)) == "sent"
    parsed = email.message_from_bytes(smtp_server.messages[-1].raw, policy=email.policy.default)
    match = re.search(r"<mailto:([^>]+)>", str(parsed["List-Unsubscribe"]))
    assert match, parsed["List-Unsubscribe"]
    link = urlsplit(f"mailto:{match[1]}")
    subject = unquote(link.query.removeprefix("subject="))
    return link.path, subject


def _newsletter_state(person: Any) -> str:
    return Subscription.objects.get(person=person, purpose="newsletter").status


def test_the_mailto_of_a_sent_newsletter_unsubscribes_within_one_poll(
    smtp_server, person, audience, mailbox
) -> None:
    to, subject = _mailto_of_a_sent_newsletter(smtp_server, person)
    assert to == "desabonnement@semi-informatique.com"
    assert _newsletter_state(person) == ConsentStatus.SUBSCRIBED
    # Any sender: a forwarding address, a shared mailbox.
    mailbox.append(mail_bytes(sender="quelquun@ailleurs.example", subject=subject, text=""))

    report = poll_mailbox()

    assert report.handled == {"consent:mailto-unsubscribe": 1} and report.triage == 0
    assert _newsletter_state(person) == ConsentStatus.WITHDRAWN
    withdrawal = ConsentEvent.objects.get(person=person, kind="withdraw")
    assert withdrawal.method == Method.MAILTO
    message = InboundMessage.objects.get()
    assert (message.state, message.handled_by) == (
        InboundState.HANDLED,
        "consent:mailto-unsubscribe",
    )
    assert str(message.pk) in withdrawal.channel
    # The consent ledger is the proof; the message keeps only its record.
    assert message.content_dropped_at is not None
    assert (message.sender_sealed, message.subject_sealed, message.body_sealed) == (
        None,
        None,
        None,
    )
    assert message.sender_index == ""
    handled = Event.objects.get(action="mail:inbound:handle")
    assert handled.extra == {"handler": "consent:mailto-unsubscribe", "content_kept": False}
    assert not Event.objects.filter(action="mail:inbound:queue").exists()


def test_a_second_identical_message_changes_nothing(person, audience, mailbox) -> None:
    token = make_token(person.pk, "newsletter")
    mailbox.append(mail_bytes(subject=token))
    poll_mailbox()
    withdrawals = ConsentEvent.objects.filter(person=person, kind="withdraw").count()
    assert withdrawals == 1

    mailbox.append(mail_bytes(subject=token))
    mailbox.append(mail_bytes(subject=token))
    report = poll_mailbox()

    assert report.handled == {"consent:mailto-unsubscribe": 2}
    assert ConsentEvent.objects.filter(person=person, kind="withdraw").count() == 1
    assert _newsletter_state(person) == ConsentStatus.WITHDRAWN
    assert InboundMessage.objects.filter(state=InboundState.HANDLED).count() == 3


def test_an_all_purposes_token_is_an_objection(person, audience, mailbox) -> None:
    mailbox.append(mail_bytes(subject=make_token(person.pk, "all")))
    poll_mailbox()
    states = set(Subscription.objects.filter(person=person).values_list("status", flat=True))
    assert states == {ConsentStatus.OBJECTED}


@pytest.mark.parametrize(
    "subject",
    [
        "Désabonnement",
        "not-a-signed-token:xyz",
        "",
    ],
)
def test_a_subject_that_is_no_valid_token_goes_to_triage(
    person, audience, mailbox, subject
) -> None:
    mailbox.append(mail_bytes(subject=subject))
    report = poll_mailbox()
    assert (report.handled, report.triage) == ({}, 1)
    message = InboundMessage.objects.get()
    assert message.state == InboundState.TRIAGE and message.subject_sealed is not None
    assert _newsletter_state(person) == ConsentStatus.SUBSCRIBED


def test_a_tampered_token_goes_to_triage(person, audience, mailbox) -> None:
    token = make_token(person.pk, "newsletter")
    mailbox.append(mail_bytes(subject=token[:-2] + ("AA" if token[-2:] != "AA" else "BB")))
    poll_mailbox()
    assert InboundMessage.objects.get().state == InboundState.TRIAGE
    assert _newsletter_state(person) == ConsentStatus.SUBSCRIBED


def test_a_percent_encoded_subject_left_by_a_mail_client_still_unsubscribes(
    person, audience, mailbox
) -> None:
    from urllib.parse import quote

    mailbox.append(mail_bytes(subject=quote(make_token(person.pk, "newsletter"), safe="")))
    assert poll_mailbox().handled == {"consent:mailto-unsubscribe": 1}
    assert _newsletter_state(person) == ConsentStatus.WITHDRAWN


def test_a_failing_handler_leaves_the_message_for_the_next_poll_then_for_triage(
    person, audience, mailbox, monkeypatch
) -> None:
    def broken(mail: inbound.InboundMail) -> bool:
        # Writes something, then fails: the write must not survive.
        ConsentEvent.objects.filter(person=person).update(channel="half-done")
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(inbound, "_handlers", [inbound._Registered("broken", broken, False)])
    mailbox.append(
        mail_bytes(subject="Bonjour", attachments=(("note.txt", "text/plain", b"bonjour"),))
    )
    first = poll_mailbox()
    assert (first.stored, first.triage) == (1, 0)
    message = InboundMessage.objects.get()
    assert (message.state, message.handler_attempts) == (InboundState.NEW, 1)
    assert not ConsentEvent.objects.filter(channel="half-done").exists()
    # Flagged all the same: it is stored, the server need not give it again.
    assert message.flagged_at is not None

    poll_mailbox()
    assert InboundMessage.objects.get().handler_attempts == 2
    third = poll_mailbox()
    message = InboundMessage.objects.get()
    assert (message.state, message.handler_attempts, third.triage) == (InboundState.TRIAGE, 3, 1)
    queued = Event.objects.get(action="mail:inbound:queue")
    assert queued.extra == {"failed_handler": "broken"}
    # Left for a person: its content is all there.
    assert InboundAttachment.objects.filter(message=message).count() == 1


def test_a_handler_that_keeps_content_keeps_it(mailbox, monkeypatch) -> None:
    monkeypatch.setattr(
        inbound, "_handlers", [inbound._Registered("keeper", lambda mail: True, True)]
    )
    mailbox.append(mail_bytes())
    poll_mailbox()
    message = InboundMessage.objects.get()
    assert message.state == InboundState.HANDLED and message.content_dropped_at is None
    assert inbound.open_text(message.pk, "subject", message.subject_sealed).startswith("Demande")


def test_consent_registers_its_handler_at_start_up() -> None:
    assert "consent:mailto-unsubscribe" in inbound.inbound_handlers()
