"""The identity-document pages of the back-office (R48): staff handling the case store
a copy; only the privacy lead asks for one, opens it and verifies with it."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.rights import services
from vigie.rights.models import Case, Channel, IdentityDocument, IdentityStatus
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(4096)


def client_for(user) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def case() -> Case:
    return services.open_case(
        Actor("anonymous", "", "127.0.0.1"),
        types=["access"],
        channel=Channel.PORTAL,
        requester=Requester(email="someone@elsewhere.example"),
    ).case


@pytest.fixture
def lead(make_staff):
    return client_for(make_staff(Role.PRIVACY_LEAD, username="claire.moreau"))


@pytest.fixture
def sales(make_staff):
    return client_for(make_staff(Role.SALES, username="paul.durand"))


def url(name: str, case: Case, *more: object) -> str:
    return reverse(f"rights:{name}", args=[str(case.pk), *[str(m) for m in more]])


def upload(client: Client, case: Case, content: bytes = PNG, name: str = "id.png", **data):
    file = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(url("identity-upload", case), {"file": file, **data})


def test_staff_handling_the_case_store_a_copy_but_cannot_open_it(case, sales) -> None:
    page = sales.get(url("identity", case))
    assert page.status_code == 200
    assert "Aucune pièce d’identité" in page.content.decode()
    assert url("identity-ask", case) not in page.content.decode()  # the privacy lead's
    response = upload(sales, case, unasked="on")
    assert response.status_code == 302
    document = IdentityDocument.objects.get()
    assert not document.asked
    page = sales.get(url("identity", case)).content.decode()
    assert "PNG" in page and "chiffré" in page
    assert url("identity-download", case, document.pk) not in page
    assert sales.get(url("identity-download", case, document.pk)).status_code == 403
    assert sales.post(url("identity-ask", case), {"reason": "doute"}).status_code == 403
    assert sales.post(url("identity-verify", case, document.pk)).status_code == 403


def test_a_bad_file_gets_a_clear_error_and_nothing_is_stored(case, sales) -> None:
    response = upload(sales, case, content=b"just text", name="id.txt")
    assert response.status_code == 400
    assert "PDF, JPEG ou PNG" in response.content.decode()
    response = sales.post(url("identity-upload", case), {})
    assert response.status_code == 400
    assert not IdentityDocument.objects.exists()


def test_the_privacy_lead_asks_opens_and_verifies(case, lead) -> None:
    response = lead.post(url("identity-ask", case), {"reason": ""})
    assert response.status_code == 400
    assert lead.post(url("identity-ask", case), {"reason": "Adresse inconnue."}).status_code == 302
    assert upload(lead, case).status_code == 302
    document = IdentityDocument.objects.get()
    assert document.asked and document.reason == "Adresse inconnue."
    page = lead.get(url("identity", case)).content.decode()
    assert "Adresse inconnue." in page
    assert url("identity-download", case, document.pk) in page
    response = lead.get(url("identity-download", case, document.pk))
    assert response.status_code == 200 and response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert case.number in response["Content-Disposition"]
    assert Event.objects.filter(action="personal_data:read", object_id=str(case.pk)).exists()
    assert lead.post(url("identity-verify", case, document.pk)).status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.identity_status == IdentityStatus.VERIFIED
    assert case.identity_method == "id_document"
    page = lead.get(url("identity", case)).content.decode()
    assert "vérifiée le" in page and "claire.moreau" in page
    # Verified: asking again is refused with the reason.
    response = lead.post(url("identity-verify", case, document.pk))
    assert response.status_code == 400


def test_unknown_cases_and_documents_are_404(case, lead) -> None:
    assert lead.get(reverse("rights:identity", args=["not-a-uuid"])).status_code == 404
    assert lead.get(reverse("rights:identity", args=[str(uuid.uuid4())])).status_code == 404
    assert lead.get(url("identity-download", case, uuid.uuid4())).status_code == 404
    assert lead.get(url("identity-download", case, "x")).status_code == 404


def test_a_deleted_file_is_gone_for_the_privacy_lead_too(case, lead) -> None:
    upload(lead, case)
    document = IdentityDocument.objects.get()
    IdentityDocument.objects.filter(pk=document.pk).update(content_sealed=None)
    response = lead.get(url("identity-download", case, document.pk))
    assert response.status_code == 410


def test_a_requester_without_an_e_mail_address_is_asked_by_post(lead) -> None:
    case = services.open_case(
        Actor("cli", "test"),
        types=["access"],
        channel=Channel.POST,
        requester=Requester(name="Camille Roux", postal_address="1 rue de la Paix, Paris"),
    ).case
    response = lead.post(url("identity-ask", case), {"reason": "Courrier non signé."}, follow=True)
    assert "par courrier" in response.content.decode()
    assert IdentityDocument.objects.get().asked
    assert not case.letters.exists()


def test_an_identity_confirmed_by_its_link_reads_by_the_requester(lead, claire) -> None:
    # The panel said « by The data subject » (or « subject <id> ») mid-sentence.
    intake = services.open_case(
        Actor("subject", "", "127.0.0.1"),
        types=["access"],
        channel=Channel.PORTAL,
        requester=Requester(email="claire.martin@client.example", name="Claire Martin"),
    )
    case = services.confirm_challenge(intake.challenge_token)
    assert case is not None and case.identity_status == IdentityStatus.VERIFIED
    page = lead.get(url("identity", case)).content.decode()
    assert "par le demandeur" in page
