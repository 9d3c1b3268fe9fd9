"""Rectification (Art. 16, R54) with the shipped GLPI and Dolibarr manifests on their shapes.

Hand-written SQL is the oracle: the subject's own rows are selected by hand, their
rectified columns read back; every other cell of the database, the issued invoices
above all, is compared byte by byte before and after (C. com. L123-22).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.sources import test_dolibarr_source as doli
from tests.sources import test_glpi_source as glpi_tests
from tests.sources.helpdesk import dump, fresh_database
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import RectifyReport

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

NEW_PHONE = "06 99 88 77 66"


def changed_cells(
    before: dict[str, dict[Any, tuple[Any, ...]]],
    after: dict[str, dict[Any, tuple[Any, ...]]],
    engine: sa.Engine,
) -> dict[tuple[str, str], set[str]]:
    """(table, key) → the columns whose value differs; rows added or removed fail."""
    out: dict[tuple[str, str], set[str]] = {}
    md = sa.MetaData()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
        md.reflect(engine, only=[t for t in before if before[t] != after.get(t)])
    for table, rows in before.items():
        assert set(rows) == set(after[table]), table
        for key, row in rows.items():
            if after[table][key] != row:
                names = [c.name for c in md.tables[table].columns]
                out[(table, str(key))] = {
                    names[i]
                    for i, (a, b) in enumerate(zip(row, after[table][key], strict=True))
                    if a != b
                }
    return out


def places(report: RectifyReport) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for value in report.changed:
        out.setdefault((value.table, value.key), set()).add(value.column)
    return out


# -- GLPI ------------------------------------------------------------------------------

GLPI_CASES = [("mariadb", "11"), ("sqlite", "11")]


@pytest.fixture(params=GLPI_CASES, ids=[f"{b}-{v}" for b, v in GLPI_CASES])
def glpi_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[sa.Engine, str]]:
    backend, version = request.param
    with fresh_database(backend, tmp_path) as url:
        engine = glpi_tests.filled(url, version)
        yield engine, url
        engine.dispose()


def test_glpi_a_name_and_phone_change_reaches_exactly_her_account_and_contacts(glpi_db) -> None:
    engine, url = glpi_db
    uid = glpi_tests.params(engine)["uid"]
    with engine.connect() as conn:
        account_before = conn.execute(
            sa.text("SELECT realname, firstname, phone FROM glpi_users WHERE id = :uid"),
            {"uid": uid},
        ).one()
        contacts = list(
            conn.execute(
                sa.text("SELECT id FROM glpi_contacts WHERE LOWER(TRIM(email)) = :email"),
                {"email": glpi_tests.CAMILLE.email},
            ).scalars()
        )
    before = dump(engine)
    with glpi_tests.source(url) as glpi_source:
        report = glpi_source.rectify(
            glpi_tests.SUBJECT, {"last_name": "Martin", "phone": NEW_PHONE, "civility": "Mme"}
        )
    after = dump(engine)
    with engine.connect() as conn:
        account = conn.execute(
            sa.text("SELECT realname, firstname, phone FROM glpi_users WHERE id = :uid"),
            {"uid": uid},
        ).one()
        contact_names = set(
            conn.execute(
                sa.text("SELECT name FROM glpi_contacts WHERE LOWER(TRIM(email)) = :email"),
                {"email": glpi_tests.CAMILLE.email},
            ).scalars()
        )
    assert tuple(account) == ("Martin", account_before[1], NEW_PHONE)
    assert contact_names <= {"Martin"}
    # Exactly the places the report names changed, and nothing else anywhere.
    diff = changed_cells(before, after, engine)
    assert diff == places(report)
    assert ("glpi_users", str(uid)) in diff and diff[("glpi_users", str(uid))] == {
        "realname",
        "phone",
    }
    assert {t for t, _k in diff} <= {"glpi_users", "glpi_contacts"}
    assert {k for t, k in diff if t == "glpi_contacts"} <= {str(c) for c in contacts}
    # The old values come back (for the case's sealed history).
    olds = {(v.table, v.column): v.old for v in report.changed if v.table == "glpi_users"}
    assert olds == {
        ("glpi_users", "realname"): account_before[0],
        ("glpi_users", "phone"): account_before[2],
    }
    # GLPI holds her but maps no civility: someone must look (a task for its owner).
    assert report.held and report.unmapped == ["civility"]
    # Run again: nothing changes twice.
    with glpi_tests.source(url) as glpi_source:
        again = glpi_source.rectify(glpi_tests.SUBJECT, {"last_name": "Martin", "phone": NEW_PHONE})
    assert again.changed == [] and dump(engine) == after


def test_glpi_an_address_change_touches_only_the_address_being_corrected(glpi_db) -> None:
    engine, url = glpi_db
    uid = glpi_tests.params(engine)["uid"]
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO glpi_useremails (users_id, is_default, is_dynamic, email) "
                "VALUES (:uid, 0, 0, 'camille.perso@exemple.org')"
            ),
            {"uid": uid},
        )
    with glpi_tests.source(url) as glpi_source:
        report = glpi_source.rectify(glpi_tests.SUBJECT, {"email": "c.martin@exemple.fr"})
    with engine.connect() as conn:
        emails = set(
            conn.execute(
                sa.text("SELECT email FROM glpi_useremails WHERE users_id = :uid"), {"uid": uid}
            ).scalars()
        )
    assert emails == {"c.martin@exemple.fr", "camille.perso@exemple.org"}
    assert {v.table for v in report.changed} >= {"glpi_useremails"}


# -- Dolibarr ------------------------------------------------------------------------------

ISSUED = (
    "llx_facture",
    "llx_facturedet",
    "llx_facture_fourn",
    "llx_paiement",
    "llx_paiement_facture",
)


@pytest.fixture(params=doli.CASES)
def dolibarr_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[sa.Engine, str]]:
    with fresh_database(request.param, tmp_path) as url:
        engine = doli.filled(url)
        yield engine, url
        engine.dispose()


def _dolibarr_rows(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    email = {"email": doli.CAMILLE.email}
    with engine.connect() as conn:
        return {
            "contacts": [
                tuple(r)
                for r in conn.execute(
                    sa.text(
                        "SELECT rowid, lastname, firstname, phone, birthday FROM llx_socpeople "
                        "WHERE LOWER(TRIM(email)) = :email ORDER BY rowid"
                    ),
                    email,
                )
            ],
            "thirdparties": [
                tuple(r)
                for r in conn.execute(
                    sa.text(
                        "SELECT rowid, nom, phone FROM llx_societe "
                        "WHERE LOWER(TRIM(email)) = :email ORDER BY rowid"
                    ),
                    email,
                )
            ],
        }


def test_dolibarr_a_name_change_leaves_every_invoice_byte_identical(dolibarr_db) -> None:
    engine, url = dolibarr_db
    rows = _dolibarr_rows(engine)
    assert rows["contacts"] and rows["thirdparties"]
    before = dump(engine)
    assert before["llx_facture"], "the fixture gives her invoices"
    changes = {
        "last_name": "Martin",
        "full_name": "Camille Martin",
        "phone": NEW_PHONE,
        "birth_date": "1990-05-04",
    }
    with doli.source(url) as dolibarr_source:
        report = dolibarr_source.rectify(doli.SUBJECT, changes)
    after = dump(engine)
    new_rows = _dolibarr_rows(engine)
    for rowid, last, first, phone, birthday in new_rows["contacts"]:
        assert (last, phone) == ("Martin", NEW_PHONE)
        assert birthday is not None and str(birthday)[:10] == "1990-05-04"
        old = next(r for r in rows["contacts"] if r[0] == rowid)
        assert first == old[2]
    for _rowid, nom, phone in new_rows["thirdparties"]:
        assert (nom, phone) == ("Camille Martin", NEW_PHONE)
    # Issued documents: not one byte changed (C. com. L123-22).
    for table in ISSUED:
        assert after[table] == before[table], table
    assert "llx_facture" in report.issued
    diff = changed_cells(before, after, engine)
    assert diff == places(report)
    assert {t for t, _k in diff} <= {"llx_socpeople", "llx_societe", "llx_user"}
    assert not [v for v in report.changed if v.table in ISSUED]


def test_dolibarr_a_value_too_long_changes_nothing_anywhere(dolibarr_db) -> None:
    engine, url = dolibarr_db
    before = dump(engine)
    with doli.source(url) as dolibarr_source, pytest.raises(SourceError, match="longer"):
        dolibarr_source.rectify(doli.SUBJECT, {"phone": NEW_PHONE, "last_name": "M" * 500})
    assert dump(engine) == before


def test_dolibarr_a_person_it_does_not_hold_gets_no_task() -> None:
    from vigie.sources.types import Subject

    with fresh_database("sqlite", Path(__import__("tempfile").mkdtemp())) as url:
        engine = doli.filled(url)
        with doli.source(url) as dolibarr_source:
            report = dolibarr_source.rectify(
                Subject(email=["nobody@exemple.fr"]), {"civility": "M."}
            )
        engine.dispose()
    assert not report.held and report.unmapped == [] and report.changed == []


def test_unknown_dates_are_refused_before_any_write(dolibarr_db) -> None:
    engine, url = dolibarr_db
    before = dump(engine)
    with doli.source(url) as dolibarr_source, pytest.raises(SourceError, match="date"):
        dolibarr_source.rectify(doli.SUBJECT, {"phone": NEW_PHONE, "birth_date": "04/05/1990"})
    assert dump(engine) == before


def test_an_attribute_on_an_issued_document_is_refused_with_its_path() -> None:
    from vigie.sources.manifest import InvalidManifest, parse_manifest

    text = doli.MANIFEST.read_text("utf-8")
    wrong = text.replace(
        "      ref_client: {category: billing-accounting, erase: keep}",
        "      ref_client: {category: billing-accounting, erase: keep, attribute: last_name}",
        1,
    )
    assert wrong != text
    with pytest.raises(InvalidManifest) as raised:
        parse_manifest(wrong)
    assert [e.path for e in raised.value.errors] == [
        "tables.llx_facture.columns.ref_client.attribute"
    ]
    unknown = text.replace("attribute: last_name}", "attribute: nickname}", 1)
    with pytest.raises(InvalidManifest, match="nickname"):
        parse_manifest(unknown)
    shipped = parse_manifest(text)
    assert shipped.tables["llx_facture"].issued
    assert shipped.tables["llx_socpeople"].columns["lastname"].attribute == "last_name"
