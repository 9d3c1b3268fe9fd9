"""The privacy mailbox's triage pages (R78): the privacy lead reads a message (journaled)
and sorts it; a sales user and an outsider are refused; bad input is a form error."""

from __future__ import annotations

import pytest

from tests.mail.conftest import mail_bytes
from tests.rights.conftest import ON_FILE
from vigie.accounts.permissions import Role
from vigie.audit.models import Event
from vigie.mail.inbound import poll_mailbox
from vigie.mail.models import InboundMessage, InboundState
from vigie.rights.models import Case, Status

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


@pytest.fixture
def message(claire, mailbox) -> InboundMessage:
    mailbox.append(mail_bytes(sender=ON_FILE, subject="Effacement", text="Effacez mes données."))
    poll_mailbox()
    return InboundMessage.objects.get()


def test_the_privacy_lead_reads_a_message_and_sorts_it_as_a_request(
    message, privacy_lead, signed_in
) -> None:
    client = signed_in(privacy_lead)
    listing = client.get("/backoffice/rights/triage/")
    assert listing.status_code == 200
    case = Case.objects.get()
    assert case.number in listing.content.decode()
    # The list shows no sender nor subject: nothing personal is read there.
    assert ON_FILE not in listing.content.decode()
    assert not Event.objects.filter(action="personal_data:read").exists()
    page = client.get(f"/backoffice/rights/triage/{message.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and ON_FILE in body and "Effacez mes données." in body
    assert Event.objects.filter(action="personal_data:read", extra__view="rights:triage").exists()
    done = client.post(
        f"/backoffice/rights/triage/{message.pk}/", {"action": "qualify", "types": ["erasure"]}
    )
    assert done.status_code == 302 and done["Location"] == f"/backoffice/rights/{case.pk}/"
    case.refresh_from_db()
    assert case.types == ["erasure"]
    message.refresh_from_db()
    assert message.state == InboundState.TRIAGED and message.decision_note == case.number
    dashboard = client.get("/backoffice/rights/").content.decode()
    assert "0 message à trier" in dashboard


def test_bad_input_is_a_form_error_and_changes_nothing(message, privacy_lead, signed_in) -> None:
    client = signed_in(privacy_lead)
    url = f"/backoffice/rights/triage/{message.pk}/"
    for data in (
        {"action": "qualify", "types": ["teleportation"]},
        {"action": "attach", "number": "DDP-1999-9999"},
        {"action": "dismiss", "reason": ""},
        {"action": "dismiss", "reason": "x" * 600},
    ):
        assert client.post(url, data).status_code == 400, data
    assert client.post(url, {"action": "explode"}).status_code == 400
    assert Case.objects.get().types == []
    assert InboundMessage.objects.get().state == InboundState.TRIAGE


def test_a_message_sorted_under_another_case_closes_the_one_it_opened(
    message, privacy_lead, signed_in
) -> None:
    client = signed_in(privacy_lead)
    provisional = Case.objects.get()
    other = Case.objects.create(
        number="DDP-2026-0999",
        types=["access"],
        channel="post",
        received_at=provisional.received_at,
    )
    done = client.post(
        f"/backoffice/rights/triage/{message.pk}/", {"action": "attach", "number": other.number}
    )
    assert done.status_code == 302
    provisional.refresh_from_db()
    assert provisional.status == Status.NOT_A_REQUEST and other.number in provisional.closing_reason


def test_a_sales_user_and_an_outsider_are_refused(message, make_staff, outsider, signed_in):
    sales = make_staff(Role.SALES)
    for user in (sales, outsider):
        client = signed_in(user)
        assert client.get("/backoffice/rights/triage/").status_code == 403
        assert client.get(f"/backoffice/rights/triage/{message.pk}/").status_code == 403
        posted = client.post(
            f"/backoffice/rights/triage/{message.pk}/", {"action": "dismiss", "reason": "x"}
        )
        assert posted.status_code == 403
    assert InboundMessage.objects.get().state == InboundState.TRIAGE
