"""The story of issue 12 on the employee side of Dolibarr 25 (review7): a person who is also a
member of staff has their name in the bank and bookkeeping lines of their expense-report
refund, as Dolibarr writes them (the expense-report journal: `doc_type = 'expense_report'`,
`fk_doc` the report, `subledger_label` the employee's name; the refund's bank line linked to the
user by `llx_bank_url.type = 'user'`), and files indexed under their user record.

Those accounting rows must be kept (L123-22), and so *found* and listed in the erase report with
their ground and end date; the user's files are erased like a contact's. After `erase`, every
row of a scan of every text column still naming them is one the report lists as kept.
"""

from __future__ import annotations

import datetime as dt
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
EMAIL, NAME = "camille.durand@exemple.fr", "Camille Durand"
SUBJECT = Subject(email=[EMAIL])
ME, OTHER, REPORT, OTHER_REPORT, BANK, OTHER_BANK = 30, 31, 80, 81, 51, 52
RECEIPT = 700


def seed(conn: sa.Connection, md: sa.MetaData) -> None:
    def add(table: str, **values: Any) -> None:
        insert(conn, md, table, **values)

    day = NOW.date()
    add("llx_user", rowid=ME, login="cdurand", lastname="Durand", firstname="Camille", email=EMAIL)
    add("llx_user", rowid=OTHER, login="lbernard", lastname="Bernard", firstname="Luc")
    for report, user, who in [(REPORT, ME, NAME), (OTHER_REPORT, OTHER, "Luc Bernard")]:
        add(
            "llx_expensereport",
            rowid=report,
            ref=f"ER{report}",
            fk_user_author=user,
            date_debut=day,
            date_fin=day,
            date_create=NOW,
            total_ttc=45.0,
        )
        add(
            "llx_accounting_bookkeeping",
            doc_date=day,
            doc_type="expense_report",
            doc_ref=f"ER{report}",
            fk_doc=report,
            fk_docdet=1,
            subledger_account="421",
            subledger_label=who,
            numero_compte="421",
            label_operation=f"{who} - ER{report}",
            debit=0,
            credit=45.0,
            montant=45.0,
            sens="C",
            code_journal="ER",
            piece_num=report,
            date_creation=NOW,
        )
    for bank, user, who in [(BANK, ME, NAME), (OTHER_BANK, OTHER, "Luc Bernard")]:
        add(
            "llx_bank",
            rowid=bank,
            label=f"Remboursement {who}",
            amount=-45.0,
            dateo=day,
            datev=day,
            datec=NOW,
        )
        add(
            "llx_bank_url",
            fk_bank=bank,
            url_id=user,
            url="/user/card.php?id=",
            label=who,
            type="user",
        )
        # The bank journal: doc_type 'bank', fk_doc the bank line, the employee's sub-ledger.
        add(
            "llx_accounting_bookkeeping",
            doc_date=day,
            doc_type="bank",
            doc_ref=f"B{bank}",
            fk_doc=bank,
            fk_docdet=bank,
            subledger_account="421",
            subledger_label=who,
            numero_compte="421",
            label_operation=f"{who} - B{bank}",
            debit=45.0,
            credit=0,
            montant=45.0,
            sens="D",
            code_journal="BQ",
            piece_num=bank,
            date_creation=NOW,
        )
    add(
        "llx_ecm_files",
        label="a",
        filepath="users/30",
        filename="contrat-cdurand.pdf",
        src_object_type="user",
        src_object_id=ME,
        tms=NOW,
    )
    # Files attached to the expense reports (Dolibarr indexes them under the report,
    # `src_object_type` its `table_element`; a receipt is also pointed to by its line's
    # `fk_ecm_files`), and a link to an external file on the report.
    for rowid, report, name in [
        (RECEIPT, REPORT, "ticket-resto-cdurand.jpg"),
        (RECEIPT + 1, REPORT, "ER80.pdf"),
        (RECEIPT + 2, OTHER_REPORT, "ticket-resto-lbernard.jpg"),
    ]:
        add(
            "llx_ecm_files",
            rowid=rowid,
            label=f"f{rowid}",
            filepath=f"expensereport/ER{report}",
            filename=name,
            src_object_type="expensereport",
            src_object_id=report,
            share=f"share{rowid}",
            tms=NOW,
        )
    # A receipt reached only through its line (indexed before it was attached).
    add(
        "llx_ecm_files",
        rowid=RECEIPT + 3,
        label="f-line",
        filepath="expensereport/ER80",
        filename="taxi-camille-durand.pdf",
        src_object_type="",
        src_object_id=0,
        tms=NOW,
    )
    for line, report, receipt in [(1, REPORT, RECEIPT + 3), (2, OTHER_REPORT, RECEIPT + 2)]:
        add(
            "llx_expensereport_det",
            rowid=line,
            fk_expensereport=report,
            comments="Déjeuner client",
            fk_ecm_files=receipt,
            date=day,
        )
    for rowid, report in [(1, REPORT), (2, OTHER_REPORT)]:
        add(
            "llx_links",
            rowid=rowid,
            datea=NOW,
            url=f"https://drive.exemple.fr/ER{report}",
            label=f"Justificatifs ER{report}",
            objecttype="expensereport",
            objectid=report,
        )
    add(
        "llx_ecm_files",
        label="b",
        filepath="users/31",
        filename="contrat-lbernard.pdf",
        src_object_type="user",
        src_object_id=OTHER,
        tms=NOW,
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


def test_an_employee_s_bank_and_ledger_lines_are_found_kept_and_listed(seeded: str) -> None:
    manifest = read_manifest(MANIFEST, categories=policy_categories())
    kept: list[KeptRow] = []
    options: dict[str, Any] = {"rules": policy_rules(), "archive": lambda _s, r: kept.extend(r)}
    with SqlSource(manifest, url=seeded, **options) as source:
        found = source.find(SUBJECT).table_counts
    assert found["llx_accounting_bookkeeping"] == 2
    assert found["llx_bank"] == 1 and found["llx_bank_url"] == 1
    assert found["llx_ecm_files"] == 1 + 3  # their user file, and the report's three
    assert found["llx_links"] == 1

    with SqlSource(manifest, url=seeded, **options) as source:
        report = source.erase(SUBJECT)
    listed = {(k.table, k.key) for k in report.kept}
    assert all(k.ground and k.ends_on for k in report.kept)
    assert {t for t, _k in listed} >= {"llx_accounting_bookkeeping", "llx_bank", "llx_bank_url"}
    assert all(
        k.ends_on >= dt.date(2035, 1, 1)
        for k in report.kept
        if k.table in ("llx_accounting_bookkeeping", "llx_bank")
    )
    residue = text_residue(seeded, ["cdurand", "Durand"])
    left = {
        where: keys - {key for table, key in listed if table == where[0]}
        for where, keys in residue.items()
    }
    assert {where: keys for where, keys in left.items() if keys} == {}
    # The ledger and bank lines are still there, untouched; the other employee's too.
    engine = sa.create_engine(seeded)
    with engine.connect() as conn:
        labels = conn.execute(
            sa.text("SELECT subledger_label FROM llx_accounting_bookkeeping")
        ).scalars()
        assert sorted(labels) == [NAME, NAME, "Luc Bernard", "Luc Bernard"]
        files = dict(conn.execute(sa.text("SELECT rowid, filename FROM llx_ecm_files")).all())
        assert "contrat-lbernard.pdf" in files.values()
        # The report's files: their names and share links erased in the index (the
        # receipts themselves stay in Dolibarr's documents, with the kept report).
        assert [files[RECEIPT + i] for i in (0, 1, 3)] == ["[effacé]"] * 3
        assert files[RECEIPT + 2] == "ticket-resto-lbernard.jpg"
        shares = dict(conn.execute(sa.text("SELECT rowid, share FROM llx_ecm_files")).all())
        assert shares[RECEIPT] is None and shares[RECEIPT + 2] == f"share{RECEIPT + 2}"
        links = conn.execute(sa.text("SELECT objectid FROM llx_links")).scalars().all()
        assert links == [OTHER_REPORT]
    engine.dispose()


def test_after_an_erasure_find_still_reports_the_rows_kept_on_a_legal_ground(seeded: str) -> None:
    """R51 after R53: the identity rows are anonymised, so no link leads to the ledger and
    bank lines any more; the archive index (whom each kept row is kept for, by a keyed
    reference of their identifiers) still does, with the ground and end date."""
    manifest = read_manifest(MANIFEST, categories=policy_categories())
    options: dict[str, Any] = {"rules": policy_rules()}
    with SqlSource(manifest, url=seeded, **options) as source:
        report = source.erase(SUBJECT)
    assert any(k.table == "llx_accounting_bookkeeping" for k in report.kept)
    with SqlSource(manifest, url=seeded, **options) as source:
        result = source.find(SUBJECT)
        by_login = source.find(Subject(login=["cdurand"]))
        someone_else = source.find(Subject(email=["luc.bernard@exemple.fr"]))
    found = result.table_counts
    assert found.get("llx_accounting_bookkeeping") == 2
    assert found.get("llx_bank") == 1 and found.get("llx_bank_url") == 1
    # Each kept row with its ground and end date, as the erase reported it.
    reported = {(k.table, k.key): (k.ground, k.ends_on) for k in report.kept}
    assert {(k.table, k.key): (k.ground, k.ends_on) for k in result.kept} == reported
    ledger = [r for r in result.rows if r.table == "llx_accounting_bookkeeping"]
    assert {r.values.get("subledger_label") for r in ledger} == {NAME}
    assert all(result.kept_row(r.table, r.key) for r in ledger)
    # The login the application held for them names the same person (read before erasing).
    assert by_login.table_counts.get("llx_accounting_bookkeeping") == 2
    assert not someone_else.kept and not someone_else.rows
