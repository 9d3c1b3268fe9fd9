"""Erasure (R53, L9, L10): a former client's erasure, planned from their own rows, carried
out in GLPI, Dolibarr (their real shapes, on MariaDB and PostgreSQL) and Vigie, with the
letter saying exactly what was erased and what was kept, why and until when.

Former client: last invoice 15/05/2023 (paid 10/06/2023), contract ended 30/06/2023
(intervention 20/06/2023). Newsletter, ticket free text, traces and logins go from every
source; invoices and payments stay until 31/12/2033 (« 17(3)(b) – L123-22 C. com. »), the
contract and the intervention reports until 30/06/2028 (« 17(3)(e) »).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.rights.conftest import deliver_all, received
from tests.sources.helpdesk import ROOT, fresh_database
from tests.sources.real_seed import insert
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.consent.models import ConsentEvent, Subscription, SuppressionEntry
from vigie.consent.services import record_consent
from vigie.consent.suppression import suppress
from vigie.demo.shapes import dolibarr, glpi
from vigie.disclosures.models import Disclosure
from vigie.disclosures.services import record_disclosure
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, create_person, open_person
from vigie.rights import erasure
from vigie.rights.models import Case, Channel, ErasureStatus, RecipientNotice
from vigie.rights.sealing import Requester
from vigie.rights.services import open_case
from vigie.sources.services import register_source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

EMAIL, NAME, LOGIN = "camille.durand@exemple.fr", "Camille Durand", "cdurand"
OTHER = "luc.bernard@exemple.fr"
SOC, OTHER_SOC, INVOICE, PAYMENT, CONTRACT, USER, OTHER_USER, TICKET = (
    301,
    302,
    341,
    351,
    361,
    21,
    22,
    501,
)
OLD = dt.datetime(2023, 3, 1, 9, 0)


def seed_dolibarr(conn: sa.Connection, md: sa.MetaData) -> None:
    def add(table: str, **values: Any) -> None:
        insert(conn, md, table, **values)

    for soc, who, email, code in [
        (SOC, NAME, EMAIL, "CU0301"),
        (OTHER_SOC, "Luc Bernard", OTHER, "CU0302"),
    ]:
        add(
            "llx_societe",
            rowid=soc,
            nom=who,
            email=email,
            phone="06 11 22 33 44",
            address="3 rue des Lilas",
            code_client=code,
            tms=OLD,
        )
    add(
        "llx_facture",
        rowid=INVOICE,
        ref="FA2305-0001",
        fk_soc=SOC,
        datef=dt.date(2023, 5, 15),
        total_ttc=120,
        note_public="Maintenance annuelle",
    )
    add(
        "llx_facture",
        rowid=INVOICE + 1,
        ref="FA2212-0004",
        fk_soc=SOC,
        datef=dt.date(2022, 12, 2),
        total_ttc=80,
    )
    add(
        "llx_facture",
        rowid=INVOICE + 2,
        ref="FA2401-0009",
        fk_soc=OTHER_SOC,
        datef=dt.date(2024, 1, 9),
        total_ttc=50,
    )
    add(
        "llx_paiement",
        rowid=PAYMENT,
        ref="PAY2306-0001",
        datep=dt.datetime(2023, 6, 10, 10, 0),
        amount=120,
    )
    add("llx_paiement_facture", fk_paiement=PAYMENT, fk_facture=INVOICE, amount=120)
    add(
        "llx_contrat",
        rowid=CONTRACT,
        ref="CT2101-0001",
        fk_soc=SOC,
        date_contrat=dt.datetime(2021, 7, 1),
        date_cloture=dt.datetime(2023, 6, 30, 18, 0),
        note_private=f"Client {NAME}, très exigeant",
    )
    add(
        "llx_contratdet",
        fk_contrat=CONTRACT,
        label="Maintenance",
        description="Contrat de maintenance",
        date_cloture=dt.datetime(2023, 6, 30, 18, 0),
    )
    add(
        "llx_fichinter",
        ref="FI2306-0001",
        fk_soc=SOC,
        datei=dt.date(2023, 6, 20),
        description="Remplacement du disque",
        fk_contrat=CONTRACT,
    )
    add(
        "llx_mailing_cibles",
        fk_mailing=1,
        email=EMAIL,
        lastname="Durand",
        firstname="Camille",
        source_type="thirdparty",
        source_id=SOC,
        date_envoi=OLD,
    )
    add(
        "llx_ticket",
        ref="TK1",
        track_id="abc",
        origin_email=EMAIL,
        fk_soc=SOC,
        subject=f"Panne chez {NAME}",
        message=f"Bonjour, ici {NAME}, 06 11 22 33 44",
        datec=OLD,
    )


def seed_glpi(conn: sa.Connection, md: sa.MetaData) -> None:
    def add(table: str, **values: Any) -> None:
        insert(conn, md, table, **values)

    add("glpi_users", id=USER, name=LOGIN, firstname="Camille", realname="Durand", date_mod=OLD)
    add(
        "glpi_users",
        id=OTHER_USER,
        name="lbernard",
        firstname="Luc",
        realname="Bernard",
        date_mod=OLD,
    )
    add("glpi_useremails", users_id=USER, email=EMAIL)
    add("glpi_useremails", users_id=OTHER_USER, email=OTHER)
    add(
        "glpi_tickets",
        id=TICKET,
        name=f"Imprimante de {NAME}",
        content=f"Bonjour, ici {NAME}, 06 11 22 33 44",
        users_id_recipient=USER,
        date_mod=OLD,
        closedate=OLD,
    )
    add("glpi_tickets_users", tickets_id=TICKET, users_id=USER, type=1)
    add(
        "glpi_tickettasks",
        tickets_id=TICKET,
        users_id_tech=OTHER_USER,
        date=dt.datetime(2023, 6, 20, 14, 0),
        content=f"Intervention chez {NAME}",
    )
    add(
        "glpi_events",
        type="system",
        date=OLD,
        service="login",
        level=3,
        message=f"{LOGIN} log in from IP 192.0.2.77",
    )
    add(
        "glpi_events",
        type="system",
        date=OLD,
        service="login",
        level=3,
        message="lbernard log in from IP 192.0.2.8",
    )


@pytest.fixture(params=["mariadb", "postgresql"])
def sources(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch, cli_actor
) -> Iterator[dict[str, sa.Engine]]:
    engines = {}
    with (
        fresh_database(request.param, tmp_path) as doli_url,
        fresh_database(request.param, tmp_path) as glpi_url,
    ):
        for name, url, md, seed in [
            ("dolibarr", doli_url, dolibarr.full_metadata(), seed_dolibarr),
            ("glpi", glpi_url, glpi.full_metadata("11"), seed_glpi),
        ]:
            engine = sa.create_engine(url)
            md.create_all(engine)
            with engine.begin() as conn:
                seed(conn, md)
            engines[name] = engine
            monkeypatch.setenv(f"VIGIE_SOURCE_{name.upper()}_URL", url)
            manifest = ROOT / "vigie" / "sources" / "manifests" / f"{name}.yaml"
            register_source(cli_actor, manifest.read_text(encoding="utf-8"))
        yield engines
        for engine in engines.values():
            engine.dispose()


@pytest.fixture
def camille(cli_actor: Actor) -> Person:
    person = create_person(
        cli_actor,
        email=EMAIL,
        first_name="Camille",
        last_name="Durand",
        subject_types=["client_individual_B2C"],
    )
    record_consent(
        cli_actor,
        person,
        "newsletter",
        wording="J’accepte la lettre.",
        method="phone",
        channel="phone",
    )
    # She opted out of partner offers long ago: her address's hash is on the list.
    suppress(EMAIL, "offres_partenaires", "unsubscribed", dt.datetime(2022, 1, 5, tzinfo=dt.UTC))
    return person


def erasure_case(person: Person) -> Case:
    return open_case(
        Actor.cli(),
        types=["erasure"],
        channel=Channel.POST,
        requester=Requester(email=EMAIL, name=NAME),
        person=person,
        verified_by="customer_reference",
    ).case


def count(engine: sa.Engine, sql: str, **params: Any) -> int:
    return int(value(engine, sql, **params))


def value(engine: sa.Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def test_a_former_client_is_erased_everywhere_with_legal_retention_kept_and_the_letter_says_so(
    sources, camille, privacy_lead, smtp_server
) -> None:
    lead = Actor.for_user(privacy_lead)
    record_disclosure(
        Actor.cli(),
        camille,
        _a_recipient(),
        ["billing-accounting", "identity-contact"],
        dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
    )
    case = erasure_case(camille)

    plan = erasure.propose(lead, case, ["a", "b"])
    proposed = plan.proposed
    assert proposed["billing-accounting"] == {
        "choice": "keep",
        "ground": "b-accounting",
        "until": "2033-12-31",
    }
    assert proposed["contract-services"] == {
        "choice": "keep",
        "ground": "e-claims",
        "until": "2028-06-30",
    }
    for category in (
        "identity-contact",
        "newsletter-subscription",
        "hotline-tickets",
        "security-logs",
    ):
        assert proposed[category]["choice"] == "erase", category
    assert plan.basis["billing-accounting"]["date"] == "2023-06-10"  # the last payment
    assert plan.basis["contract-services"]["date"] == "2023-06-30"
    assert not plan.current_client, "the contract ended in 2023: a former client"

    # A free-text ground, or « motif légitime », is refused; nothing is written.
    bad = {
        **proposed,
        "contract-services": {"choice": "keep", "ground": "motif légitime", "until": "2028-06-30"},
    }
    with pytest.raises(erasure.ErasureError, match="17\\(3\\)"):
        erasure.choose(lead, case, bad, ["a"])
    plan.refresh_from_db()
    assert plan.status == ErasureStatus.PROPOSED

    plan = erasure.choose(lead, case, proposed, ["a", "d"])
    assert plan.status == ErasureStatus.CONFIRMED
    plan = erasure.run(lead, case)
    assert plan.status == ErasureStatus.DONE
    case.refresh_from_db()
    decision = case.decisions.get()
    assert decision.outcome == "partial" and "L123-22" in decision.grounds
    assert case.is_open, "an Art. 19 notice is open: the case waits for it"

    doli, gl = sources["dolibarr"], sources["glpi"]
    # Dolibarr: newsletter and ticket gone; invoices, payment, contract kept; others untouched.
    assert count(doli, "SELECT COUNT(*) FROM llx_mailing_cibles WHERE email = :v", v=EMAIL) == 0
    assert count(doli, "SELECT COUNT(*) FROM llx_ticket WHERE origin_email = :v", v=EMAIL) == 0
    assert NAME not in (value(doli, "SELECT message FROM llx_ticket WHERE ref = 'TK1'") or "")
    assert count(doli, "SELECT COUNT(*) FROM llx_facture WHERE fk_soc = :v", v=SOC) == 2
    assert count(doli, "SELECT COUNT(*) FROM llx_paiement WHERE rowid = :v", v=PAYMENT) == 1
    assert count(doli, "SELECT COUNT(*) FROM llx_contrat WHERE rowid = :v", v=CONTRACT) == 1
    assert count(doli, "SELECT COUNT(*) FROM llx_fichinter WHERE fk_soc = :v", v=SOC) == 1
    assert value(doli, "SELECT email FROM llx_societe WHERE rowid = :v", v=SOC) is None
    assert value(doli, "SELECT phone FROM llx_societe WHERE rowid = :v", v=SOC) is None
    assert value(doli, "SELECT nom FROM llx_societe WHERE rowid = :v", v=SOC) == NAME  # invoices
    assert value(doli, "SELECT email FROM llx_societe WHERE rowid = :v", v=OTHER_SOC) == OTHER
    # GLPI: her account, ticket free text, login traces gone; Luc's untouched.
    assert count(gl, "SELECT COUNT(*) FROM glpi_useremails WHERE email = :v", v=EMAIL) == 0
    assert NAME not in value(gl, "SELECT content FROM glpi_tickets WHERE id = :v", v=TICKET)
    assert count(gl, "SELECT COUNT(*) FROM glpi_events WHERE message LIKE :v", v=f"{LOGIN} %") == 0
    assert count(gl, "SELECT COUNT(*) FROM glpi_events WHERE message LIKE 'lbernard %'") == 1
    assert count(gl, "SELECT COUNT(*) FROM glpi_useremails WHERE email = :v", v=OTHER) == 1
    # Vigie: crypto-shredded, marketing gone, the suppression hash and consent proofs kept.
    with pytest.raises(PersonUnavailable):
        open_person(Person.objects.get(pk=camille.pk))
    assert not Subscription.objects.filter(person=camille).exists()
    assert SuppressionEntry.objects.filter(scope="offres_partenaires").count() == 1
    assert ConsentEvent.objects.filter(person=camille).exists()
    # Art. 19: the notice was opened before the erasure; the disclosure log went with her.
    assert RecipientNotice.objects.filter(case=case, trigger="erasure").count() == 1
    assert not Disclosure.objects.filter(person=camille).exists()
    assert plan.kept["billing-accounting"] == ["17(3)(b) – L123-22 C. com.", "2033-12-31"]
    assert plan.kept["contract-services"][0].startswith("17(3)(e)")
    assert plan.kept["contract-services"][1] == "2028-06-30"

    deliver_all()
    letters = [m for m in received(smtp_server) if "effacées" in m[1]]
    assert len(letters) == 1
    to, subject, body = letters[0]
    assert to == EMAIL and case.number in subject
    erased_part, kept_part = body.split("Données conservées")
    for label in ("Identité et coordonnées", "Tickets", "Inscription"):
        assert label.lower()[:8] in erased_part.lower(), label
    assert "Facturation et comptabilité : 17(3)(b) – L123-22 C. com." in kept_part
    assert "jusqu’au 31/12/2033" in kept_part
    assert "Contrats, commandes et services souscrits : 17(3)(e)" in kept_part
    assert "jusqu’au 30/06/2028" in kept_part
    assert "Facturation" not in erased_part and "Contrats" not in erased_part
    assert "3 Place de Fontenoy" in body  # the CNIL block

    # Idempotent: running again does nothing more.
    before = Event.objects.filter(action="sources:subject:erase").count()
    assert erasure.run(lead, case).status == ErasureStatus.DONE
    assert Event.objects.filter(action="sources:subject:erase").count() == before


def _a_recipient() -> str:
    from vigie.register.models import Recipient

    recipient = Recipient.objects.order_by("key").first()
    assert recipient is not None
    return recipient.key
