"""R57: after a rectification, one Art. 19 task per recipient that received the data;
the case cannot close while one is open or unexplained; the notice reaches the
recipient's privacy contact through the real SMTP server."""

from __future__ import annotations

import pytest

from tests.mail.conftest import SmtpSink
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.people.models import Person
from vigie.rights import services
from vigie.rights.art19 import mark_done, mark_impossible, open_notices, send_notice
from vigie.rights.models import Case, NoticeStatus, NoticeTrigger, RecipientNotice, Status
from vigie.rights.recipients import send_recipients_list

from .backoffice import open_verified
from .conftest import ON_FILE, deliver_all, received
from .disclosure_helpers import (
    COLLECTOR,
    CONTACTS,
    SUBCONTRACTOR,
    disclose_to_both,
    give_recipients_a_mailbox,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def case(claire: Person) -> Case:
    give_recipients_a_mailbox()
    disclose_to_both(claire)
    case = open_verified(claire, types=["rectification"])
    open_notices(Actor.cli("test"), case, NoticeTrigger.RECTIFICATION, ["identity-contact"])
    return case


def _notice(case: Case, key: str) -> RecipientNotice:
    return case.notices.get(recipient__key=key)


def test_a_rectification_opens_two_tasks_and_the_case_waits_for_both(
    case: Case, privacy_lead, smtp_server: SmtpSink
) -> None:
    assert sorted(case.notices.values_list("recipient__key", flat=True)) == [
        COLLECTOR,
        SUBCONTRACTOR,
    ]
    actor = Actor.for_user(privacy_lead)
    services.decide(actor, case, "rectification", "granted", "")
    with pytest.raises(services.RightsError, match=r"2 notifications art\. 19"):
        services.answer(actor, case)

    send_notice(actor, _notice(case, SUBCONTRACTOR))
    # Queued, not yet delivered: still open, the case still cannot close.
    with pytest.raises(services.RightsError, match="Prestataires et sous-traitants"):
        services.answer(actor, case)
    deliver_all()
    mail = [m for m in received(smtp_server) if m[0] == CONTACTS[SUBCONTRACTOR]]
    assert len(mail) == 1
    _to, subject, body = mail[0]
    assert case.number in subject and "rectification" in subject
    assert "intervention #123" in body and "Identité et coordonnées" in body
    assert "Claire" not in body and ON_FILE not in body  # minimal data
    assert _notice(case, SUBCONTRACTOR).status == NoticeStatus.SENT
    with pytest.raises(services.RightsError, match="Cabinets de recouvrement"):
        services.answer(actor, case)

    with pytest.raises(services.RightsError, match="exige sa raison"):
        mark_impossible(actor, _notice(case, COLLECTOR), "   ")
    assert _notice(case, COLLECTOR).status == NoticeStatus.OPEN
    mark_impossible(actor, _notice(case, COLLECTOR), "Le cabinet a cessé son activité.")
    answered = services.answer(actor, case)
    assert answered.status == Status.ANSWERED
    kinds = list(case.events.values_list("kind", flat=True))
    for kind in ("notices_opened", "notice_sent", "notice_delivered", "notice_impossible"):
        assert kind in kinds
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"rights:notice:send", "rights:notice:delivered", "rights:notice:impossible"} <= actions


def test_a_refusal_that_would_close_the_case_waits_too(case: Case, privacy_lead) -> None:
    actor = Actor.for_user(privacy_lead)
    with pytest.raises(services.RightsError, match=r"notifications art\. 19"):
        services.decide(actor, case, "rectification", "refused", "Données exactes (art. 16).")
    case.refresh_from_db()
    assert case.is_open and not case.decisions.exists()


def test_the_case_page_lists_the_tasks_and_shows_the_refusal_to_close(
    case: Case, signed_in, privacy_lead
) -> None:
    client = signed_in(privacy_lead)
    page = client.get(f"/backoffice/rights/{case.pk}/").content.decode()
    assert "Destinataires à informer (art. 19)" in page
    assert "Cabinets de recouvrement de créances" in page and "Rectification" in page
    assert "Identité et coordonnées" in page and "À faire" in page
    answered = client.post(f"/backoffice/rights/{case.pk}/answer/")
    assert answered.status_code == 400
    assert "notifications art. 19 sont encore ouvertes" in answered.content.decode()

    collector = _notice(case, COLLECTOR)
    empty = client.post(
        f"/backoffice/rights/{case.pk}/notices/{collector.pk}/impossible/", {"note": ""}
    )
    assert empty.status_code == 400
    assert _notice(case, COLLECTOR).status == NoticeStatus.OPEN
    done = client.post(
        f"/backoffice/rights/{case.pk}/notices/{collector.pk}/done/",
        {"note": "Prévenu par téléphone le 03/03."},
    )
    assert done.status_code == 302
    assert _notice(case, COLLECTOR).status == NoticeStatus.DONE
    sent = client.post(
        f"/backoffice/rights/{case.pk}/notices/{_notice(case, SUBCONTRACTOR).pk}/send/"
    )
    assert sent.status_code == 302
    again = client.post(
        f"/backoffice/rights/{case.pk}/notices/{_notice(case, SUBCONTRACTOR).pk}/send/"
    )
    assert again.status_code == 400 and "déjà en file" in again.content.decode()
    page = client.get(f"/backoffice/rights/{case.pk}/").content.decode()
    assert "Prévenu par téléphone" in page and "en file, en attente de remise" in page


def test_a_recipient_without_an_address_is_done_by_hand(claire: Person, privacy_lead) -> None:
    disclose_to_both(claire)  # the shipped register: no address for either
    case = open_verified(claire, types=["rectification"])
    open_notices(Actor.cli("test"), case, NoticeTrigger.RECTIFICATION, ["identity-contact"])
    actor = Actor.for_user(privacy_lead)
    with pytest.raises(services.RightsError, match="aucune adresse e-mail"):
        send_notice(actor, _notice(case, COLLECTOR))
    with pytest.raises(services.RightsError, match="une note est requise"):
        mark_done(actor, _notice(case, COLLECTOR), "")
    mark_done(actor, _notice(case, COLLECTOR), "Courrier recommandé du 03/03.")
    with pytest.raises(services.RightsError, match="déjà terminée"):
        mark_impossible(actor, _notice(case, COLLECTOR), "trop tard")


def test_the_person_gets_the_list_of_recipients(
    case: Case, privacy_lead, smtp_server: SmtpSink, signed_in
) -> None:
    client = signed_in(privacy_lead)
    response = client.post(f"/backoffice/rights/{case.pk}/recipients/send/")
    assert response.status_code == 302
    deliver_all()
    mail = [m for m in received(smtp_server) if m[0] == ON_FILE and "destinataires" in m[1]]
    assert len(mail) == 1
    _to, subject, body = mail[0]
    assert "destinataires de vos données" in subject
    assert "Prestataires et sous-traitants techniques" in body
    assert "Cabinets de recouvrement de créances" in body and "02/03/2026" in body
    assert "recipients_sent" in case.events.values_list("kind", flat=True)
    assert send_recipients_list  # the service behind the route


def test_an_outsider_reaches_no_task_route(case: Case, signed_in, outsider, auditor) -> None:
    notice = _notice(case, COLLECTOR)
    for user in (outsider, auditor):
        client = signed_in(user)
        for action in ("send", "done", "impossible"):
            url = f"/backoffice/rights/{case.pk}/notices/{notice.pk}/{action}/"
            assert client.post(url, {"note": "x"}).status_code == 403, (user, url)
        assert client.post(f"/backoffice/rights/{case.pk}/recipients/send/").status_code == 403
    assert _notice(case, COLLECTOR).status == NoticeStatus.OPEN
    assert not case.letters.filter(template="rights_recipients_list").exists()


def test_the_personal_space_lists_the_recipients(client, claire: Person) -> None:
    from vigie.rights import space

    disclose_to_both(claire)
    token = space.sign_in_token(claire.pk)
    assert client.post(f"/droits/espace/entrer/{token}").status_code == 302
    page = client.get("/droits/espace/").content.decode()
    assert "Destinataires de vos données" in page
    assert "Prestataires et sous-traitants techniques" in page
    assert "Cabinets de recouvrement de créances" in page
    assert "Facturation" in page or "facturation" in page.lower()
    assert "02/03/2026" in page


def test_the_demo_logs_two_disclosures_and_opens_their_tasks() -> None:
    from vigie.demo.disclosures import create_demo_disclosures
    from vigie.demo.rights import create_demo_cases
    from vigie.people.services import create_person

    for n in range(6):
        create_person(Actor.cli(), email=f"p{n}@client.example", first_name="P", last_name=str(n))
    create_demo_cases()
    assert create_demo_disclosures() == 2
    case = next(c for c in Case.objects.all() if c.types == ["rectification"])
    assert sorted(case.notices.values_list("recipient__key", flat=True)) == [
        COLLECTOR,
        SUBCONTRACTOR,
    ]
    assert create_demo_disclosures() == 0
