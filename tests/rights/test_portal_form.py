"""The public request form (R46, R48): every right, FR and EN, the register's contact
details, and the same page after the same work whatever the address (no enumeration)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.rights.conftest import ON_FILE, deliver_all, received, run_portal_jobs, strip_csrf
from vigie.rights.models import Case, Channel, IdentityStatus, Status
from vigie.rights.services import requester_of

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

FR_URL = "/droits/demande/"
EN_URL = "/en/rights/request/"


def _body(email: str, **more: str) -> dict[str, object]:
    return {
        "types": ["access", "erasure"],
        "name": "Claire Martin",
        "email": email,
        "message": "Je souhaite une copie de mes données.",
        **more,
    }


def test_the_french_page_offers_every_right_in_words_with_the_register_contacts() -> None:
    page = Client().get(FR_URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Exercer vos droits" in text
    for label in ("Accès", "Rectification", "Effacement", "Opposition", "Portabilité"):
        assert label in text
    assert "Obtenir une copie" in text or "recevoir une copie" in text
    # From the register, never written in the template.
    assert "rgpd@semi-informatique.fr" in text.lower() or "mailto:" in text
    assert "Ceci est gratuit" in text or "gratuit" in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert 'value="cnil_inquiry"' not in text


def test_the_english_page_speaks_english() -> None:
    page = Client().get(EN_URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert '<html lang="en">' in text
    assert "Exercise your rights" in text and "free of charge" in text
    assert "Erasure" in text


def test_a_known_and_an_unknown_address_get_the_same_page_after_the_same_work(
    claire, smtp_server
) -> None:
    # A first request warms what is done once (the client IP's counter of the hour).
    Client().post(FR_URL, _body("premier@ailleurs.example"))
    with CaptureQueriesContext(connection) as known_queries:
        known = Client().post(FR_URL, _body(ON_FILE))
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = Client().post(FR_URL, _body("inconnu@ailleurs.example"))
    assert known.status_code == unknown.status_code == 200
    assert strip_csrf(known.content) == strip_csrf(unknown.content)
    assert [q["sql"].split()[0] for q in known_queries] == [
        q["sql"].split()[0] for q in unknown_queries
    ]
    # The page opened nothing itself: the worker does.
    assert Case.objects.count() == 0
    assert run_portal_jobs() == 3
    assert Case.objects.count() == 3
    deliver_all()
    letters = {to: (subject, text) for to, subject, text in received(smtp_server)}
    # The address on file gets the case number, the due date and the confirmation link.
    subject, text = letters[ON_FILE]
    assert "DDP-" in subject and "/droits/confirmer/" in text
    # The unknown address gets the neutral reply, and no link.
    _subject, neutral = letters["inconnu@ailleurs.example"]
    assert "/droits/confirmer/" not in neutral


def test_the_case_keeps_what_the_form_said(claire, smtp_server) -> None:
    Client().post(
        FR_URL,
        _body("nouvelle@adresse.example", on_file_email=ON_FILE, reference="CLI-0042"),
    )
    run_portal_jobs()
    case = Case.objects.get()
    assert case.channel == Channel.PORTAL
    assert case.types == ["access", "erasure"]
    assert case.status == Status.AWAITING_IDENTITY
    assert case.identity_status == IdentityStatus.AWAITING
    requester = requester_of(case)
    assert requester.on_file_email == ON_FILE and requester.reference == "CLI-0042"
    deliver_all()
    # The confirmation link goes to the address on file, the neutral reply to the new one.
    recipients = sorted(to for to, _s, _t in received(smtp_server))
    assert recipients == sorted([ON_FILE, "nouvelle@adresse.example"])


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"types": []}, "Choisissez au moins un type de demande"),
        ({"types": ["cnil_inquiry"]}, "Sélectionnez un choix valide"),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide"),
        ({"name": ""}, "Ce champ est obligatoire"),
        ({"message": "x" * 10_001}, "10000"),
    ],
)
def test_bad_input_gives_the_form_back_with_its_errors(change, error) -> None:
    response = Client().post(FR_URL, {**_body("a@b.example"), **change})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert run_portal_jobs() == 0


def test_what_the_person_typed_is_shown_escaped() -> None:
    response = Client().post(FR_URL, {**_body("pas-une-adresse"), "name": "<script>x</script>"})
    text = response.content.decode()
    assert "<script>x</script>" not in text
    assert "&lt;script&gt;" in text


def test_the_form_needs_its_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(FR_URL, _body(ON_FILE)).status_code == 403


def test_one_client_is_limited_per_hour(settings) -> None:
    settings.RATE_LIMIT_PER_IP = 2
    client = Client()
    assert client.post(FR_URL, _body("a@b.example")).status_code == 200
    assert client.post(FR_URL, _body("c@d.example")).status_code == 200
    assert client.post(FR_URL, _body("e@f.example")).status_code == 429


def test_one_address_is_limited_per_hour_without_a_different_answer(
    claire, smtp_server, settings
) -> None:
    settings.RATE_LIMIT_PER_ADDRESS = 1
    first = Client(REMOTE_ADDR="192.0.2.1").post(FR_URL, _body(ON_FILE))
    second = Client(REMOTE_ADDR="192.0.2.2").post(FR_URL, _body(ON_FILE))
    assert strip_csrf(first.content) == strip_csrf(second.content)
    run_portal_jobs()
    # The second request for the same address within the hour opens nothing.
    assert Case.objects.count() == 1


def test_the_job_holds_no_address_and_opens_one_case_however_often_it_runs(
    claire, smtp_server
) -> None:
    from vigie.jobs.models import ScheduledCall
    from vigie.rights.portal import complete_portal_request

    Client().post(FR_URL, _body(ON_FILE))
    [call] = ScheduledCall.objects.filter(task_path=complete_portal_request.module_path)
    # Only the sealed look-up's random id and the language: nothing personal.
    assert ON_FILE not in str(call.args) and "Claire" not in str(call.args)
    assert call.args[1] == "fr"
    assert complete_portal_request.call(*call.args) is True
    # A second run (a duplicate in the queue, the sweep) finds the look-up gone.
    assert complete_portal_request.call(*call.args) is False
    assert Case.objects.count() == 1


def test_the_english_form_opens_an_english_case(claire, smtp_server) -> None:
    Client().post(EN_URL, _body(ON_FILE))
    run_portal_jobs()
    assert Case.objects.get().language == "en"
    deliver_all()
    [(_to, subject, _text)] = received(smtp_server)
    assert "Case" in subject


def test_the_english_letters_confirmation_link_opens_the_page_in_english(
    claire, smtp_server
) -> None:
    # Found trying the demo: the English e-mail's link opened a French page.
    Client().post(EN_URL, _body(ON_FILE))
    run_portal_jobs()
    deliver_all()
    [(_to, _subject, text)] = received(smtp_server)
    [link] = re.findall(r"https?://\S+/droits/confirmer/\S+", text)
    assert link.endswith("?lang=en")
    page = Client().get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert page.status_code == 200
    assert page["Content-Language"] == "en"
    assert "Confirm your request" in page.content.decode()


def test_the_french_letters_confirmation_link_stays_french(claire, smtp_server) -> None:
    Client().post(FR_URL, _body(ON_FILE))
    run_portal_jobs()
    deliver_all()
    [(_to, _subject, text)] = received(smtp_server)
    [link] = re.findall(r"https?://\S+/droits/confirmer/\S+", text)
    assert "lang=" not in link
    assert "Confirmez votre demande" in Client().get(urlsplit(link).path).content.decode()


def test_the_english_pages_french_link_leads_to_the_french_form() -> None:
    response = Client().get(EN_URL + "?lang=fr")
    assert response.status_code == 302 and response["Location"] == FR_URL + "?lang=fr"


def test_the_address_named_as_on_file_is_limited_too(claire, smtp_server, settings) -> None:
    """Requests from ever new addresses naming Claire's as « the address you hold » would
    fill her mailbox with confirmation links: her address is counted as well."""
    settings.RATE_LIMIT_PER_ADDRESS = 2
    for n in range(4):
        Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            FR_URL, _body(f"sender{n}@ailleurs.example", on_file_email=ON_FILE)
        )
    run_portal_jobs()
    deliver_all()
    links = [to for to, _s, text in received(smtp_server) if "/droits/confirmer/" in text]
    assert links == [ON_FILE, ON_FILE]
