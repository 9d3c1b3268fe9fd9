"""Staff intake (R46, R78): any member of staff records a request they received, dated
on its arrival; a letter comes with its scan, stored sealed, opened by handlers only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vigie.accounts.permissions import Role
from vigie.audit.models import Event
from vigie.rights.models import Case, CaseScan, IdentityStatus, Status
from vigie.rights.scans import MAX_SCAN_BYTES

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
PDF = b"%PDF-1.4\n% lettre de Mme Martin\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
URL = "/backoffice/rights/new/"


def _form(**extra) -> dict:
    return {
        "channel": "phone",
        "received_on": timezone.localdate().isoformat(),
        "types": ["access"],
        "name": "Paul Inconnu",
        "phone": "04 42 00 00 00",
        "description": "Il veut savoir ce que nous avons sur lui.",
        **extra,
    }


def test_a_technician_records_a_phone_request(signed_in, technician) -> None:
    client = signed_in(technician)
    assert client.get(URL).status_code == 200
    response = client.post(URL, _form())
    assert response.status_code == 302 and response["Location"] == URL
    case = Case.objects.get()
    assert case.channel == "phone" and case.status == Status.AWAITING_IDENTITY
    assert case.recorded_by == f"user:{technician.pk}"


def test_a_request_handed_over_late_keeps_the_day_it_arrived(signed_in, privacy_lead) -> None:
    earlier = timezone.localdate() - dt.timedelta(days=9)
    response = signed_in(privacy_lead).post(
        URL, _form(channel="colleague", received_on=earlier.isoformat())
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert timezone.localtime(case.received_at).date() == earlier
    assert response["Location"] == f"/backoffice/rights/{case.pk}/"


def test_a_request_cannot_be_received_tomorrow(signed_in, technician) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = signed_in(technician).post(URL, _form(received_on=tomorrow))
    assert response.status_code == 400
    assert "dans le futur" in response.content.decode()
    assert not Case.objects.exists()


def test_staff_who_know_the_person_attach_them_verified(claire, signed_in, privacy_lead):
    response = signed_in(privacy_lead).post(
        URL,
        _form(
            name="Claire Martin",
            person_query="claire.martin@client.example",
            verified_by="known_to_staff",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.person == claire and case.identity_status == IdentityStatus.VERIFIED
    assert case.status == Status.IN_PROGRESS


def test_the_person_is_found_by_name_too_and_an_unknown_one_is_a_form_error(
    claire, signed_in, privacy_lead
):
    client = signed_in(privacy_lead)
    missing = client.post(URL, _form(person_query="personne@ailleurs.example"))
    assert missing.status_code == 400 and "Personne dans nos fichiers" in missing.content.decode()
    assert client.post(URL, _form(person_query="Martin Claire")).status_code == 302
    assert Case.objects.get().person == claire


def test_a_letter_needs_its_scan(signed_in, technician) -> None:
    response = signed_in(technician).post(URL, _form(channel="post"))
    assert response.status_code == 400
    assert "Joignez le scan du courrier" in response.content.decode()
    assert not Case.objects.exists()


def test_a_file_that_is_not_a_pdf_or_an_image_is_refused(signed_in, technician) -> None:
    fake = SimpleUploadedFile("lettre.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = signed_in(technician).post(URL, {**_form(channel="post"), "scan": fake})
    assert response.status_code == 400
    assert "PDF ou une image" in response.content.decode()
    assert not Case.objects.exists() and not CaseScan.objects.exists()


def test_a_scan_too_large_is_refused(signed_in, technician) -> None:
    big = SimpleUploadedFile("lettre.pdf", PDF + b"0" * MAX_SCAN_BYTES, "application/pdf")
    response = signed_in(technician).post(URL, {**_form(channel="post"), "scan": big})
    assert response.status_code == 400 and "10 Mo" in response.content.decode()


def test_a_letter_is_kept_sealed_and_opened_by_handlers_only(
    signed_in, technician, privacy_lead, make_staff
) -> None:
    scan = SimpleUploadedFile("courrier.pdf", PDF, "application/pdf")
    response = signed_in(technician).post(URL, {**_form(channel="post"), "scan": scan})
    assert response.status_code == 302
    stored = CaseScan.objects.get()
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert b"Martin" not in bytes(stored.content_sealed)
    assert stored.received_at == stored.case.received_at
    url = f"/backoffice/rights/{stored.case_id}/scans/{stored.pk}/"
    assert signed_in(technician).get(url).status_code == 403
    assert signed_in(make_staff(Role.AUDITOR)).get(url).status_code == 403
    download = signed_in(privacy_lead).get(url)
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert stored.case.number in download["Content-Disposition"]
    read = Event.objects.filter(action="personal_data:read", object_id=str(stored.case_id))
    assert read.filter(extra__view="rights:scan").count() == 1
    page = signed_in(privacy_lead).get(f"/backoffice/rights/{stored.case_id}/").content.decode()
    assert "Scan daté à réception" in page and url in page


def test_an_outsider_cannot_record_a_request(signed_in, outsider) -> None:
    client = signed_in(outsider)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert not Case.objects.exists()


def test_a_request_recorded_after_its_deadline_is_kept_overdue(signed_in, technician):
    """From an unknown address, two months late: the clock cannot be suspended any more,
    so the case is recorded as it is, overdue from the start (not refused)."""
    earlier = (timezone.localdate() - dt.timedelta(days=70)).isoformat()
    response = signed_in(technician).post(
        URL, _form(channel="email", email="x@ailleurs.example", received_on=earlier)
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.suspensions == [] and case.due_date < timezone.localdate()
    assert case.status == Status.AWAITING_IDENTITY


def test_a_technician_can_neither_look_people_up_nor_vouch_for_them(
    claire, signed_in, technician
) -> None:
    """A role without the people list must not learn who is on file from the intake
    form, nor verify an identity it may not verify on the case page (R48)."""
    from vigie.audit.actor import Actor
    from vigie.rights import services
    from vigie.rights.models import Channel
    from vigie.rights.sealing import Requester

    client = signed_in(technician)
    page = client.get(URL).content.decode()
    assert 'name="person_query"' not in page and 'name="verified_by"' not in page
    known = client.post(URL, _form(person_query=claire_address, verified_by="known_to_staff"))
    unknown = client.post(URL, _form(person_query="personne@ailleurs.example"))
    assert known.status_code == unknown.status_code == 302
    assert [c.identity_status for c in Case.objects.all()] == [IdentityStatus.NOT_CHECKED] * 2
    assert not Case.objects.filter(person__isnull=False).exists()
    with pytest.raises(services.NotAllowed):
        services.open_case(
            Actor.for_user(technician),
            types=["access"],
            channel=Channel.PHONE,
            requester=Requester(name="Claire Martin"),
            person=claire,
            verified_by="known_to_staff",
        )


claire_address = "claire.martin@client.example"
