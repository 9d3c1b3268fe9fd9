"""A person seeded the way an ERP holds them — private customer, contact, employee, member, donor,
applicant, attendee — across 40 personal tables of a full Dolibarr 25 database (every table), on
MariaDB and PostgreSQL (issue 12).

`find` returns, table by table, as many rows as hand-written SQL counts. After `erase`, a scan of
every text column of every table finds none of their identifiers (address, login, name, phone, IP,
IBAN) outside the rows kept on a legal ground (invoices, ledger, bank lines, salaries…), which the
report lists with their ground and end date.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.sources.helpdesk import ROOT, fresh_database, policy_categories, policy_rules
from tests.sources.real_seed import NOW, insert, text_residue
from vigie.demo.shapes import dolibarr
from vigie.sources.manifest import read_manifest
from vigie.sources.sql import SqlSource
from vigie.sources.types import KeptRow, Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "dolibarr.yaml"
EMAIL = "camille.durand@exemple.fr"
IBAN = "FR7630006000011234567890189"
SUBJECT = Subject(email=[EMAIL])
NEEDLES = [EMAIL, "cdurand", "Durand", "06 11 22 33 44", "192.0.2.77", IBAN]
SOC, CONTACT, USER, MEMBER, INVOICE, DON, EXPENSE, EVAL, BANK = (
    301,
    311,
    321,
    331,
    341,
    351,
    361,
    371,
    381,
)
NAME, PHONE = "Camille Durand", "06 11 22 33 44"

COUNTS = {
    "llx_societe": "SELECT COUNT(*) FROM llx_societe WHERE rowid = 301",
    "llx_socpeople": "SELECT COUNT(*) FROM llx_socpeople WHERE rowid = 311",
    "llx_user": "SELECT COUNT(*) FROM llx_user WHERE rowid = 321",
    "llx_facture": "SELECT COUNT(*) FROM llx_facture WHERE fk_soc = 301",
    "llx_adherent": "SELECT COUNT(*) FROM llx_adherent WHERE rowid = 331",
    "llx_subscription": "SELECT COUNT(*) FROM llx_subscription WHERE fk_adherent = 331",
    "llx_don": "SELECT COUNT(*) FROM llx_don WHERE email = 'camille.durand@exemple.fr'",
    "llx_payment_donation": "SELECT COUNT(*) FROM llx_payment_donation WHERE fk_donation = 351",
    "llx_recruitment_recruitmentcandidature": "SELECT COUNT(*) FROM "
    "llx_recruitment_recruitmentcandidature WHERE email = 'camille.durand@exemple.fr'",
    "llx_societe_account": "SELECT COUNT(*) FROM llx_societe_account WHERE fk_soc = 301",
    "llx_eventorganization_conferenceorboothattendee": "SELECT COUNT(*) FROM "
    "llx_eventorganization_conferenceorboothattendee WHERE email = 'camille.durand@exemple.fr'",
    "llx_user_employment": "SELECT COUNT(*) FROM llx_user_employment WHERE fk_user = 321",
    "llx_salary": "SELECT COUNT(*) FROM llx_salary WHERE fk_user = 321",
    "llx_payment_salary": "SELECT COUNT(*) FROM llx_payment_salary WHERE fk_user = 321",
    "llx_holiday": "SELECT COUNT(*) FROM llx_holiday WHERE fk_user = 321",
    "llx_expensereport": "SELECT COUNT(*) FROM llx_expensereport WHERE fk_user_author = 321",
    "llx_expensereport_det": "SELECT COUNT(*) FROM llx_expensereport_det "
    "WHERE fk_expensereport = 361",
    "llx_hrm_evaluation": "SELECT COUNT(*) FROM llx_hrm_evaluation WHERE fk_user = 321",
    "llx_element_time": "SELECT COUNT(*) FROM llx_element_time WHERE fk_user = 321",
    "llx_user_rib": "SELECT COUNT(*) FROM llx_user_rib WHERE fk_user = 321",
    "llx_prelevement_lignes": "SELECT COUNT(*) FROM llx_prelevement_lignes WHERE fk_soc = 301",
    "llx_bank": "SELECT COUNT(*) FROM llx_bank WHERE rowid IN "
    "(SELECT fk_bank FROM llx_bank_url WHERE type = 'company' AND url_id = 301)",
    "llx_bank_url": "SELECT COUNT(*) FROM llx_bank_url WHERE type = 'company' AND url_id = 301",
    "llx_accounting_bookkeeping": "SELECT COUNT(*) FROM llx_accounting_bookkeeping "
    "WHERE thirdparty_code = 'CU0301'",
    "llx_commande": "SELECT COUNT(*) FROM llx_commande WHERE fk_soc = 301",
    "llx_expedition": "SELECT COUNT(*) FROM llx_expedition WHERE fk_soc = 301",
    "llx_fichinter": "SELECT COUNT(*) FROM llx_fichinter WHERE fk_soc = 301",
    "llx_projet": "SELECT COUNT(*) FROM llx_projet WHERE fk_soc = 301",
    "llx_notify": "SELECT COUNT(*) FROM llx_notify WHERE email = 'camille.durand@exemple.fr'",
    "llx_ecm_files": "SELECT COUNT(*) FROM llx_ecm_files "
    "WHERE src_object_type = 'societe' AND src_object_id = 301",
    "llx_session": "SELECT COUNT(*) FROM llx_session WHERE fk_user = 321",
    "llx_oauth_token": "SELECT COUNT(*) FROM llx_oauth_token WHERE fk_user = 321",
    "llx_socpeople_extrafields": "SELECT COUNT(*) FROM llx_socpeople_extrafields "
    "WHERE fk_object = 311",
    "llx_usergroup_user": "SELECT COUNT(*) FROM llx_usergroup_user WHERE fk_user = 321",
    "llx_categorie_contact": "SELECT COUNT(*) FROM llx_categorie_contact WHERE fk_socpeople = 311",
    "llx_links": "SELECT COUNT(*) FROM llx_links WHERE objecttype = 'societe' AND objectid = 301",
    "llx_user_param": "SELECT COUNT(*) FROM llx_user_param WHERE fk_user = 321",
    "llx_societe_contacts": "SELECT COUNT(*) FROM llx_societe_contacts WHERE fk_socpeople = 311",
    "llx_ticket": "SELECT COUNT(*) FROM llx_ticket "
    "WHERE origin_email = 'camille.durand@exemple.fr' OR fk_soc = 301",
}


def seed(conn: sa.Connection, md: sa.MetaData) -> None:
    def add(table: str, **values: Any) -> None:
        insert(conn, md, table, **values)

    add(
        "llx_societe",
        rowid=SOC,
        nom=NAME,
        email=EMAIL,
        phone=PHONE,
        address="3 rue des Lilas",
        zip="75011",
        town="Paris",
        code_client="CU0301",
        tms=NOW,
    )
    add(
        "llx_societe",
        rowid=SOC + 1,
        nom="Luc Bernard",
        email="luc.bernard@exemple.fr",
        code_client="CU0302",
        tms=NOW,
    )
    add(
        "llx_socpeople",
        rowid=CONTACT,
        fk_soc=SOC,
        lastname="Durand",
        firstname="Camille",
        email=EMAIL,
        phone_mobile=PHONE,
        tms=NOW,
    )
    add(
        "llx_user",
        rowid=USER,
        login="cdurand",
        lastname="Durand",
        firstname="Camille",
        email=EMAIL,
        user_mobile=PHONE,
        iplastlogin="192.0.2.77",
        tms=NOW,
    )
    add(
        "llx_facture",
        rowid=INVOICE,
        ref="FA2506-0001",
        fk_soc=SOC,
        datef=NOW.date(),
        note_public=f"Merci {NAME}",
    )
    add("llx_facturedet", fk_facture=INVOICE, description="Maintenance", total_ttc=120)
    add(
        "llx_adherent",
        rowid=MEMBER,
        ref="ADH1",
        lastname="Durand",
        firstname="Camille",
        login="cdurand",
        email=EMAIL,
        phone_mobile=PHONE,
        morphy="phy",
        tms=NOW,
    )
    add(
        "llx_subscription",
        fk_adherent=MEMBER,
        dateadh=NOW,
        note=f"Cotisation {NAME}",
        subscription=30,
    )
    add(
        "llx_don",
        rowid=DON,
        firstname="Camille",
        lastname="Durand",
        email=EMAIL,
        phone=PHONE,
        address="3 rue des Lilas",
        amount=50,
        datedon=NOW,
    )
    add("llx_payment_donation", fk_donation=DON, datep=NOW, amount=50, note=f"Don de {NAME}")
    add(
        "llx_recruitment_recruitmentcandidature",
        ref="C1",
        firstname="Camille",
        lastname="Durand",
        email=EMAIL,
        phone=PHONE,
        description="CV",
        tms=NOW,
    )
    add(
        "llx_societe_account",
        fk_soc=SOC,
        login="cdurand",
        site="dolibarr_portal",
        ip="192.0.2.77",
        tms=NOW,
    )
    add(
        "llx_eventorganization_conferenceorboothattendee",
        ref="ATT1",
        email=EMAIL,
        firstname="Camille",
        lastname="Durand",
        date_creation=NOW,
    )
    add(
        "llx_user_employment",
        fk_user=USER,
        job="Technicienne",
        salary=2500,
        dateemploymentend=NOW.date(),
    )
    add("llx_salary", fk_user=USER, amount=2500, label=f"Salaire {NAME}", datep=NOW.date())
    add("llx_payment_salary", fk_user=USER, amount=2500, label=f"Paie {NAME}", datep=NOW)
    add(
        "llx_holiday",
        ref="HL1",
        fk_user=USER,
        description=f"Congés de {NAME}",
        date_debut=NOW.date(),
        date_fin=NOW.date(),
    )
    add(
        "llx_expensereport",
        rowid=EXPENSE,
        ref="ER1",
        fk_user_author=USER,
        note_private=f"Note de {NAME}",
        date_debut=NOW.date(),
        date_fin=NOW.date(),
    )
    add(
        "llx_expensereport_det",
        fk_expensereport=EXPENSE,
        comments=f"Taxi pour {NAME}",
        date=NOW.date(),
    )
    add(
        "llx_hrm_evaluation",
        rowid=EVAL,
        ref="EV1",
        fk_user=USER,
        description=f"Entretien annuel de {NAME}",
        date_eval=NOW.date(),
    )
    add(
        "llx_element_time",
        fk_element=1,
        elementtype="task",
        fk_user=USER,
        note=f"Intervention de {NAME}",
        element_date=NOW.date(),
    )
    add("llx_user_rib", fk_user=USER, iban_prefix=IBAN, bic="BNPAFRPP", proprio=NAME, tms=NOW)
    add(
        "llx_prelevement_lignes",
        fk_soc=SOC,
        client_nom=NAME,
        amount=120,
        iban=IBAN,
        number="12345678901",
        bic="BNPAFRPP",
        tms=NOW,
    )
    add(
        "llx_bank",
        rowid=BANK,
        amount=120,
        label="Règlement client",
        emetteur=NAME,
        dateo=NOW.date(),
    )
    add(
        "llx_bank_url",
        fk_bank=BANK,
        url_id=SOC,
        url="/societe/card.php?id=",
        label=NAME,
        type="company",
    )
    add(
        "llx_accounting_bookkeeping",
        thirdparty_code="CU0301",
        subledger_account="411DURAND",
        subledger_label=NAME,
        label_operation=f"{NAME} - FA2506-0001",
        doc_date=NOW.date(),
        doc_ref="FA2506-0001",
    )
    add(
        "llx_commande",
        ref="CO1",
        fk_soc=SOC,
        note_private=f"Appeler {NAME} au {PHONE}",
        ip="192.0.2.77",
        date_commande=NOW.date(),
    )
    add(
        "llx_expedition",
        ref="SH1",
        fk_soc=SOC,
        note_private=f"Livrer à {NAME}",
        date_expedition=NOW,
    )
    add("llx_fichinter", ref="FI1", fk_soc=SOC, note_private=f"Chez {NAME}", datei=NOW.date())
    add(
        "llx_projet",
        ref="PJ1",
        title="Migration",
        fk_soc=SOC,
        note_private=f"Projet {NAME}",
        ip="192.0.2.77",
        date_close=NOW,
    )
    add("llx_notify", email=EMAIL, fk_soc=SOC, objet_type="order", daten=NOW)
    add(
        "llx_ecm_files",
        label="Contrat",
        filename=f"Contrat {NAME}.pdf",
        filepath="societe/301",
        src_object_type="societe",
        src_object_id=SOC,
        content=f"Contrat signé par {NAME}",
        tms=NOW,
    )
    add(
        "llx_session",
        session_id="s1",
        fk_user=USER,
        remote_ip="192.0.2.77",
        session_variable='login|s:7:"cdurand";',
        date_creation=NOW,
        last_accessed=NOW,
    )
    add("llx_oauth_token", fk_user=USER, service="Google", tokenstring='{"access":"x"}', tms=NOW)
    add("llx_socpeople_extrafields", fk_object=CONTACT)
    add("llx_usergroup_user", fk_user=USER, fk_usergroup=1)
    add("llx_categorie_contact", fk_categorie=1, fk_socpeople=CONTACT)
    add(
        "llx_links",
        objecttype="societe",
        objectid=SOC,
        url="https://exemple.fr/cv",
        label=f"CV {NAME}",
        datea=NOW,
    )
    add("llx_user_param", fk_user=USER, param="MAIN_LANG", value="fr_FR")
    add(
        "llx_societe_contacts",
        fk_soc=SOC,
        fk_socpeople=CONTACT,
        fk_c_type_contact=1,
        date_creation=NOW,
    )
    add(
        "llx_ticket",
        ref="TK1",
        track_id="abc",
        origin_email=EMAIL,
        fk_soc=SOC,
        subject=f"Panne chez {NAME}",
        message=f"Bonjour, {NAME}, {PHONE}",
        datec=NOW,
    )


@pytest.fixture(params=["mariadb", "postgresql"])
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        engine = sa.create_engine(url)
        md = dolibarr.full_metadata()
        md.create_all(engine)
        with engine.begin() as conn:
            seed(conn, md)
        engine.dispose()
        yield url


def test_a_person_across_40_dolibarr_tables_is_found_in_each_and_leaves_no_residue(
    seeded: str,
) -> None:
    manifest = read_manifest(MANIFEST, categories=policy_categories())
    engine = sa.create_engine(seeded)
    with engine.connect() as conn:
        expected = {t: conn.execute(sa.text(q)).scalar_one() for t, q in COUNTS.items()}
    engine.dispose()
    assert len(COUNTS) >= 30 and all(expected.values()), expected

    # The scan sees the person everywhere before the erasure (it reads every text column).
    before = {table for table, _column in text_residue(seeded, NEEDLES)}
    assert len(before) >= 30, sorted(before)

    kept: list[KeptRow] = []
    options: dict[str, Any] = {"rules": policy_rules(), "archive": lambda _s, r: kept.extend(r)}
    with SqlSource(manifest, url=seeded, **options) as source:
        found = source.find(SUBJECT).table_counts
    assert {t: found.get(t, 0) for t in COUNTS} == expected

    with SqlSource(manifest, url=seeded, **options) as source:
        report = source.erase(SUBJECT)
    allowed = {(k.table, k.key) for k in report.kept}
    residue = text_residue(seeded, NEEDLES)
    left = {
        where: keys - {key for table, key in allowed if table == where[0]}
        for where, keys in residue.items()
    }
    assert {where: keys for where, keys in left.items() if keys} == {}
    # The IBAN is nowhere, not even on the kept direct-debit line.
    assert text_residue(seeded, [IBAN]) == {}
    # What stays is the accounting (and the contract evidence), each with its ground and end.
    kept_tables = {k.table for k in report.kept}
    assert {
        "llx_facture",
        "llx_bank",
        "llx_accounting_bookkeeping",
        "llx_prelevement_lignes",
        "llx_salary",
    } <= kept_tables
    assert all(k.ground and k.ends_on for k in report.kept if k.category == "billing-accounting")
    # The engine's own residue check searched their login and name (the manifest marks
    # them), not only the address given.
    assert {EMAIL, "cdurand", "Camille Durand", "Durand Camille"} <= set(report.identifiers)
    assert "Camille" not in report.identifiers  # a first name alone: every namesake
    assert report.residue_checked and report.residue == [], report.residue


def test_a_name_left_in_free_text_is_reported_as_residue(seeded: str) -> None:
    # Someone typed the person's name into another customer's note: the erasure does not
    # reach that row, and the residue check must say so.
    engine = sa.create_engine(seeded)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE llx_societe SET note_public = :c WHERE rowid = :i"),
            {"c": "Rappeler Camille Durand demain", "i": SOC + 1},
        )
    engine.dispose()
    manifest = read_manifest(MANIFEST, categories=policy_categories())
    options: dict[str, Any] = {"rules": policy_rules(), "archive": lambda _s, _r: None}
    with SqlSource(manifest, url=seeded, **options) as source:
        report = source.erase(SUBJECT)
    found = {(r.table, r.column, r.rows) for r in report.residue}
    assert ("llx_societe", "note_public", 1) in found
    assert not report.complete
