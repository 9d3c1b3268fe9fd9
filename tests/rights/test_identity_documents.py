"""R48, the last resort: an identity document asked for by the privacy lead with a
reason, stored sealed, read by the privacy lead only, and its file gone 7 days after
verification while the case still says how identity was verified."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.rights import identity, services
from vigie.rights.models import Case, Channel, IdentityDocument, IdentityStatus, Status
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
PARIS = ZoneInfo("Europe/Paris")
ELSEWHERE = "someone@elsewhere.example"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(2048)
PDF = b"%PDF-1.7\n" + os.urandom(1024)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=PARIS)


@pytest.fixture
def lead(make_staff):
    return make_staff(Role.PRIVACY_LEAD, username="claire.moreau")


@pytest.fixture
def sales(make_staff):
    return make_staff(Role.SALES, username="paul.durand")


def doubtful_case(day: str = "2025-03-03") -> Case:
    """A request from an address Vigie does not know, about nobody on file."""
    with time_machine.travel(at(day), tick=False):
        return services.open_case(
            Actor("anonymous", "", "127.0.0.1"),
            types=["access"],
            channel=Channel.PORTAL,
            requester=Requester(email=ELSEWHERE, name="Claire Martin"),
        ).case


def test_only_the_privacy_lead_asks_and_only_with_a_reason(lead, sales, smtp_server) -> None:
    case = doubtful_case()
    with pytest.raises(services.NotAllowed):
        identity.request_identity_document(Actor.for_user(sales), case, "doute")
    with pytest.raises(services.RightsError, match="dernier recours"):
        identity.request_identity_document(Actor.for_user(lead), case, "   ")
    assert not IdentityDocument.objects.exists()
    with time_machine.travel(at("2025-03-05"), tick=False):
        document = identity.request_identity_document(
            Actor.for_user(lead), case, "Adresse inconnue et demande d’accès à des factures."
        )
    assert document.asked and document.reason.startswith("Adresse inconnue")
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.AWAITING_IDENTITY and case.due_date is None
    deliver_all()
    [(to, subject, text)] = [m for m in received(smtp_server) if "justificatif" in m[1]]
    assert to == ELSEWHERE and case.number in subject
    assert "supprimée 7 jours après la vérification" in text
    assert "document_requested" in case.events.values_list("kind", flat=True)
    assert Event.objects.filter(action="rights:document:request").exists()


def test_a_verified_identity_needs_no_document(lead, claire) -> None:
    with time_machine.travel(at("2025-03-03"), tick=False):
        case = services.open_case(
            Actor.for_user(lead),
            types=["access"],
            channel=Channel.EMAIL,
            requester=Requester(email=ON_FILE),
            person=claire,
            verified_by="known_to_staff",
        ).case
    with pytest.raises(services.RightsError, match="déjà vérifiée"):
        identity.request_identity_document(Actor.for_user(lead), case, "doute")


@pytest.mark.parametrize(
    ("content", "declared", "message"),
    [
        (b"", "", "vide"),
        (b"hello, this is a text file", "text/plain", "PDF, JPEG ou PNG"),
        (b"MZ\x90\x00 executable", "application/pdf", "PDF, JPEG ou PNG"),
        (PNG, "application/pdf", "ne correspond pas"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf", "trop volumineux"),
    ],
)
def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused(sales, content, declared, message) -> None:
    case = doubtful_case()
    with pytest.raises(services.RightsError, match=message):
        identity.store_identity_document(
            Actor.for_user(sales), case, content, file_name="x", declared_type=declared
        )
    assert not IdentityDocument.objects.exists()


def test_stored_sealed_and_opened_by_the_privacy_lead_only(lead, sales) -> None:
    case = doubtful_case()
    document = identity.store_identity_document(
        Actor.for_user(sales),
        case,
        PNG,
        file_name="C:\\scans\\carte-identite.png",
        declared_type="image/png",
    )
    assert not document.asked and document.content_type == "image/png"
    raw = bytes(IdentityDocument.objects.get().content_sealed)
    assert PNG[8:40] not in raw and b"carte-identite" not in raw
    with pytest.raises(services.NotAllowed):
        identity.open_identity_document(Actor.for_user(sales), document)
    opened = identity.open_identity_document(Actor.for_user(lead), document)
    assert opened.content == PNG and opened.file_name == "carte-identite.png"
    read = Event.objects.get(action="personal_data:read", object_id=str(case.pk))
    assert read.extra["view"] == "rights:identity-download"
    assert read.extra["document"] == str(document.pk)
    # The sealed blob is bound to its row: moved to another, it does not open.
    other = IdentityDocument.objects.create(case=case, content_sealed=raw, file_name_sealed=raw)
    with pytest.raises(Exception):  # noqa: B017 (the cipher's own error)
        identity.open_identity_document(Actor.for_user(lead), other)


def test_day_0_upload_day_2_verification_the_file_is_gone_on_day_9(lead, sales) -> None:
    """The acceptance criterion, and no ciphertext left in the database."""
    case = doubtful_case("2025-03-01")
    with time_machine.travel(at("2025-03-02"), tick=False):
        identity.request_identity_document(Actor.for_user(lead), case, "Adresse inconnue.")
    with time_machine.travel(at("2025-03-10"), tick=False):  # day 0
        document = identity.store_identity_document(
            Actor.for_user(sales), case, PDF, file_name="cni.pdf", declared_type="application/pdf"
        )
    assert document.asked and document.delete_after is None
    with time_machine.travel(at("2025-03-12"), tick=False):  # day 2
        case = identity.verify_identity_with_document(Actor.for_user(lead), case, document)
    assert case.identity_status == IdentityStatus.VERIFIED
    assert case.identity_method == "id_document" and case.status == Status.IN_PROGRESS
    assert case.due_date is not None  # the clock runs again
    assert IdentityDocument.objects.get().delete_after == dt.date(2025, 3, 19)
    for day in ("2025-03-12", "2025-03-18"):
        with time_machine.travel(at(day, 23), tick=False):
            assert identity.delete_due_documents() == 0
    assert IdentityDocument.objects.get().content_sealed is not None
    with time_machine.travel(at("2025-03-19", 0), tick=False):  # day 9, the daily run
        assert identity.delete_due_documents() == 1
        assert identity.delete_due_documents() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM rights_identitydocument "
            "WHERE content_sealed IS NOT NULL OR file_name_sealed IS NOT NULL"
        )
        assert cursor.fetchone()[0] == 0
    document = IdentityDocument.objects.get()
    assert document.deleted_at is not None and document.size == len(PDF)
    case = Case.objects.get(pk=case.pk)
    # « vérifié le …, par … » stays on the case.
    assert case.identity_method == "id_document"
    assert case.identity_verified_at == at("2025-03-12")
    assert case.identity_verified_by == f"user:{lead.pk}"
    assert "document_deleted" in case.events.values_list("kind", flat=True)
    with pytest.raises(services.RightsError, match="plus conservé"):
        identity.open_identity_document(Actor.for_user(lead), document)


def test_a_document_never_used_goes_7_days_after_the_case_closes(lead, sales) -> None:
    case = doubtful_case("2025-03-01")
    with time_machine.travel(at("2025-03-05"), tick=False):
        identity.store_identity_document(Actor.for_user(sales), case, PNG, file_name="id.png")
    with time_machine.travel(at("2025-03-06"), tick=False):
        services.close_unverified(Actor.for_user(lead), case, "Le document est illisible.")
    assert IdentityDocument.objects.get().delete_after == dt.date(2025, 3, 13)
    with time_machine.travel(at("2025-03-12", 23), tick=False):
        assert identity.delete_due_documents() == 0
    with time_machine.travel(at("2025-03-13", 0), tick=False):
        assert identity.delete_due_documents() == 1


def test_a_document_whose_case_was_verified_another_way_goes_too(lead, sales, claire) -> None:
    intake = None
    with time_machine.travel(at("2025-03-01"), tick=False):
        intake = services.open_case(
            Actor("anonymous", "", "127.0.0.1"),
            types=["access"],
            channel=Channel.PORTAL,
            requester=Requester(email=ELSEWHERE, on_file_email=ON_FILE),
        )
    with time_machine.travel(at("2025-03-02"), tick=False):
        identity.store_identity_document(
            Actor.for_user(sales), intake.case, PNG, file_name="id.png", asked=False
        )
    with time_machine.travel(at("2025-03-04"), tick=False):
        services.confirm_challenge(intake.challenge_token)
    assert IdentityDocument.objects.get().delete_after == dt.date(2025, 3, 11)


def test_a_document_cannot_be_stored_as_asked_when_nobody_asked(sales) -> None:
    case = doubtful_case()
    with pytest.raises(services.RightsError, match="sans demande"):
        identity.store_identity_document(
            Actor.for_user(sales), case, PNG, file_name="id.png", asked=True
        )
