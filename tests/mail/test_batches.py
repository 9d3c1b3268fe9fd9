"""A batch (``queue_messages``, ``deliver_messages``): each recipient mailed once, and
one message's trouble stays its own."""

from __future__ import annotations

import logging

import pytest

from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.mail import addressing, delivery
from vigie.mail.addressing import Address, To
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_messages
from vigie.mail.tasks import deliver_messages
from vigie.people.models import Organisation

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ACTOR = Actor.cli("test")
SECRET = "jeanne.dupont@exemple.fr does not open"


def _batch(*keys: str) -> list[Message]:
    return queue_messages(
        ACTOR,
        [To.recipient(k) for k in keys],
        "plain_notice",
        kind="service",
        context={"source_name": "Salon IT"},
    )


def test_one_broken_message_does_not_hold_back_the_rest_of_its_chunk(monkeypatch) -> None:
    def resolver(key: str) -> Address:
        if key == "casse":
            raise ValueError("sealed field does not open")
        raise addressing.Unreachable("NO_ADDRESS")  # any definite outcome will do

    monkeypatch.setitem(addressing._resolvers, "recipient", resolver)
    broken, fine = _batch("casse", "hebergeur")
    # Nothing escapes the chunk: the error is the broken message's own.
    deliver_messages.call([str(broken.pk), str(fine.pk)])
    fine.refresh_from_db()
    assert fine.status != Status.QUEUED, "the second message of the chunk was never tried"
    assert Message.objects.get(pk=broken.pk).status != Status.SENDING


def test_a_message_that_raised_is_closed_as_failed_without_its_error_text_and_the_next_is_sent(
    monkeypatch, smtp_server, caplog
) -> None:
    def resolver(key: str) -> Address:
        if key == "casse":
            raise ValueError(SECRET)
        return Address(email="dpo@hebergeur.example", name="Hébergeur")

    monkeypatch.setitem(addressing._resolvers, "recipient", resolver)
    broken, fine = _batch("casse", "hebergeur")
    with caplog.at_level(logging.INFO, logger="vigie.mail"):
        outcomes = deliver_messages.call([str(broken.pk), str(fine.pk)])
    assert outcomes == {"failed": 1, "sent": 1}
    assert len(smtp_server.messages) == 1
    broken.refresh_from_db()
    assert broken.status == Status.FAILED
    assert broken.last_error == delivery.UNEXPECTED.format("ValueError")
    failed = Event.objects.get(action="mail:message:failed")
    assert failed.extra["reason"].startswith("UNEXPECTED_ERROR: ValueError")
    # The exception's text may quote personal data: neither the outbox nor the log has it.
    assert SECRET not in caplog.text and "jeanne.dupont" not in repr(failed.extra)
    assert "ValueError" in caplog.text
    # A closed message is not tried again by a repeated chunk: never sent twice.
    assert deliver_messages.call([str(broken.pk), str(fine.pk)]) == {"failed": 1, "sent": 1}
    assert len(smtp_server.messages) == 1


def test_an_error_after_the_transfer_started_closes_the_message_as_possibly_delivered(
    monkeypatch, smtp_server
) -> None:
    monkeypatch.setitem(
        addressing._resolvers, "recipient", lambda key: Address(email="dpo@hebergeur.example")
    )
    first, second = _batch("hebergeur", "sous-traitant")
    calls = []

    def record_fails_once(message: Message) -> str:
        calls.append(message.pk)
        if len(calls) == 1:
            raise RuntimeError("the database said no")
        return real(message)

    real = delivery._record_sent
    monkeypatch.setattr(delivery, "_record_sent", record_fails_once)
    assert deliver_messages.call([str(first.pk), str(second.pk)]) == {"failed": 1, "sent": 1}
    # The server accepted both; the first could not be recorded as sent, so it is
    # closed as possibly delivered, naming its Message-ID, never queued again.
    assert len(smtp_server.messages) == 2
    first.refresh_from_db()
    assert first.status == Status.FAILED and first.delivery_uncertain
    assert first.message_id in first.last_error
    assert delivery.deliver(first.pk) == Status.FAILED
    assert len(smtp_server.messages) == 2


def test_a_recipient_listed_twice_in_a_batch_gets_one_message() -> None:
    client = Organisation.objects.create(name="Cabinet Durand", kind="client_company")
    queue_messages(
        ACTOR,
        [client, To.of(client), To.recipient("hebergeur"), To.recipient("hebergeur")],
        "policy_change",
        kind="service",
        context={},
    )
    assert Message.objects.filter(organisation=client).count() == 1
    assert Message.objects.filter(recipient_key="hebergeur").count() == 1


def test_duplicates_are_dropped_in_the_order_given_and_counted_in_the_audit_event() -> None:
    messages = _batch("b", "a", "b", "c", "a")
    assert [m.recipient_key for m in messages] == ["b", "a", "c"]
    batch = Event.objects.get(action="mail:batch:queue")
    assert (batch.extra["count"], batch.extra["duplicates"]) == (3, 2)
    assert batch.extra["recipients"] == {"recipient": 3}
