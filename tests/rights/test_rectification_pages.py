"""The rectification pages of a case (Art. 16): staff who handle requests enter the
corrections, record the proof, read the values (journaled) and close the tasks; a bad
correction is a form error (400) with nothing written; outsiders are refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vigie.accounts.permissions import Role
from vigie.audit.models import Event
from vigie.people.models import Person
from vigie.people.services import open_person
from vigie.rights.models import Case, Status
from vigie.rights.rectification_models import ProofKind, Rectification

from .backoffice import open_verified
from .test_identity_views import PNG, client_for

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def case(claire: Person) -> Case:
    return open_verified(claire, types=["rectification"])


@pytest.fixture
def sales(make_staff):
    return client_for(make_staff(Role.SALES, username="paul.durand"))


@pytest.fixture
def technician(make_staff):
    return client_for(make_staff(Role.TECHNICIAN, username="luc.petit"))


def url(name: str, case: Case, *more: object) -> str:
    return reverse(f"cases:{name}", args=[case.pk, *more])


def test_a_phone_correction_from_the_case_page_applies_at_once(case, sales, claire) -> None:
    page = sales.get(url("detail", case)).content.decode()
    assert 'id="rectification"' in page and "Saisir les corrections" in page
    response = sales.post(url("rectify", case), {"phone": "01 23 45 67 89"})
    assert response.status_code == 302
    (item,) = Rectification.objects.filter(case=case)
    assert item.applied and item.proof == ProofKind.NOT_NEEDED
    claire.refresh_from_db()
    assert open_person(claire).phone.replace(" ", "").endswith("123456789")
    page = sales.get(url("detail", case)).content.decode()
    assert "Corrections appliquées (téléphone)" in page
    phone = open_person(claire).phone
    assert phone not in page  # the values are on their own page, journaled
    values = sales.get(url("rectify-values", case, item.pk))
    assert values.status_code == 200 and phone in values.content.decode()
    assert values["Cache-Control"] == "no-store"
    assert Event.objects.filter(
        action="personal_data:read", extra__view="rights.rectification.values"
    ).exists()


def test_a_name_change_waits_for_the_proof_then_a_document_applies_it(case, sales, claire) -> None:
    assert sales.post(url("rectify", case), {"last_name": "Dupont"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.AWAITING_PROOF
    (item,) = Rectification.objects.filter(case=case)
    page = sales.get(url("detail", case)).content.decode()
    assert "En attente de justificatif" in page
    assert "Enregistrer le justificatif et appliquer" in page
    # Neither a file nor a note: a form error, nothing applied.
    response = sales.post(url("rectify-proof", case, item.pk), {})
    assert response.status_code == 400
    assert "Joignez le document" in response.content.decode()
    # A text file is not a document.
    bad = SimpleUploadedFile("proof.txt", b"hello", content_type="text/plain")
    assert sales.post(url("rectify-proof", case, item.pk), {"file": bad}).status_code == 400
    item.refresh_from_db()
    assert not item.applied and item.proof_sealed is None
    good = SimpleUploadedFile("acte.png", PNG, content_type="image/png")
    assert sales.post(url("rectify-proof", case, item.pk), {"file": good}).status_code == 302
    item.refresh_from_db()
    assert item.applied and item.proof == ProofKind.DOCUMENT
    assert PNG[:64] not in bytes(item.proof_sealed)
    claire.refresh_from_db()
    assert open_person(claire).last_name == "Dupont"
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_bad_correction_is_a_form_error_and_nothing_is_written(case, sales, claire) -> None:
    response = sales.post(url("rectify", case), {"email": "pas une adresse"})
    assert response.status_code == 400
    assert "Adresse e-mail" in response.content.decode()
    response = sales.post(url("rectify", case), {})
    assert response.status_code == 400
    assert not Rectification.objects.exists()
    assert open_person(claire).email == "claire.martin@client.example"


def test_outsiders_are_refused(case, technician, client) -> None:
    sales_only = [
        ("post", url("rectify", case), {"phone": "0123456789"}),
    ]
    for method, target, data in sales_only:
        assert getattr(technician, method)(target, data).status_code == 403
        assert getattr(client, method)(target, data).status_code == 302  # to sign in
    assert not Rectification.objects.exists()
    item = Rectification.objects.create(
        case=case, attributes=["phone"], changes_sealed=b"x", requested_at=case.received_at
    )
    assert technician.get(url("rectify-values", case, item.pk)).status_code == 403
    assert technician.post(url("rectify-proof", case, item.pk), {}).status_code == 403
    assert technician.post(url("rectify-task-done", case, 1), {"note": "x"}).status_code == 403
