"""Issue 10, item 1 (R9): an Art. 14 notice counts as given when the mail server
accepted it, not when it was queued. Three notices rejected with 550 by a real SMTP
server: those people stay out of every marketing audience, and are listed as late
once their due date (C2: collected 03/02/2025 14:00 → due 03/03/2025, late from
04/03/2025 00:00 Paris time) has passed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from vigie.audit.actor import Actor
from vigie.consent.audience import check_audience
from vigie.lib.legal_calendar import PARIS
from vigie.mail.models import Message, Status
from vigie.mail.tasks import deliver_message
from vigie.people.models import Person
from vigie.people.services import create_person
from vigie.people.tasks import overdue_notices, send_art14_notices
from vigie.register.services import load_file

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ACTOR = Actor.cli("test")
#: The shipped register: it describes partner-sourced prospecting (the notice's content).
SEMI = Path(__file__).parents[2] / "policies" / "semi-informatique.yaml"
COLLECTED = dt.datetime(2025, 2, 3, 14, 0, tzinfo=PARIS)
REJECTED = [f"contact{n}@entreprise-{n}.fr" for n in range(3)]
ACCEPTED = "dsi@entreprise-ok.fr"


def _partner_contact(address: str) -> Person:
    return create_person(
        ACTOR,
        email=address,
        first_name="Henri",
        last_name="Lemoine",
        job_title="DSI",
        subject_types=["partner_sourced_contact", "prospect_B2B"],
        source="partner",
        source_name="Salon IT Sud",
        partner_permission_ref="contrat-2025-14",
        informed_of_opt_out=True,
    )


def _deliver_all() -> None:
    for pk in Message.objects.filter(status=Status.QUEUED).values_list("pk", flat=True):
        deliver_message.call(str(pk))


def _reasons() -> dict[str, str]:
    results = check_audience("offres", [*REJECTED, ACCEPTED])
    return {r.address: "allowed" if r.allowed else r.reason for r in results}


def test_notices_rejected_with_550_keep_people_blocked_and_are_late_after_the_due_date(
    smtp_server, signed_in, make_staff
) -> None:
    load_file(ACTOR, SEMI)
    with time_machine.travel(COLLECTED, tick=False):
        rejected = [_partner_contact(address) for address in REJECTED]
        accepted = _partner_contact(ACCEPTED)
        assert {p.art14_notice_due_at for p in [*rejected, accepted]} == {dt.date(2025, 3, 3)}
        assert send_art14_notices() == 4
        # Queued is not given: marketing still waits.
        assert set(_reasons().values()) == {"ART14_NOTICE_PENDING"}
        smtp_server.rcpt_reply = "550 5.1.1 <{address}>: Recipient address rejected"
        for person in rejected:
            deliver_message.call(str(Message.objects.get(person=person).pk))
        smtp_server.rcpt_reply = None
        _deliver_all()
    statuses = {m.person_id: m.status for m in Message.objects.all()}
    assert [statuses[p.pk] for p in rejected] == [Status.FAILED] * 3
    assert statuses[accepted.pk] == Status.SENT
    assert len(smtp_server.messages) == 1
    for person in rejected:
        person.refresh_from_db()
        assert person.art14_notice_sent_at is None
    accepted.refresh_from_db()
    assert accepted.art14_notice_sent_at is not None
    assert _reasons() == {**dict.fromkeys(REJECTED, "ART14_NOTICE_PENDING"), ACCEPTED: "allowed"}
    # The daily job does not send a failed notice again by itself: it waits for a person.
    assert send_art14_notices() == 0

    client = signed_in(make_staff("privacy_lead"))
    # The due date ends at 23:59:59 Paris time: not late yet…
    with time_machine.travel(dt.datetime(2025, 3, 3, 23, 59, 59, tzinfo=PARIS), tick=False):
        assert list(overdue_notices()) == []
        assert (
            "Aucune information art. 14 en retard." in client.get("/backoffice/").content.decode()
        )
    # …late from midnight, and only the three undelivered ones.
    with time_machine.travel(dt.datetime(2025, 3, 4, 0, 0, tzinfo=PARIS), tick=False):
        assert {p.pk for p in overdue_notices()} == {p.pk for p in rejected}
        home = client.get("/backoffice/").content.decode()
        assert "3 informations art. 14 en retard" in home
        listed = client.get(reverse("people:list") + "?overdue=on").content.decode()
        for person in rejected:
            assert str(person.pk)[:8] in listed
        assert str(accepted.pk)[:8] not in listed
        page = client.get(reverse("people:detail", args=[rejected[0].pk])).content.decode()
        assert "en retard" in page
        assert _reasons() == {
            **dict.fromkeys(REJECTED, "ART14_NOTICE_PENDING"),
            ACCEPTED: "allowed",
        }
