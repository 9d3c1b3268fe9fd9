"""Art. 14 notices: due a month after collection, sent once, then marketing may follow (R9)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.policy.conftest import register  # noqa: F401 (fixture)
from vigie.consent.audience import check_audience
from vigie.mail.models import Message
from vigie.people.services import create_person
from vigie.people.tasks import overdue_notices, send_art14_notices

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def partner_contact(cli_actor):
    return create_person(
        cli_actor,
        email="henri.lemoine@entreprise.fr",
        first_name="Henri",
        last_name="Lemoine",
        subject_types=["partner_sourced_contact", "prospect_B2B"],
        source="partner",
        source_name="Salon IT Sud",
        partner_permission_ref="contrat-2026-14",
        collected_at=timezone.now() - dt.timedelta(days=40),
        informed_of_opt_out=True,
    )


def test_an_unsent_notice_past_its_date_is_overdue_and_blocks_marketing(partner_contact) -> None:
    assert list(overdue_notices()) == [partner_contact]
    [result] = check_audience("offres", ["henri.lemoine@entreprise.fr"])
    assert result.reason == "ART14_NOTICE_PENDING"


def test_the_notice_is_queued_once_then_marketing_may_follow(partner_contact) -> None:
    assert send_art14_notices() == 1
    assert send_art14_notices() == 0
    message = Message.objects.get()
    assert (message.kind, message.template) == ("service", "art14_notice")
    assert message.context == {"source_name": "Salon IT Sud"}
    partner_contact.refresh_from_db()
    assert partner_contact.art14_notice_sent_at is not None
    assert list(overdue_notices()) == []
    [result] = check_audience("offres", ["henri.lemoine@entreprise.fr"])
    assert result.allowed


@pytest.mark.parametrize(
    ("language", "phrase"), [("fr", "vous y opposer"), ("en", "You may object")]
)
def test_the_notice_names_the_source_the_data_and_the_right_to_object(
    language,
    phrase,
    register,  # noqa: F811 (fixture)
) -> None:
    from vigie.mail.rendering import render

    rendered = render(
        "art14_notice", language, kind="service", refs={"source_name": "Salon IT Sud"}
    )
    assert "Salon IT Sud" in rendered.text and "Salon IT Sud" in rendered.html
    assert phrase in rendered.text
    assert "CNIL" in rendered.text
    # Who the controller is and where to object come from the register (Art. 14(1)(a)).
    assert "SEMI INFORMATIQUE (825 Rue André Ampère, 13290 Aix-en-Provence)" in rendered.text
    assert "info.rgpd@semi-informatique.com" in rendered.text


def test_the_back_office_home_alerts_on_overdue_notices(
    partner_contact, signed_in, make_staff
) -> None:
    client = signed_in(make_staff("sales"))
    home = client.get("/backoffice/").content.decode()
    assert 'role="alert"' in home and "14" in home
    listed = client.get("/backoffice/people/?overdue=1").content.decode()
    assert str(partner_contact.pk)[:8] in listed
    send_art14_notices()
    assert 'role="alert"' not in client.get("/backoffice/").content.decode()
