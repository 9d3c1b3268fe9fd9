"""R59: a death notified with proof applies the person's post-mortem directive: « effacer »
erases them with the legal retention exceptions kept; no directive gives the heirs'
limited rights, with a letter explaining what they can ask."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.rights.conftest import deliver_all, received
from tests.sources.helpdesk import BILLING_MANIFEST, seed_billing
from vigie.audit.actor import Actor
from vigie.consent.models import SuppressionEntry
from vigie.consent.suppression import suppression_hash
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, create_person, open_person
from vigie.rights import death, erasure
from vigie.rights.models import DeathNotice, ErasureStatus
from vigie.rights.sealing import Requester
from vigie.rights.services import NotAllowed
from vigie.rights.space import record_directive, subject
from vigie.sources.services import register_source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ALICE = "alice.martin@example.fr"
HEIR = Requester(email="paul.martin@example.fr", name="Paul Martin")
CERTIFICATE = b"%PDF-1.4 acte de deces"


@pytest.fixture
def alice(cli_actor) -> Person:
    return create_person(cli_actor, email=ALICE, first_name="Alice", last_name="Martin")


@pytest.fixture
def billing(tmp_path: Path, monkeypatch, cli_actor) -> sa.Engine:
    url = f"sqlite:///{tmp_path / 'billing.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_BILLING_URL", url)
    engine = sa.create_engine(url)
    seed_billing(engine)
    register_source(cli_actor, BILLING_MANIFEST)
    return engine


def test_a_directive_to_erase_and_a_death_certificate_erase_with_legal_retention_kept(
    alice, billing, privacy_lead, smtp_server
) -> None:
    record_directive(subject(alice, "192.0.2.1"), alice, "Je souhaite que l’on efface mes données.")
    lead = Actor.for_user(privacy_lead)
    done = death.record_death(
        lead,
        alice,
        died_on=dt.date(2026, 11, 2),
        proof=CERTIFICATE,
        proof_type="application/pdf",
        notified_by=HEIR,
    )
    assert done.notice.outcome == death.ERASE
    assert death.open_proof(done.notice) == CERTIFICATE
    assert CERTIFICATE not in bytes(DeathNotice.objects.get().proof_sealed)
    plan = erasure.plan_of(done.case)
    assert plan is not None
    assert plan.proposed["billing-accounting"] == {
        "choice": "keep",
        "ground": "b-accounting",
        "until": "2033-12-31",
    }
    assert plan.proposed["identity-contact"]["choice"] == "erase"
    erasure.choose(lead, done.case, plan.proposed, ["a"])
    assert erasure.run(lead, done.case).status == ErasureStatus.DONE

    with pytest.raises(PersonUnavailable):
        open_person(Person.objects.get(pk=alice.pk))
    with billing.connect() as conn:
        row = conn.execute(sa.text("SELECT nom, email FROM thirdparty WHERE rowid = 1")).one()
        invoices = conn.execute(sa.text("SELECT COUNT(*) FROM invoices WHERE fk_soc = 1"))
        assert invoices.scalar_one() == 2
    assert row == ("Alice Martin", None), "the name the invoices need is kept, the address erased"
    deliver_all()
    letters = [m for m in received(smtp_server) if m[0] == HEIR.email]
    body = next(b for _to, s, b in letters if "effacées" in s)
    assert "17(3)(b) – L123-22 C. com." in body and "31/12/2033" in body
    billing.dispose()


def test_without_a_directive_the_heirs_are_told_what_they_can_ask(
    alice, privacy_lead, smtp_server
) -> None:
    done = death.record_death(
        Actor.for_user(privacy_lead),
        alice,
        died_on=dt.date(2026, 11, 2),
        proof=CERTIFICATE,
        proof_type="application/pdf",
        notified_by=HEIR,
    )
    assert done.notice.outcome == death.HEIRS and done.plan is None
    assert not done.case.is_open
    assert SuppressionEntry.objects.filter(address_hash=suppression_hash(ALICE)).exists()
    deliver_all()
    ((_to, subject_line, body),) = [m for m in received(smtp_server) if m[0] == HEIR.email]
    assert done.case.number in subject_line
    assert "règlement de la succession" in body and "3 Place de Fontenoy" in body


def test_a_death_needs_its_proof_and_a_handler(alice, privacy_lead, outsider) -> None:
    with pytest.raises(death.RightsError, match=r"proof|justificatif|certificat"):
        death.record_death(
            Actor.for_user(privacy_lead),
            alice,
            died_on=dt.date(2026, 11, 2),
            proof=b"",
            proof_type="application/pdf",
            notified_by=HEIR,
        )
    with pytest.raises(NotAllowed):
        death.record_death(
            Actor.for_user(outsider),
            alice,
            died_on=dt.date(2026, 11, 2),
            proof=CERTIFICATE,
            proof_type="application/pdf",
            notified_by=HEIR,
        )
    assert not DeathNotice.objects.exists()


def test_the_words_of_a_directive_that_ask_for_erasure() -> None:
    for text in ("effacer", "Je veux que tout soit effacé", "supprimez mes comptes", "Erase all"):
        assert death.asks_for_erasure(text), text
    for text in ("Transmettre mes photos à mon fils", "Keep my account as a memorial"):
        assert not death.asks_for_erasure(text), text


def test_staff_record_a_death_from_the_person_page(alice, handler_user, signed_in, smtp_server):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = signed_in(handler_user)
    page = client.get(reverse("people:detail", args=[alice.pk])).content.decode()
    assert "record-death" in page
    url = reverse("cases:person-death", args=[alice.pk])
    missing = client.post(url, {"died_on": "2026-11-02", "notifier_name": "Paul Martin"})
    assert missing.status_code == 302 and not DeathNotice.objects.exists()
    response = client.post(
        url,
        {
            "died_on": "2026-11-02",
            "notifier_name": HEIR.name,
            "notifier_email": HEIR.email,
            "proof": SimpleUploadedFile("acte.pdf", CERTIFICATE, content_type="application/pdf"),
        },
    )
    notice = DeathNotice.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{notice.case_id}/")
    assert notice.outcome == death.HEIRS


def test_an_outsider_cannot_record_a_death(alice, outsider, signed_in) -> None:
    from django.urls import reverse

    response = signed_in(outsider).post(reverse("cases:person-death", args=[alice.pk]), {})
    assert response.status_code == 403
    assert not DeathNotice.objects.exists()


@pytest.fixture
def handler_user(make_staff):
    from vigie.accounts.permissions import Role

    return make_staff(Role.SALES, username="handler")
