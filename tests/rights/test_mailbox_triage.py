"""From a message in the real privacy mailbox (dovecot on 127.0.0.1) to a case: the
privacy lead opens it from the triage queue, the case runs from the message's arrival,
the message is sorted under the case number; a sales user may not sort the queue."""

from __future__ import annotations

import pytest

from tests.mail.conftest import mail_bytes
from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.mail.inbound import poll_mailbox
from vigie.mail.models import InboundMessage, InboundState
from vigie.mail.triage import triage_queue
from vigie.rights.mailbox import dismiss_message, open_case_from_message
from vigie.rights.models import Case, Channel, IdentityStatus, Status
from vigie.rights.services import NotAllowed

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


@pytest.fixture
def lead(privacy_lead) -> Actor:
    return Actor.for_user(privacy_lead, "127.0.0.1")


def _queued(mailbox, sender: str, subject: str = "Accès à mes données") -> InboundMessage:
    mailbox.append(
        mail_bytes(sender=sender, subject=subject, text="Merci de m'envoyer mes données.")
    )
    poll_mailbox()
    [message] = triage_queue()
    return message


def test_a_message_from_the_address_on_file_becomes_a_verified_case_from_its_arrival(
    claire,
    smtp_server,
    mailbox,
    lead,
) -> None:
    message = _queued(mailbox, f"Claire Martin <{ON_FILE}>")

    case = open_case_from_message(lead, message, types=["access"]).case

    assert (case.channel, case.person) == (Channel.MAILBOX, claire)
    assert case.received_at == message.received_at
    assert case.identity_status == IdentityStatus.VERIFIED and case.status == Status.IN_PROGRESS
    message.refresh_from_db()
    assert (message.state, message.decision_note) == (InboundState.TRIAGED, case.number)
    assert list(triage_queue()) == []
    read = Event.objects.get(action="personal_data:read", object_type="mail.inboundmessage")
    assert read.extra["view"] == "rights:triage"
    deliver_all()
    [(to, subject, _text)] = received(smtp_server)
    assert to == ON_FILE and case.number in subject


def test_a_message_from_an_unknown_address_gets_a_neutral_reply_and_the_clock_stops(
    claire,
    smtp_server,
    mailbox,
    lead,
) -> None:
    message = _queued(mailbox, "inconnu@ailleurs.example")
    case = open_case_from_message(lead, message, types=["erasure"]).case
    assert case.status == Status.AWAITING_IDENTITY
    assert case.suspended_from is not None


def test_a_user_without_the_triage_permission_changes_nothing(
    claire,
    mailbox,
    make_staff,
) -> None:
    message = _queued(mailbox, ON_FILE)
    sales = Actor.for_user(make_staff(Role.SALES), "127.0.0.1")
    with pytest.raises(NotAllowed):
        open_case_from_message(sales, message, types=["access"])
    with pytest.raises(NotAllowed):
        dismiss_message(sales, message, "spam")
    # Only the case the message opened on arrival (R78), unsorted and open.
    [case] = Case.objects.all()
    assert case.types == [] and case.is_open
    assert InboundMessage.objects.get().state == InboundState.TRIAGE
    assert not Event.objects.filter(action="personal_data:read").exists()


def test_a_bad_type_opens_no_case_and_leaves_the_message_to_sort(
    claire,
    mailbox,
    lead,
) -> None:
    from vigie.rights.services import RightsError

    message = _queued(mailbox, ON_FILE)
    with pytest.raises(RightsError):
        open_case_from_message(lead, message, types=["teleportation"])
    [case] = Case.objects.all()
    assert case.types == [] and case.is_open
    assert InboundMessage.objects.get().state == InboundState.TRIAGE


def test_a_message_that_is_not_a_request_is_dismissed_with_its_reason(
    claire,
    mailbox,
    lead,
) -> None:
    message = _queued(mailbox, "promo@ailleurs.example", subject="Offre spéciale")
    dismiss_message(lead, message, "Publicité")
    assert InboundMessage.objects.get().state == InboundState.NOT_A_REQUEST
    assert Case.objects.get().status == Status.NOT_A_REQUEST


def test_a_message_opens_its_case_on_arrival_and_is_acknowledged_with_number_and_due_date(
    claire, smtp_server, mailbox
) -> None:
    """R78: « an e-mail to info.rgpd@ gets an acknowledgement within 5 minutes containing
    Dossier n° … and the due date » — within the poll that stores it."""
    message = _queued(mailbox, f"Claire Martin <{ON_FILE}>")
    [case] = Case.objects.all()
    assert case.source_message == message.id and case.types == []
    assert case.identity_status == IdentityStatus.VERIFIED and case.person == claire
    deliver_all()
    [(to, subject, text)] = received(smtp_server)
    assert to == ON_FILE and f"Dossier n° {case.number}" in subject
    assert case.due_date.strftime("%d/%m/%Y") in text
    # Polling again opens nothing more; the message still waits to be sorted.
    poll_mailbox()
    assert Case.objects.count() == 1 and list(triage_queue()) == [message]


def test_sorting_a_message_chooses_the_types_of_the_case_opened_on_arrival(
    claire, smtp_server, mailbox, lead
) -> None:
    message = _queued(mailbox, ON_FILE)
    case = open_case_from_message(lead, message, types=["erasure", "objection"]).case
    assert Case.objects.count() == 1
    assert case.types == ["erasure", "objection"]
    assert case.events.filter(kind="qualified").exists()


def test_an_unknown_sender_gets_the_neutral_reply_with_the_number_on_arrival(
    claire, smtp_server, mailbox
) -> None:
    _queued(mailbox, "inconnu@ailleurs.example")
    [case] = Case.objects.all()
    assert case.status == Status.AWAITING_IDENTITY and case.due_date is None
    deliver_all()
    [(to, subject, text)] = received(smtp_server)
    assert to == "inconnu@ailleurs.example" and case.number in subject
    assert "ni confirmer ni infirmer" in text


def test_a_follow_up_quoting_a_case_number_opens_no_case(claire, mailbox) -> None:
    _queued(mailbox, ON_FILE, subject="Re: Dossier n° DDP-2026-0007 : pièce jointe")
    assert not Case.objects.exists()


def test_dismissing_a_message_closes_the_case_it_opened_without_a_letter(
    claire, smtp_server, mailbox, lead
) -> None:
    message = _queued(mailbox, "promo@spam.example", subject="Offre exceptionnelle")
    deliver_all()
    sent_before = len(smtp_server.messages)
    dismiss_message(lead, message, "Publicité")
    case = Case.objects.get()
    assert case.status == Status.NOT_A_REQUEST and case.closing_reason == "Publicité"
    assert case.retain_until is not None
    deliver_all()
    assert len(smtp_server.messages) == sent_before
