"""Back-office: consent proof (R34), phone/post records (R40, R43), import; outsiders refused."""

from __future__ import annotations

import io
import json

import pytest
from django.utils import timezone

from tests.consent.conftest import WORDING
from vigie.accounts.permissions import Role
from vigie.audit.models import Event
from vigie.consent import services
from vigie.consent.models import ConsentEvent, Kind, Method, Status, Subscription

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _when(moment) -> str:
    # JJ/MM/AAAA, Paris time, to the second: the page is read as proof.
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S")


@pytest.fixture
def confirmed(make_person, policy_v1):
    person = make_person("preuve@exemple.fr")
    token = services.start_double_opt_in(
        services.subject_actor("198.51.100.7"),
        person,
        "newsletter",
        wording=WORDING,
        channel="https://semi.example/newsletter/",
        ip="198.51.100.7",
    )
    assert token is not None
    services.confirm_double_opt_in(token, ip="198.51.100.9", channel="https://semi.example/c/")
    return person


def test_the_proof_shows_every_r34_field_including_the_confirmation_time(
    signed_in, privacy_lead, confirmed
) -> None:
    response = signed_in(privacy_lead).get(f"/backoffice/consent/people/{confirmed.pk}/")
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    pending = ConsentEvent.objects.get(person=confirmed, kind=Kind.PENDING)
    confirmation = ConsentEvent.objects.get(person=confirmed, kind=Kind.CONFIRM)
    for shown in (
        "preuve@exemple.fr",  # subject and e-mail
        "Jeanne",
        "Lettre d'information",  # purpose, as its name
        WORDING,  # exact wording
        "v1",  # policy version
        "https://semi.example/newsletter/",  # channel / form URL
        _when(pending.occurred_at),  # time
        "198.51.100.7",  # IP
        "Formulaire web",  # method, as words
        "la personne elle-même",  # collector
        _when(confirmation.confirmed_at),  # double opt-in confirmation time
    ):
        assert shown in html, shown
    # The pending request's line carries its confirmation time too.
    assert html.count(_when(confirmation.confirmed_at)) >= 3


def test_showing_the_proof_is_journaled(signed_in, privacy_lead, confirmed) -> None:
    signed_in(privacy_lead).get(f"/backoffice/consent/people/{confirmed.pk}/")
    read = Event.objects.get(action="personal_data:read")
    assert (read.object_id, read.extra["view"]) == (str(confirmed.pk), "consent:proof")


def test_the_proof_can_be_found_by_address_and_exported(signed_in, privacy_lead, confirmed) -> None:
    client = signed_in(privacy_lead)
    found = client.get("/backoffice/consent/", {"email": "PREUVE@exemple.fr"})
    assert found.status_code == 302
    assert found["Location"] == f"/backoffice/consent/people/{confirmed.pk}/"
    exported = json.loads(client.get(found["Location"] + "proof.json").content)
    assert exported["email"] == "preuve@exemple.fr"
    pending, confirmation = exported["events"]
    assert pending["kind"] == "pending" and pending["confirmed_at"] is not None
    assert pending["confirmed_at"] == confirmation["confirmed_at"]
    assert set(pending) >= {
        "purpose",
        "wording",
        "policy_version",
        "channel",
        "occurred_at",
        "ip",
        "method",
        "collector",
        "proof_ref",
        "confirmed_at",
    }


def test_staff_record_an_objection_by_phone_as_collector(
    signed_in, make_staff, make_person, subscribe
) -> None:
    sales = make_staff(Role.SALES)
    person = make_person()
    subscribe(person)
    response = signed_in(sales).post(
        f"/backoffice/consent/people/{person.pk}/record/",
        {"action": "object", "method": "phone", "proof_ref": "appel 12/03", "wording": ""},
    )
    assert response.status_code == 302
    objection = ConsentEvent.objects.get(person=person, kind=Kind.OBJECT)
    assert (objection.collector, objection.method) == (f"user:{sales.pk}", Method.PHONE)
    assert objection.proof_ref == "appel 12/03"
    assert Subscription.objects.get(person=person, purpose="newsletter").status == Status.OBJECTED


def test_staff_toggling_newsletter_on_a_suppressed_contact_is_refused(
    signed_in, make_staff, make_person, subscribe, staff_actor
) -> None:
    person = make_person()
    subscribe(person)
    services.withdraw(staff_actor, person, "newsletter", method=Method.POST)
    client = signed_in(make_staff(Role.SALES))
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/backoffice/consent/people/{person.pk}/record/",
        {"action": "grant", "purpose": "newsletter", "method": "phone", "wording": WORDING},
    )
    assert response.status_code == 400
    assert b"Action reserved to the person concerned" in response.content
    assert Subscription.objects.get(person=person).status == Status.WITHDRAWN


def test_the_import_page_shows_the_report(signed_in, make_staff, run_import_jobs) -> None:
    csv = (
        "email,first_name,last_name,subject_types,source,source_name,"
        "partner_permission_ref,purpose,consent,collected_at\n"
        "a@exemple.fr,A,B,prospect_B2C,subject,,,newsletter,yes,2026-01-01\n"
        "bad,A,B,prospect_B2C,subject,,,newsletter,yes,2026-01-01\n"
    )
    upload = io.BytesIO(csv.encode())
    upload.name = "contacts.csv"
    client = signed_in(make_staff(Role.SALES))
    client.cookies["django_language"] = "en"
    answer = client.post(
        "/backoffice/consent/import/", {"file": upload, "wording": WORDING, "channel": ""}
    )
    assert answer.status_code == 302
    run_import_jobs()
    response = client.get(answer["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'Imported</th><td data-count="imported">1<' in page
    assert 'Lines in error</th><td data-count="errors">1<' in page
    assert "Line 3:" in page


@pytest.mark.parametrize("suffix", ["", "proof.json", "record/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_are_refused_on_the_person_pages(
    signed_in, outsider, make_person, subscribe, suffix, method
) -> None:
    person = make_person()
    response = getattr(signed_in(outsider), method)(
        f"/backoffice/consent/people/{person.pk}/{suffix}"
    )
    assert response.status_code in (403, 405)
    assert not Event.objects.filter(action="personal_data:read").exists()


@pytest.mark.parametrize("path", ["/backoffice/consent/", "/backoffice/consent/import/"])
def test_outsiders_are_refused_on_search_and_import(signed_in, outsider, path) -> None:
    assert signed_in(outsider).get(path).status_code == 403


def test_an_auditor_may_read_the_proof_but_not_record(signed_in, auditor, make_person) -> None:
    person = make_person()
    client = signed_in(auditor)
    assert client.get(f"/backoffice/consent/people/{person.pk}/").status_code == 200
    assert client.get(f"/backoffice/consent/people/{person.pk}/record/").status_code == 403
