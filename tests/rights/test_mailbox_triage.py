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
    assert Case.objects.count() == 0
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
    assert Case.objects.count() == 0
    assert InboundMessage.objects.get().state == InboundState.TRIAGE


def test_a_message_that_is_not_a_request_is_dismissed_with_its_reason(
    claire,
    mailbox,
    lead,
) -> None:
    message = _queued(mailbox, "promo@ailleurs.example", subject="Offre spéciale")
    dismiss_message(lead, message, "Publicité")
    assert InboundMessage.objects.get().state == InboundState.NOT_A_REQUEST
    assert Case.objects.count() == 0
