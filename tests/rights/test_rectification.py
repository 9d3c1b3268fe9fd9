"""Rectification (Art. 16, R54, L1), end to end: staff record the corrections of a case;
identity data waits for its proof (the case in AWAITING_PROOF, the person asked by
letter), then the change is written in Vigie, GLPI (MariaDB) and Dolibarr (PostgreSQL),
the issued invoices are left byte-identical, the old values are kept sealed in the
case, an unmapped place becomes a task, and every recipient of the disclosure log that
received the data gets its Art. 19 task.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from django.utils import translation

from tests.mail.conftest import SmtpSink
from tests.sources.helpdesk import ROOT, dump, fresh_database
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.demo.shapes import dolibarr, glpi
from vigie.demo.shapes.fill import SeedPerson, fill_dolibarr, fill_glpi
from vigie.disclosures.services import record_disclosure
from vigie.people.models import Person
from vigie.people.services import open_person
from vigie.rights import rectification, services
from vigie.rights.models import CaseEvent, Channel, Letter, NoticeTrigger, RecipientNotice, Status
from vigie.rights.rectification_models import ProofKind, RectificationTask, TaskStatus
from vigie.rights.services import Requester
from vigie.sources.services import register_source

from .conftest import ON_FILE, deliver_all, received

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

WHEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
NOW = dt.datetime(2025, 6, 2, 9, 30)
CLAIRE = SeedPerson(ON_FILE, "Claire", "Martin", "06 11 22 33 44")
OTHER = SeedPerson("luc.bernard@exemple.fr", "Luc", "Bernard")
MANIFESTS = ROOT / "vigie" / "sources" / "manifests"
ISSUED = ("llx_facture", "llx_facturedet", "llx_facture_fourn", "llx_paiement")


@pytest.fixture(autouse=True)
def _errors_in_english() -> Iterator[None]:
    """The refusals are asserted in English; the letters render in the case's language."""
    with translation.override("en"):
        yield


def _case(person: Person, types: list[str] | None = None):
    return services.open_case(
        Actor.cli(),
        types=types or ["rectification"],
        channel=Channel.POST,
        requester=Requester(email=ON_FILE, name="Claire Martin"),
        person=person,
        verified_by="customer_reference",
    ).case


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, sa.Engine]]:
    """GLPI on MariaDB and Dolibarr on PostgreSQL, Claire in both, registered."""
    with (
        fresh_database("mariadb", tmp_path) as glpi_url,
        fresh_database("postgresql", tmp_path) as dolibarr_url,
    ):
        glpi_engine = sa.create_engine(glpi_url)
        glpi.metadata("11").create_all(glpi_engine)
        fill_glpi(glpi_engine, [CLAIRE, OTHER], version="11", users=20, tickets=30, now=NOW)
        dolibarr_engine = sa.create_engine(dolibarr_url)
        dolibarr.metadata().create_all(dolibarr_engine)
        fill_dolibarr(
            dolibarr_engine, [CLAIRE, OTHER], companies=3, private_customers=2,
            years_of_invoices=3, now=NOW,
        )  # fmt: skip
        monkeypatch.setenv("VIGIE_SOURCE_GLPI_URL", glpi_url)
        monkeypatch.setenv("VIGIE_SOURCE_DOLIBARR_URL", dolibarr_url)
        for name in ("glpi", "dolibarr"):
            register_source(Actor.cli(), (MANIFESTS / f"{name}.yaml").read_text("utf-8"))
        yield {"glpi": glpi_engine, "dolibarr": dolibarr_engine}
        glpi_engine.dispose()
        dolibarr_engine.dispose()


def _glpi_names(engine: sa.Engine) -> set[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT u.realname, u.firstname FROM glpi_users u WHERE u.id IN "
                "(SELECT users_id FROM glpi_useremails WHERE LOWER(TRIM(email)) = :email)"
            ),
            {"email": ON_FILE},
        )
        return {tuple(r) for r in rows}


def _dolibarr_names(engine: sa.Engine) -> dict[str, set[Any]]:
    with engine.connect() as conn:
        contacts = conn.execute(
            sa.text("SELECT lastname FROM llx_socpeople WHERE LOWER(TRIM(email)) = :email"),
            {"email": ON_FILE},
        )
        thirdparties = conn.execute(
            sa.text("SELECT nom FROM llx_societe WHERE LOWER(TRIM(email)) = :email"),
            {"email": ON_FILE},
        )
        return {"contacts": set(contacts.scalars()), "thirdparties": set(thirdparties.scalars())}


def test_a_name_change_waits_for_its_proof_then_reaches_every_source(
    claire: Person, sources: dict[str, sa.Engine], smtp_server: SmtpSink
) -> None:
    record_disclosure(Actor.cli(), claire, "technical-subcontractors", ["identity-contact"], WHEN)
    record_disclosure(Actor.cli(), claire, "debt-collectors", ["identity-contact"], WHEN)
    case = _case(claire)
    glpi_before = _glpi_names(sources["glpi"])
    dolibarr_before = dump(sources["dolibarr"])
    assert glpi_before == {("Martin", "Claire")}
    assert _dolibarr_names(sources["dolibarr"])["contacts"] == {"Martin"}

    # Without proof: not refused (L1), the case waits and the person is asked.
    rect = rectification.record_corrections(
        Actor.cli(), case, {"last_name": "Dupont", "civility": "Mme"}
    )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_PROOF
    assert rect.needs_proof and not rect.applied
    assert _glpi_names(sources["glpi"]) == glpi_before
    assert dump(sources["dolibarr"]) == dolibarr_before
    assert open_person(claire).last_name == "Martin"
    assert Letter.objects.filter(case=case, template="rights_rectification_proof").exists()
    with pytest.raises(services.RightsError, match="proof"):
        rectification.apply(Actor.cli(), rect)

    # The proof recorded (staff saw the document): applied everywhere at once.
    rect = rectification.record_proof(
        Actor.cli(), rect, seen_note="Acte de mariage présenté au guichet"
    )
    case.refresh_from_db()
    assert rect.proof == ProofKind.SEEN and rect.applied
    assert case.status == Status.IN_PROGRESS
    claire.refresh_from_db()
    assert open_person(claire).last_name == "Dupont"
    assert _glpi_names(sources["glpi"]) == {("Dupont", "Claire")}
    names = _dolibarr_names(sources["dolibarr"])
    assert names["contacts"] == {"Dupont"}
    assert names["thirdparties"] <= {"Claire Dupont"} and names["thirdparties"]
    # The issued invoices: byte-identical.
    dolibarr_after = dump(sources["dolibarr"])
    for table in ISSUED:
        assert dolibarr_after[table] == dolibarr_before[table], table

    # The old values are kept, sealed: readable by staff (journaled), nowhere else.
    values = rectification.read_values(Actor.cli(), rect)
    assert values["changes"] == {"last_name": "Dupont", "civility": "Mme"}
    olds = {(h["source"], h["attribute"], h["old"]) for h in values["history"]}
    assert ("glpi", "last_name", "Martin") in olds
    assert ("dolibarr", "last_name", "Martin") in olds
    assert ("vigie", "last_name", "Martin") in olds
    assert ("dolibarr", "full_name", "Claire Martin") in olds
    assert b"Martin" not in bytes(rect.history_sealed)
    for event in CaseEvent.objects.filter(case=case):
        assert "Dupont" not in json.dumps(event.extra) and "Martin" not in json.dumps(event.extra)
    for event in Event.objects.all():
        assert "Dupont" not in json.dumps(event.extra), event.action
    assert Event.objects.filter(
        action="personal_data:read", extra__view="rights.rectification.values"
    ).exists()

    # GLPI holds her but maps no civility: a task for its owner; Dolibarr maps it.
    (task,) = RectificationTask.objects.filter(case=case)
    assert (task.source, task.attributes, task.status) == ("glpi", ["civility"], TaskStatus.OPEN)
    with pytest.raises(services.RightsError):
        rectification.complete_task(Actor.cli(), task, "  ")
    task = rectification.complete_task(Actor.cli(), task, "Civilité corrigée dans GLPI à la main")
    assert task.status == TaskStatus.DONE

    # Two recipients received her identity data: two Art. 19 tasks.
    notices = RecipientNotice.objects.filter(case=case, trigger=NoticeTrigger.RECTIFICATION)
    assert sorted(n.recipient.key for n in notices) == [
        "debt-collectors",
        "technical-subcontractors",
    ]

    # Applying again changes nothing and opens nothing more.
    assert rectification.apply(Actor.cli(), rect) == []
    assert RecipientNotice.objects.filter(case=case).count() == 2

    # The person is told what changed (labels, not values), in French.
    deliver_all()
    letters = {subject: body for _to, subject, body in received(smtp_server)}
    done = next(b for s, b in letters.items() if "corrigées" in s)
    assert "nom" in done and "civilité" in done
    assert "L123-22" in done
    assert any("justificatif" in s for s in letters)


def test_a_phone_correction_applies_at_once_without_proof(claire: Person) -> None:
    case = _case(claire)
    rect = rectification.record_corrections(Actor.cli(), case, {"phone": "01 23 45 67 89"})
    case.refresh_from_db()
    assert rect.applied and rect.proof == ProofKind.NOT_NEEDED
    assert case.status != Status.AWAITING_PROOF
    claire.refresh_from_db()
    assert open_person(claire).phone.replace(" ", "").endswith("123456789")
    history = rectification.read_values(Actor.cli(), rect)["history"]
    assert [(h["source"], h["attribute"]) for h in history] == [("vigie", "phone")]


def test_other_fields_entered_with_a_name_apply_at_once_and_only_the_name_waits(
    claire: Person,
) -> None:
    case = _case(claire)
    rect = rectification.record_corrections(
        Actor.cli(), case, {"job_title": "Comptable", "last_name": "Dupont"}
    )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_PROOF
    assert rect.attributes == ["last_name"] and rect.needs_proof and not rect.applied
    claire.refresh_from_db()
    assert open_person(claire).job_title == "Comptable"
    assert open_person(claire).last_name == "Martin"
    [at_once] = case.rectifications.exclude(pk=rect.pk)
    assert at_once.attributes == ["job_title"] and at_once.applied


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_name": ""}, "empty"),
        ({"email": "not an address"}, "e-mail"),
        ({"birth_date": "31/02/1990"}, "date"),
        ({"hobby": "chess"}, "Unknown field"),
        ({}, "at least one"),
    ],
)
def test_bad_corrections_are_refused_with_a_reason_and_nothing_is_written(
    claire: Person, changes: dict[str, str], message: str
) -> None:
    case = _case(claire)
    with pytest.raises(services.RightsError, match=message):
        rectification.record_corrections(Actor.cli(), case, changes)
    assert not case.rectifications.exists()
    assert open_person(claire).last_name == "Martin"


def test_only_a_rectification_case_takes_corrections(claire: Person) -> None:
    case = _case(claire, ["access"])
    with pytest.raises(services.RightsError, match="not a rectification"):
        rectification.record_corrections(Actor.cli(), case, {"phone": "0123456789"})


def test_another_person_sharing_the_address_is_left_alone(claire: Person) -> None:
    from vigie.people.services import create_person

    namesake = create_person(
        Actor.cli(), email=ON_FILE, first_name="Camille", last_name="Martin",
        subject_types=["client_contact_B2B"],
    )  # fmt: skip
    case = _case(claire)
    rectification.record_corrections(Actor.cli(), case, {"job_title": "Comptable"})
    claire.refresh_from_db()
    namesake.refresh_from_db()
    assert open_person(claire).job_title == "Comptable"
    assert open_person(namesake).job_title == ""
