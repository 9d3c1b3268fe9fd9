"""The case page (R46–R49): the requester's details journaled, the panels in words, and
each action behind its permission, its refusals shown as form errors."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from tests.rights.backoffice import open_unknown, open_verified
from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.audit.display import rows
from vigie.audit.models import Event
from vigie.rights import services
from vigie.rights.models import Decision, Status
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
CNIL = ("3 Place de Fontenoy", "TSA 80715", "01 53 73 22 22")


def _url(case, action: str = "") -> str:
    return f"/backoffice/rights/{case.pk}/" + (f"{action}/" if action else "")


def test_the_page_opens_the_requester_in_a_journaled_read(claire, signed_in, privacy_lead):
    case = open_verified(claire)
    response = signed_in(privacy_lead).get(_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Claire Martin" in page and "Je veux savoir ce que vous avez sur moi." in page
    read = Event.objects.filter(
        action="personal_data:read", object_type="rights.case", object_id=str(case.pk)
    )
    assert read.count() == 1 and read.get().extra["view"] == "rights:case"
    # The identity panel says how and by whom, in words and JJ/MM/AAAA.
    assert "Connue du membre du personnel" in page
    day = timezone.localtime(case.identity_verified_at).strftime("%d/%m/%Y")
    assert f"vérifiée le {day}, par Ligne de commande" in page
    # The timeline is sentences, the letters their labels.
    assert "Demande enregistrée (Accès, Effacement)" in page
    assert "Demande de droits : accusé de réception" in page


def test_the_audit_log_links_a_case_to_its_page(claire):
    case = open_verified(claire)
    event = Event.objects.filter(object_type="rights.case", object_id=str(case.pk)).first()
    [row] = rows([event])
    assert row.object_url == reverse("cases:detail", args=[case.pk])
    # Named by its number, as everywhere else (the demo showed « c0a30530-af1d… »).
    assert row.object_title == case.number


def test_the_audit_log_says_the_data_subject_acted_not_a_code(claire, smtp_server):
    # A request from the portal form, then its confirmation link: the log showed
    # « subject » and « subject 5036d321-… » as the actor.
    intake = services.open_case(
        Actor("subject", "", "127.0.0.1"),
        types=["access"],
        channel="portal",
        requester=Requester(email=ON_FILE, name="Claire Martin"),
    )
    assert services.confirm_challenge(intake.challenge_token) is not None
    events = list(Event.objects.filter(actor_type="subject"))
    assert {e.actor_id for e in events} >= {"", str(intake.case.pk)}
    with translation.override("fr"):
        assert {row.who for row in rows(events)} == {"La personne concernée"}


def test_a_sales_user_may_grant_but_gets_403_when_refusing(claire, signed_in, make_staff):
    case = open_verified(claire)
    sales = make_staff(Role.SALES)
    client = signed_in(sales)
    page = client.get(_url(case)).content.decode()
    assert 'value="refused"' not in page and 'value="granted"' in page
    refused = client.post(
        _url(case, "decide"),
        {"request_type": "erasure", "outcome": "refused", "grounds": "Obligation légale."},
    )
    assert refused.status_code == 403
    assert not Decision.objects.exists()
    granted = client.post(_url(case, "decide"), {"request_type": "access", "outcome": "granted"})
    assert granted.status_code == 302 and granted["Location"] == _url(case)
    assert Decision.objects.get().outcome == "granted"


def test_the_privacy_lead_refuses_and_the_letter_carries_the_remedies(
    claire, signed_in, privacy_lead, smtp_server
):
    case = open_verified(claire)
    client = signed_in(privacy_lead)
    response = client.post(
        _url(case, "decide"),
        {
            "request_type": "erasure",
            "outcome": "refused",
            "grounds": "Factures conservées : art. 17(3)(b) RGPD, L123-22 C. com.",
        },
    )
    assert response.status_code == 302
    deliver_all()
    [letter] = [t for _to, s, t in received(smtp_server) if "décision" in s]
    assert "L123-22" in letter and "recours juridictionnel" in letter
    for part in CNIL:
        assert part in letter
    page = client.get(_url(case)).content.decode()
    assert "Demande de droits : refus" in page and "Refusée" in page


def test_the_french_case_page_agrees_its_labels_with_la_demande(claire, signed_in, privacy_lead):
    # Found trying the demo: « Accordée / Refusée en partie / Refusé », and an empty
    # handler choice reading « Personne » beside « Personne chargée ».
    case = open_verified(claire)
    page = signed_in(privacy_lead).get(_url(case)).content.decode()
    assert '<option value="refused">Refusée</option>' in page
    assert '<option value="" selected>Non attribuée</option>' in page


def test_a_refusal_without_grounds_is_a_form_error(claire, signed_in, privacy_lead):
    case = open_verified(claire)
    response = signed_in(privacy_lead).post(
        _url(case, "decide"), {"request_type": "erasure", "outcome": "refused", "grounds": " "}
    )
    assert response.status_code == 400
    assert "motifs" in response.content.decode()


def test_an_extension_after_the_due_date_shows_the_rule_not_a_500(
    claire, signed_in, privacy_lead, smtp_server
):
    case = open_verified(claire, days_ago=40)
    response = signed_in(privacy_lead).post(_url(case, "extend"), {"reasons": "Trop tard."})
    assert response.status_code == 400
    assert "délai initial expiré" in response.content.decode()
    case.refresh_from_db()
    assert case.extended_at is None


def test_an_extension_in_time_moves_the_due_date(claire, signed_in, privacy_lead, smtp_server):
    case = open_verified(claire, days_ago=10)
    response = signed_in(privacy_lead).post(
        _url(case, "extend"), {"reasons": "Dix ans d’interventions à rassembler."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extended_at is not None and case.extension_notice_sent_at is not None
    page = signed_in(privacy_lead).get(_url(case)).content.decode()
    assert "Dix ans d’interventions à rassembler." in page


def test_the_date_of_receipt_is_set_back_and_never_in_the_future(claire, signed_in, privacy_lead):
    case = open_verified(claire)
    client = signed_in(privacy_lead)
    later = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    refused = client.post(_url(case, "received-at"), {"received_on": later})
    assert refused.status_code == 400 and "futur" in refused.content.decode()
    earlier = timezone.localdate() - dt.timedelta(days=6)
    done = client.post(_url(case, "received-at"), {"received_on": earlier.isoformat()})
    assert done.status_code == 302
    case.refresh_from_db()
    assert timezone.localtime(case.received_at).date() == earlier


def test_identity_verified_then_answered(signed_in, privacy_lead, smtp_server):
    case = open_unknown()
    client = signed_in(privacy_lead)
    page = client.get(_url(case)).content.decode()
    assert "suspendu" in page
    # No person attached: no challenge form, and a forged POST is a form error.
    assert _url(case, "challenge") not in page
    response = client.post(_url(case, "challenge"))
    assert response.status_code == 400 and "Aucune personne" in response.content.decode()
    response = client.post(_url(case, "verify"), {"method": "known_to_staff"})
    assert response.status_code == 302
    response = client.post(_url(case, "answer"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    page = client.get(_url(case)).content.decode()
    assert _url(case, "answer") not in page  # closed: no action left


def test_closing_as_unverified_needs_a_reason(signed_in, privacy_lead, smtp_server):
    case = open_unknown()
    client = signed_in(privacy_lead)
    assert client.post(_url(case, "close-unverified"), {"reason": ""}).status_code == 400
    response = client.post(_url(case, "close-unverified"), {"reason": "Aucune réponse."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.UNVERIFIED


def test_assigning_a_handler_shows_their_name(claire, signed_in, privacy_lead, make_staff):
    case = open_verified(claire)
    handler = make_staff(Role.ARCHIVE_LEGAL, username="jeanne")
    handler.first_name, handler.last_name = "Jeanne", "Durand"
    handler.save()
    client = signed_in(privacy_lead)
    assert client.post(_url(case, "assign"), {"handler": handler.pk}).status_code == 302
    assert "Jeanne Durand" in client.get(_url(case)).content.decode()
    technician = make_staff(Role.TECHNICIAN)
    response = client.post(_url(case, "assign"), {"handler": technician.pk})
    assert response.status_code == 400  # not among those who handle requests


def test_only_the_privacy_lead_sets_the_deadline_of_a_complaint(
    claire, signed_in, privacy_lead, make_staff
):
    case = open_verified(claire, types=["complaint"])
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    sales = signed_in(make_staff(Role.SALES))
    assert _url(case, "deadline") not in sales.get(_url(case)).content.decode()
    assert sales.post(_url(case, "deadline"), {"due_date": due}).status_code == 403
    lead = signed_in(privacy_lead)
    assert lead.post(_url(case, "deadline"), {"due_date": due}).status_code == 302
    case.refresh_from_db()
    assert case.due_date.isoformat() == due


def test_an_auditor_reads_without_any_action(claire, signed_in, auditor):
    case = open_verified(claire)
    page = signed_in(auditor).get(_url(case)).content.decode()
    assert "Votre rôle permet de lire cette demande" in page
    assert signed_in(auditor).post(_url(case, "answer")).status_code == 403


def test_an_unknown_case_is_a_404(signed_in, privacy_lead):
    missing = "00000000-0000-4000-8000-000000000000"
    client = signed_in(privacy_lead)
    assert client.get(f"/backoffice/rights/{missing}/").status_code == 404
    assert client.post(f"/backoffice/rights/{missing}/answer/").status_code == 404


def test_a_case_received_23_days_ago_reads_amber_at_d_minus_7(signed_in, privacy_lead):
    """Received 10/04/2025 from an unknown address, verified the same day: due 10/05/2025,
    amber from 03/05/2025 (D-7), 23 days after its receipt."""
    received = dt.datetime(2025, 4, 10, 9, 0, tzinfo=dt.UTC)
    case = open_unknown(at=received)
    with time_machine.travel(received + dt.timedelta(hours=1), tick=False):
        services.verify_identity(Actor.for_user(privacy_lead), case, "known_to_staff")
    with time_machine.travel(dt.datetime(2025, 5, 2, 20, 0, tzinfo=dt.UTC), tick=False):
        # 22:00 in Paris on 02/05: still green.
        page = signed_in(privacy_lead).get("/backoffice/rights/?colour=amber").content.decode()
        assert case.number not in page
    with time_machine.travel(dt.datetime(2025, 5, 3, 8, 0, tzinfo=dt.UTC), tick=False):
        page = signed_in(privacy_lead).get("/backoffice/rights/?colour=amber").content.decode()
        assert case.number in page and "10/05/2025" in page
