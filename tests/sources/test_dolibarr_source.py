"""Acceptance: the shipped Dolibarr manifest on the Dolibarr shape (MariaDB, PostgreSQL, SQLite).

The fixture is `fill_dolibarr` at a small size with two seeded people; Camille (a contact of
a client company and a private customer with twelve years of invoices) is the subject.
`find` is compared with hand-written SQL table by table; `erase` keeps the invoices in
Vigie's archive index with their end date and leaves everyone else's rows byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.sources.helpdesk import ROOT, dump, fresh_database, policy_categories, policy_rules
from vigie.demo.shapes import dolibarr
from vigie.demo.shapes.fill import SeedPerson, fill_dolibarr
from vigie.register.services import load_file
from vigie.sources.inventory import check_manifest
from vigie.sources.manifest import Manifest, read_manifest
from vigie.sources.models import ArchivedRecord
from vigie.sources.sql import SqlSource
from vigie.sources.types import KeptRow, Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "dolibarr.yaml"
CAMILLE = SeedPerson("camille.durand@exemple.fr", "Camille", "Durand", "06 11 22 33 44")
LUC = SeedPerson("luc.bernard@exemple.fr", "Luc", "Bernard")
SUBJECT = Subject(email=["Camille.Durand@EXEMPLE.fr "])
NOW = dt.datetime(2025, 6, 2, 9, 30)
MASK = "[effacé]"
HEX64 = re.compile(r"^[0-9a-f]{64}$")

# Hand-written identity lookups, then each table's rows from the manifest's links.
IDENTITIES = {
    "soc": "SELECT rowid FROM llx_societe WHERE LOWER(TRIM(email)) = :email",
    "contacts": "SELECT rowid FROM llx_socpeople WHERE LOWER(TRIM(email)) = :email",
    "users": (
        "SELECT rowid FROM llx_user WHERE LOWER(TRIM(email)) = :email OR TRIM(login) = :login"
    ),
    "tickets": "SELECT rowid FROM llx_ticket WHERE LOWER(TRIM(origin_email)) = :email",
    "targets": "SELECT rowid FROM llx_mailing_cibles WHERE LOWER(TRIM(email)) = :email",
    "unsubscribed": "SELECT rowid FROM llx_mailing_unsubscribe WHERE LOWER(TRIM(email)) = :email",
}
FOUND = {
    "llx_societe": "SELECT rowid FROM llx_societe WHERE rowid IN :soc",
    "llx_socpeople": "SELECT rowid FROM llx_socpeople WHERE rowid IN :contacts",
    "llx_facture": (
        "SELECT rowid FROM llx_facture WHERE fk_soc IN :soc OR rowid IN (SELECT element_id "
        "FROM llx_element_contact WHERE fk_socpeople IN :contacts "
        "AND fk_c_type_contact IN (60, 61, 62))"
    ),
    "llx_facturedet": (
        "SELECT rowid FROM llx_facturedet WHERE fk_facture IN "
        "(SELECT rowid FROM llx_facture WHERE fk_soc IN :soc)"
    ),
    "llx_paiement": (
        "SELECT rowid FROM llx_paiement WHERE rowid IN (SELECT fk_paiement FROM "
        "llx_paiement_facture WHERE fk_facture IN "
        "(SELECT rowid FROM llx_facture WHERE fk_soc IN :soc))"
    ),
    "llx_paiement_facture": (
        "SELECT rowid FROM llx_paiement_facture WHERE fk_facture IN "
        "(SELECT rowid FROM llx_facture WHERE fk_soc IN :soc)"
    ),
    "llx_facture_fourn": "SELECT rowid FROM llx_facture_fourn WHERE fk_soc IN :soc",
    "llx_societe_rib": "SELECT rowid FROM llx_societe_rib WHERE fk_soc IN :soc",
    "llx_user": "SELECT rowid FROM llx_user WHERE rowid IN :users",
    "llx_actioncomm": (
        "SELECT id FROM llx_actioncomm WHERE fk_contact IN :contacts OR fk_soc IN :soc "
        "OR fk_user_action IN :users OR (elementtype = 'ticket' AND fk_element IN :tickets)"
    ),
    "llx_actioncomm_resources": (
        "SELECT rowid FROM llx_actioncomm_resources "
        "WHERE (element_type = 'socpeople' AND fk_element IN :contacts) "
        "OR (element_type = 'user' AND fk_element IN :users)"
    ),
    "llx_mailing": "SELECT rowid FROM llx_mailing WHERE fk_user_creat IN :users",
    "llx_mailing_cibles": (
        "SELECT rowid FROM llx_mailing_cibles WHERE rowid IN :targets "
        "OR (source_type = 'contact' AND source_id IN :contacts) "
        "OR (source_type = 'thirdparty' AND source_id IN :soc) "
        "OR (source_type = 'user' AND source_id IN :users)"
    ),
    "llx_mailing_unsubscribe": (
        "SELECT rowid FROM llx_mailing_unsubscribe WHERE rowid IN :unsubscribed"
    ),
    "llx_propal": (
        "SELECT rowid FROM llx_propal WHERE fk_soc IN :soc OR rowid IN (SELECT element_id "
        "FROM llx_element_contact WHERE fk_socpeople IN :contacts "
        "AND fk_c_type_contact IN (40, 41, 42))"
    ),
    "llx_contrat": (
        "SELECT rowid FROM llx_contrat WHERE fk_soc IN :soc OR rowid IN (SELECT element_id "
        "FROM llx_element_contact WHERE fk_socpeople IN :contacts "
        "AND fk_c_type_contact IN (20, 21, 22)) OR fk_commercial_suivi IN :users"
    ),
    "llx_contratdet": (
        "SELECT rowid FROM llx_contratdet WHERE fk_contrat IN "
        "(SELECT rowid FROM llx_contrat WHERE fk_soc IN :soc)"
    ),
    "llx_ticket": (
        "SELECT rowid FROM llx_ticket WHERE rowid IN :tickets OR fk_soc IN :soc "
        "OR fk_user_assign IN :users"
    ),
    "llx_events": (
        "SELECT rowid FROM llx_events WHERE fk_user IN :users OR description LIKE :failed"
    ),
    "llx_element_contact": (
        "SELECT rowid FROM llx_element_contact WHERE fk_socpeople IN :contacts "
        "AND fk_c_type_contact IN (20, 21, 22, 40, 41, 42, 60, 61, 62)"
    ),
}
ERASED = {
    **{t: q for t, q in FOUND.items() if t != "llx_mailing"},
    "llx_facture": "SELECT rowid FROM llx_facture WHERE fk_soc IN :soc",
    "llx_propal": "SELECT rowid FROM llx_propal WHERE fk_soc IN :soc",
    "llx_contrat": "SELECT rowid FROM llx_contrat WHERE fk_soc IN :soc",
    "llx_actioncomm": (
        "SELECT id FROM llx_actioncomm WHERE fk_contact IN :contacts OR fk_soc IN :soc "
        "OR (elementtype = 'ticket' AND fk_element IN :tickets)"
    ),
    "llx_actioncomm_resources": (
        "SELECT rowid FROM llx_actioncomm_resources "
        "WHERE element_type = 'socpeople' AND fk_element IN :contacts"
    ),
    "llx_ticket": "SELECT rowid FROM llx_ticket WHERE rowid IN :tickets OR fk_soc IN :soc",
}
CASES = ["mariadb", "postgresql", "sqlite"]


def manifest() -> Manifest:
    return read_manifest(MANIFEST, categories=policy_categories())


def filled(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    dolibarr.metadata().create_all(engine)
    fill_dolibarr(
        engine, [CAMILLE, LUC], companies=5, private_customers=3, years_of_invoices=12, now=NOW
    )
    # `tms` defaults to the database's clock: pinned, so that two fills are identical.
    with engine.begin() as conn:
        for table in dolibarr.metadata().sorted_tables:
            if "tms" in table.c:
                conn.execute(table.update().values(tms=NOW))
    return engine


@pytest.fixture(params=CASES)
def dolibarr_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[sa.Engine, str]]:
    with fresh_database(request.param, tmp_path) as url:
        engine = filled(url)
        yield engine, url
        engine.dispose()


def source(url: str, **options: Any) -> SqlSource:
    return SqlSource(manifest(), url=url, rules=policy_rules(), **options)


def expanding(sql: str) -> sa.TextClause:
    clause = sa.text(sql)
    names = [name for name in (*IDENTITIES, "users") if f":{name}" in sql]
    return clause.bindparams(*(sa.bindparam(n, expanding=True) for n in dict.fromkeys(names)))


def keys_by_table(
    engine: sa.Engine, queries: dict[str, str], *, email: str, login: str | None = None
) -> dict[str, set[str]]:
    values: dict[str, Any] = {"email": email, "login": login}
    with engine.connect() as conn:
        ids = {
            name: list(conn.execute(sa.text(sql), values).scalars())
            for name, sql in IDENTITIES.items()
        }
        logins = conn.execute(expanding("SELECT login FROM llx_user WHERE rowid IN :users"), ids)
        typed = [f"% - login={name}" for name in logins.scalars()]
        values = {**ids, "failed": typed[0] if typed else None}
        out = {}
        for table, sql in queries.items():
            keys = {str(k) for k in conn.execute(expanding(sql), values).scalars()}
            if keys:
                out[table] = keys
    return out


def found_keys(url: str, subject: Subject) -> dict[str, set[str]]:
    with source(url) as dolibarr_source:
        found = dolibarr_source.find(subject)
    by_table: dict[str, set[str]] = {}
    for row in found.rows:
        by_table.setdefault(row.table, set()).add(row.key)
    return by_table


def test_the_dolibarr_manifest_passes_the_inventory_check(dolibarr_db) -> None:
    engine, url = dolibarr_db
    report = check_manifest(manifest(), policy_rules(), url=url)
    assert report.ok, [str(p) for p in report.problems]
    assert report.tables == len(sa.inspect(engine).get_table_names())


def test_find_returns_exactly_the_rows_hand_written_sql_selects(dolibarr_db) -> None:
    engine, url = dolibarr_db
    expected = keys_by_table(engine, FOUND, email=CAMILLE.email)
    assert found_keys(url, SUBJECT) == expected
    assert {"llx_societe", "llx_socpeople", "llx_facture", "llx_paiement"} <= set(expected)
    assert {"llx_mailing_cibles", "llx_actioncomm_resources", "llx_ticket"} <= set(expected)
    # A staff member by login, with a failed login typed by hand (found with `like`).
    with engine.begin() as conn:
        login = conn.execute(sa.text("SELECT login FROM llx_user WHERE rowid = 2")).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO llx_events (rowid, type, entity, prefix_session, dateevent, "
                "description, ip) VALUES (9001, 'USER_LOGIN_FAILED', 1, 'x', :when, :text, "
                "'192.0.2.99')"
            ),
            {"when": NOW, "text": f"(ErrorBadLoginPassword) - login={login}"},
        )
    staff = keys_by_table(engine, FOUND, email="", login=login)
    assert found_keys(url, Subject(login=[login])) == staff
    assert "9001" in staff["llx_events"] and {"llx_user", "llx_actioncomm"} <= set(staff)


def test_erase_keeps_the_invoices_in_the_archive_index_and_everyone_elses_rows(
    dolibarr_db,
) -> None:
    engine, url = dolibarr_db
    erased = keys_by_table(engine, ERASED, email=CAMILLE.email)
    before = dump(engine)
    with source(url) as dolibarr_source:
        report = dolibarr_source.erase(SUBJECT)
    after = dump(engine)
    reflected = sa.MetaData()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
        reflected.reflect(engine, only=list(before))

    def value(table: str, key: Any, column: str, rows: dict = after) -> Any:
        names = [c.name for c in reflected.tables[table].columns]
        return rows[table][key][names.index(column)]

    # Invoices, their lines and payments are kept whole, each in the archive index with
    # its end date: ten years from the close of its fiscal year (C. com. L123-22).
    for table in ("llx_facture", "llx_facturedet", "llx_paiement", "llx_paiement_facture"):
        for key in erased[table]:
            assert after[table][int(key)] == before[table][int(key)], (table, key)
    archived = {
        (r.table, r.row_key): (r.category, r.ground, r.ends_on)
        for r in ArchivedRecord.objects.filter(source="dolibarr")
    }
    for key in erased["llx_facture"]:
        datef = value("llx_facture", int(key), "datef")
        assert archived[("llx_facture", key)] == (
            "billing-accounting",
            "C. com. L123-22",
            dt.date(datef.year + 10, 12, 31),
        )
    invoice_of = {
        k: value("llx_facturedet", int(k), "fk_facture") for k in erased["llx_facturedet"]
    }
    for key, invoice in invoice_of.items():
        assert archived[("llx_facturedet", key)] == archived[("llx_facture", str(invoice))]
    assert len(erased["llx_facture"]) >= 20
    # The third party stays for its invoices (name kept), without its contact details,
    # marked "do not contact".
    (soc,) = erased["llx_societe"]
    assert value("llx_societe", int(soc), "nom") == value("llx_societe", int(soc), "nom", before)
    for column in ("email", "phone", "note_private", "socialnetworks"):
        assert value("llx_societe", int(soc), column) is None
    assert value("llx_societe", int(soc), "fk_stcomm") == -1
    # Rows that are only hers are deleted.
    for table in ("llx_socpeople", "llx_mailing_cibles", "llx_element_contact"):
        assert not {str(k) for k in after[table]} & erased[table], table
    assert (
        not {str(k) for k in after["llx_actioncomm_resources"]} & erased["llx_actioncomm_resources"]
    )
    # Her agenda events stay, masked; the company of an event with her as a contact is
    # another link (the client company's), left as it is unless it is her own.
    company_kept = 0
    for key in erased["llx_actioncomm"]:
        aid = int(key)
        assert value("llx_actioncomm", aid, "label") == MASK
        assert value("llx_actioncomm", aid, "fk_contact") is None
        was = value("llx_actioncomm", aid, "fk_soc", before)
        assert value("llx_actioncomm", aid, "fk_soc") == (None if str(was) == soc else was)
        company_kept += was is not None and str(was) != soc
    assert company_kept >= 1
    for key in erased["llx_ticket"]:
        tid = int(key)
        assert value("llx_ticket", tid, "subject") == value("llx_ticket", tid, "message") == MASK
        assert value("llx_ticket", tid, "origin_email") is None
        assert HEX64.match(value("llx_ticket", tid, "track_id"))
    # Everyone else's rows, and hers reached only for access, are byte-identical.
    for table, rows in before.items():
        for key, row in rows.items():
            if str(key) not in erased.get(table, set()):
                assert after[table].get(key) == row, (table, key)
    assert report.kept_categories["billing-accounting"][0] == "C. com. L123-22"


def test_an_unmapped_column_fails_vigie_sources_check_naming_it(
    dolibarr_db, cli_actor, monkeypatch
) -> None:
    engine, url = dolibarr_db
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")
    monkeypatch.setenv("VIGIE_SOURCE_DOLIBARR_URL", url)
    out = io.StringIO()
    call_command("sources", "check", "--manifest", str(MANIFEST), stdout=out)
    tables = len(sa.inspect(engine).get_table_names())
    assert f"dolibarr: {tables} personal table(s)" in out.getvalue()
    assert out.getvalue().endswith("OK\n")
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE llx_socpeople ADD COLUMN nickname VARCHAR(50)"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"), translation.override("en"):
        call_command("sources", "check", "--manifest", str(MANIFEST), stdout=out)
    assert "tables.llx_socpeople.columns.nickname: in the database but not in the manifest" in (
        out.getvalue()
    )


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_erase_twice_changes_nothing_and_an_interrupted_erase_run_again_finishes(
    backend: str, tmp_path: Path
) -> None:
    archives: dict[str, set[KeptRow]] = {"whole": set(), "cut": set()}

    def options(name: str, **more: Any) -> dict[str, Any]:
        return {"batch_size": 5, "archive": lambda _s, rows: archives[name].update(rows), **more}

    with fresh_database(backend, tmp_path) as first, fresh_database(backend, tmp_path) as second:
        whole, cut = filled(first), filled(second)
        with source(first, **options("whole")) as dolibarr_source:
            dolibarr_source.erase(SUBJECT)
        expected = dump(whole)
        with source(first, **options("whole")) as dolibarr_source:
            again = dolibarr_source.erase(SUBJECT)
        assert dump(whole) == expected
        assert all(o.deleted == o.updated == 0 for o in again.tables.values())

        seen: list[str] = []

        def crash(table: str, _count: int) -> None:
            seen.append(table)
            if len(seen) > 12:
                raise Interrupted(table)

        with (
            source(second, **options("cut", on_batch=crash)) as dolibarr_source,
            pytest.raises(Interrupted),
        ):
            dolibarr_source.erase(SUBJECT)
        assert dump(cut) != expected
        with source(second, **options("cut")) as dolibarr_source:
            dolibarr_source.erase(SUBJECT)
        assert dump(cut) == expected
        assert archives["cut"] == archives["whole"] and len(archives["whole"]) > 100
        whole.dispose()
        cut.dispose()
