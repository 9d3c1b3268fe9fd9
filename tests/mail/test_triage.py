"""The triage queue's services, as the rights domain will call them: list, open (a
journaled read), mark as not a request, mark as sorted — each an audit event."""

from __future__ import annotations

import pytest

from tests.mail.conftest import mail_bytes
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.mail.inbound import poll_mailbox
from vigie.mail.models import InboundAttachment, InboundMessage, InboundState
from vigie.mail.triage import (
    TriageError,
    mark_not_a_request,
    mark_triaged,
    messages_from,
    open_attachment,
    open_message,
    triage_queue,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


@pytest.fixture
def lead(privacy_lead) -> Actor:
    return Actor.for_user(privacy_lead, "127.0.0.1")


@pytest.fixture
def queued(mailbox) -> list[InboundMessage]:
    mailbox.append(mail_bytes(subject="Premier", sender="a@exemple.fr"))
    mailbox.append(
        mail_bytes(
            subject="Second",
            sender="Bob Martin <bob.martin@exemple.fr>",
            text="Merci d'effacer mes données.",
            attachments=(("courrier.pdf", "application/pdf", b"%PDF-1.4 lettre"),),
        )
    )
    poll_mailbox()
    return list(triage_queue())


def test_the_queue_lists_what_no_handler_took_oldest_first(queued) -> None:
    assert [m.uid for m in queued] == sorted(m.uid for m in queued)
    assert len(queued) == 2


def test_opening_a_message_shows_its_content_and_journals_the_read(queued, lead) -> None:
    opened = open_message(lead, queued[1], view="rights:triage")
    assert (opened.sender, opened.subject) == ("bob.martin@exemple.fr", "Second")
    assert "effacer mes données" in opened.text
    assert [(a.name, a.content_type, a.size) for a in opened.attachments] == [
        ("courrier.pdf", "application/pdf", len(b"%PDF-1.4 lettre"))
    ]
    assert opened.sent_at is not None and opened.received_at is not None
    read = Event.objects.get(action="personal_data:read")
    assert (read.object_type, read.object_id) == ("mail.inboundmessage", str(queued[1].pk))
    assert read.extra["view"] == "rights:triage"
    assert read.actor_id == str(lead.id)

    name, kind, content = open_attachment(lead, InboundAttachment.objects.get())
    assert (name, kind, content) == ("courrier.pdf", "application/pdf", b"%PDF-1.4 lettre")
    assert Event.objects.filter(action="personal_data:read").count() == 2


def test_a_message_marked_not_a_request_leaves_the_queue_with_its_reason(queued, lead) -> None:
    message = mark_not_a_request(lead, queued[0], "  Publicité   reçue ")
    assert message.state == InboundState.NOT_A_REQUEST
    assert (message.decision_note, message.decided_by) == ("Publicité reçue", f"user:{lead.id}")
    assert [m.pk for m in triage_queue()] == [queued[1].pk]
    assert Event.objects.filter(action="mail:inbound:dismiss").count() == 1
    # Again: nothing changes, nothing recorded.
    mark_not_a_request(lead, queued[0], "autre raison")
    assert InboundMessage.objects.get(pk=queued[0].pk).decision_note == "Publicité reçue"
    assert Event.objects.filter(action="mail:inbound:dismiss").count() == 1


def test_a_reason_is_required(queued, lead) -> None:
    with pytest.raises(TriageError):
        mark_not_a_request(lead, queued[0], "   ")
    assert InboundMessage.objects.get(pk=queued[0].pk).state == InboundState.TRIAGE


def test_a_sorted_message_names_what_it_became(queued, lead) -> None:
    message = mark_triaged(lead, queued[1], "DDP-2026-0001")
    assert (message.state, message.decision_note) == (InboundState.TRIAGED, "DDP-2026-0001")
    assert Event.objects.get(action="mail:inbound:triage").extra == {"from": "triage"}
    # The same again is no change; another label is refused.
    mark_triaged(lead, queued[1], "DDP-2026-0001")
    assert Event.objects.filter(action="mail:inbound:triage").count() == 1
    with pytest.raises(TriageError, match="already sorted"):
        mark_triaged(lead, queued[1], "DDP-2026-0002")
    # Sorted is not "not a request".
    with pytest.raises(TriageError):
        mark_not_a_request(lead, queued[1], "erreur")


def test_a_message_marked_not_a_request_may_still_become_a_case(queued, lead) -> None:
    mark_not_a_request(lead, queued[0], "spam ?")
    message = mark_triaged(lead, queued[0], "DDP-2026-0003")
    assert message.state == InboundState.TRIAGED
    assert Event.objects.get(action="mail:inbound:triage").extra == {"from": "not_a_request"}


def test_a_message_processed_automatically_cannot_be_opened_or_sorted(
    person, audience, mailbox, lead
) -> None:
    from vigie.lib.tokens import make_token

    mailbox.append(mail_bytes(subject=make_token(person.pk, "newsletter")))
    poll_mailbox()
    handled = InboundMessage.objects.get()
    assert handled.state == InboundState.HANDLED
    with pytest.raises(TriageError):
        open_message(lead, handled)
    with pytest.raises(TriageError):
        mark_triaged(lead, handled, "DDP-2026-0004")
    assert not Event.objects.filter(action="personal_data:read").exists()


def test_a_persons_messages_are_found_by_address_without_opening_any(queued) -> None:
    # Case and spaces as a person types them; the display name of the From is no matter.
    found = messages_from("  Bob.Martin@Exemple.FR ")
    assert [m.pk for m in found] == [queued[1].pk]
    assert list(messages_from("inconnu@exemple.fr")) == []
    assert list(messages_from("")) == []
    assert not Event.objects.filter(action="personal_data:read").exists()
