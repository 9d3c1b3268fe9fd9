"""Acceptance: the shipped GLPI manifest on the GLPI 11 and 10 shapes (MariaDB, and SQLite).

The fixture is `fill_glpi` at a small size with two seeded people; Camille is the subject.
What `find` returns is compared with hand-written SQL, table by table; what `erase` does
with the manifest's strategies, column by column; everyone else's rows byte by byte.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.sources.helpdesk import ROOT, dump, fresh_database, policy_categories, policy_rules
from vigie.demo.shapes import glpi
from vigie.demo.shapes.fill import SeedPerson, fill_glpi
from vigie.register.services import load_file
from vigie.sources.inventory import check_manifest
from vigie.sources.manifest import Manifest, read_manifest
from vigie.sources.sql import SqlSource
from vigie.sources.types import KeptRow, Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml"
CAMILLE = SeedPerson("camille.durand@exemple.fr", "Camille", "Durand", "06 11 22 33 44")
LUC = SeedPerson("luc.bernard@exemple.fr", "Luc", "Bernard")
SUBJECT = Subject(email=["  Camille.Durand@exemple.fr"])
NOW = dt.datetime(2025, 6, 2, 9, 30)
HEX64 = re.compile(r"^[0-9a-f]{64}$")
MASK = "[effacé]"

# The subject's rows, written by hand from the manifest's links (not with the engine's
# query builder). `found`: every link; `erased`: the links that erase.
IDENTITY = {
    "uid": "SELECT users_id FROM glpi_useremails WHERE LOWER(TRIM(email)) = :email",
}
FOUND = {
    "glpi_users": "SELECT id FROM glpi_users WHERE id = :uid",
    "glpi_useremails": "SELECT id FROM glpi_useremails WHERE users_id = :uid",
    "glpi_tickets": (
        "SELECT id FROM glpi_tickets WHERE id IN (SELECT tickets_id FROM glpi_tickets_users "
        "WHERE users_id = :uid AND type IN (1, 2, 3)) "
        "OR id IN (SELECT tickets_id FROM glpi_tickets_users "
        "WHERE type = 1 AND LOWER(TRIM(alternative_email)) = :email) "
        "OR users_id_recipient = :uid OR users_id_lastupdater = :uid"
    ),
    "glpi_tickets_users": (
        "SELECT id FROM glpi_tickets_users "
        "WHERE users_id = :uid OR LOWER(TRIM(alternative_email)) = :email"
    ),
    "glpi_itilfollowups": (
        "SELECT id FROM glpi_itilfollowups WHERE itemtype = 'Ticket' AND "
        "(users_id = :uid OR users_id_editor = :uid OR items_id IN "
        "(SELECT tickets_id FROM glpi_tickets_users WHERE type = 1 AND users_id = :uid))"
    ),
    "glpi_tickettasks": (
        "SELECT id FROM glpi_tickettasks WHERE users_id = :uid OR users_id_tech = :uid "
        "OR tickets_id IN "
        "(SELECT tickets_id FROM glpi_tickets_users WHERE type = 1 AND users_id = :uid)"
    ),
    "glpi_documents": "SELECT id FROM glpi_documents WHERE users_id = :uid",
    "glpi_documents_items": (
        "SELECT id FROM glpi_documents_items "
        "WHERE users_id = :uid OR (itemtype = 'User' AND items_id = :uid)"
    ),
    "glpi_logs": (
        "SELECT id FROM glpi_logs "
        "WHERE (itemtype = 'User' AND items_id = :uid) OR user_name LIKE :made_by"
    ),
    "glpi_events": (
        "SELECT id FROM glpi_events WHERE message LIKE :logged_in OR message LIKE :failed"
    ),
    "glpi_computers": (
        "SELECT id FROM glpi_computers WHERE users_id = :uid OR users_id_tech = :uid"
    ),
    "glpi_ipaddresses": (
        "SELECT id FROM glpi_ipaddresses WHERE mainitemtype = 'Computer' AND mainitems_id IN "
        "(SELECT id FROM glpi_computers WHERE users_id = :uid)"
    ),
    "glpi_suppliers": "SELECT id FROM glpi_suppliers WHERE LOWER(TRIM(email)) = :email",
    "glpi_contacts": "SELECT id FROM glpi_contacts WHERE LOWER(TRIM(email)) = :email",
    "glpi_contacts_suppliers": (
        "SELECT id FROM glpi_contacts_suppliers WHERE contacts_id IN "
        "(SELECT id FROM glpi_contacts WHERE LOWER(TRIM(email)) = :email)"
    ),
}
ERASED = {
    **FOUND,
    "glpi_tickets": (
        "SELECT id FROM glpi_tickets WHERE id IN (SELECT tickets_id FROM glpi_tickets_users "
        "WHERE type = 1 AND (users_id = :uid OR LOWER(TRIM(alternative_email)) = :email))"
    ),
    "glpi_itilfollowups": (
        "SELECT id FROM glpi_itilfollowups WHERE itemtype = 'Ticket' AND users_id = :uid"
    ),
    "glpi_tickettasks": (
        "SELECT id FROM glpi_tickettasks WHERE users_id = :uid OR users_id_tech = :uid"
    ),
    "glpi_documents_items": "SELECT id FROM glpi_documents_items WHERE users_id = :uid",
    "glpi_computers": "SELECT id FROM glpi_computers WHERE users_id = :uid",
}

CASES = [("mariadb", "11"), ("mariadb", "10"), ("sqlite", "11")]


def manifest() -> Manifest:
    return read_manifest(MANIFEST, categories=policy_categories())


def filled(url: str, version: glpi.Version) -> sa.Engine:
    engine = sa.create_engine(url)
    glpi.metadata(version).create_all(engine)
    fill_glpi(
        engine,
        [CAMILLE, LUC],
        version=version,
        users=40,
        tickets=80,
        followups=200,
        login_events=100,
        now=NOW,
    )
    return engine


@pytest.fixture(params=CASES, ids=[f"{b}-{v}" for b, v in CASES])
def glpi_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[sa.Engine, str]]:
    backend, version = request.param
    with fresh_database(backend, tmp_path) as url:
        engine = filled(url, version)
        yield engine, url
        engine.dispose()


def source(url: str, **options: Any) -> SqlSource:
    return SqlSource(manifest(), url=url, rules=policy_rules(), **options)


def params(engine: sa.Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        uid = conn.execute(sa.text(IDENTITY["uid"]), {"email": CAMILLE.email}).scalar_one()
        login = conn.execute(sa.text("SELECT name FROM glpi_users WHERE id = :uid"), {"uid": uid})
        login = login.scalar_one()
    return {
        "uid": uid,
        "email": CAMILLE.email,
        "made_by": f"% ({uid})",
        "logged_in": f"{login} log in from IP %",
        "failed": f"Failed login for {login} from IP %",
    }


def keys_by_table(engine: sa.Engine, queries: dict[str, str]) -> dict[str, set[str]]:
    values = params(engine)
    out = {}
    with engine.connect() as conn:
        for table, sql in queries.items():
            keys = {str(k) for k in conn.execute(sa.text(sql), values).scalars()}
            if keys:
                out[table] = keys
    return out


def test_the_glpi_manifest_passes_the_inventory_check(glpi_db) -> None:
    engine, url = glpi_db
    report = check_manifest(manifest(), policy_rules(), url=url)
    assert report.ok, [str(p) for p in report.problems]
    assert report.tables == len(sa.inspect(engine).get_table_names())


def test_find_returns_exactly_the_rows_hand_written_sql_selects(glpi_db) -> None:
    engine, url = glpi_db
    with source(url) as glpi_source:
        found = glpi_source.find(SUBJECT)
    by_table: dict[str, set[str]] = {}
    for row in found.rows:
        by_table.setdefault(row.table, set()).add(row.key)
    expected = keys_by_table(engine, FOUND)
    assert by_table == expected
    # The fixture puts her everywhere a request looks: tickets, replies, logins (like), assets.
    assert {"glpi_users", "glpi_tickets", "glpi_itilfollowups", "glpi_events"} <= set(expected)
    assert {"glpi_logs", "glpi_computers", "glpi_ipaddresses", "glpi_tickettasks"} <= set(expected)
    assert len(expected["glpi_events"]) >= 12


def test_erase_applies_the_manifest_and_leaves_everyone_elses_rows_byte_identical(
    glpi_db,
) -> None:
    engine, url = glpi_db
    erased = keys_by_table(engine, ERASED)
    uid = params(engine)["uid"]
    before = dump(engine)
    with source(url) as glpi_source:
        report = glpi_source.erase(SUBJECT)
    after = dump(engine)
    md = glpi.metadata("11")

    def value(table: str, key: Any, column: str, rows: dict = after) -> Any:
        names = [c.name for c in sa.Table(table, sa.MetaData(), autoload_with=engine).columns]
        assert column in {c.name for c in md.tables[table].columns} or column in names
        return rows[table][key][names.index(column)]

    # The account: anonymised (login hashed, names masked or cleared) and disabled.
    assert HEX64.match(value("glpi_users", uid, "name"))
    assert value("glpi_users", uid, "realname") == MASK
    for column in ("firstname", "password", "phone", "comment"):
        assert value("glpi_users", uid, column) is None
    assert value("glpi_users", uid, "is_active") == 0
    # Rows that are only hers are deleted.
    for table in ("glpi_useremails", "glpi_tickets_users", "glpi_events", "glpi_ipaddresses"):
        assert not {str(k) for k in after[table]} & erased[table], table
    # Her tickets stay, masked; other people's links in them (the technician who last
    # updated it, or typed it) are left, hers are cleared.
    kept_technician = 0
    for key in erased["glpi_tickets"]:
        tid = int(key)
        assert value("glpi_tickets", tid, "name") == value("glpi_tickets", tid, "content") == MASK
        for column in ("users_id_recipient", "users_id_lastupdater"):
            was = value("glpi_tickets", tid, column, before)
            assert value("glpi_tickets", tid, column) == (0 if was == uid else was)
            kept_technician += was != uid
    assert kept_technician >= 3
    # Her own follow-ups are masked; the technicians' replies on her tickets stay.
    for key in erased["glpi_itilfollowups"]:
        fid = int(key)
        assert value("glpi_itilfollowups", fid, "users_id") == 0
        assert value("glpi_itilfollowups", fid, "users_id_editor") == 0
        assert value("glpi_itilfollowups", fid, "content") == MASK
    # Her computer stays: who uses it goes, the technician in charge stays.
    (computer,) = erased["glpi_computers"]
    cid = int(computer)
    assert value("glpi_computers", cid, "users_id") == 0
    assert value("glpi_computers", cid, "contact") is None
    assert HEX64.match(value("glpi_computers", cid, "name"))
    assert value("glpi_computers", cid, "users_id_tech") == value(
        "glpi_computers", cid, "users_id_tech", before
    )
    # The history about her: values masked, the technician's name (another link) kept.
    for key in erased["glpi_logs"]:
        lid = int(key)
        assert value("glpi_logs", lid, "old_value") == value("glpi_logs", lid, "new_value") == MASK
        assert value("glpi_logs", lid, "user_name") == value("glpi_logs", lid, "user_name", before)
    # Everyone else's rows, and hers reached only for access, are byte-identical.
    for table, rows in before.items():
        for key, row in rows.items():
            if str(key) not in erased.get(table, set()):
                assert after[table].get(key) == row, (table, key)
    assert report.tables["glpi_events"].deleted == len(erased["glpi_events"])
    assert report.kept == []


def test_an_unmapped_column_fails_vigie_sources_check_naming_it(
    glpi_db, cli_actor, monkeypatch
) -> None:
    engine, url = glpi_db
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")
    monkeypatch.setenv("VIGIE_SOURCE_GLPI_URL", url)
    out = io.StringIO()
    call_command("sources", "check", "--manifest", str(MANIFEST), stdout=out)
    tables = len(sa.inspect(engine).get_table_names())
    assert f"glpi: {tables} personal table(s)" in out.getvalue()
    assert out.getvalue().endswith("OK\n")
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE glpi_users ADD COLUMN birth_date DATE"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"), translation.override("en"):
        call_command("sources", "check", "--manifest", str(MANIFEST), stdout=out)
    assert "tables.glpi_users.columns.birth_date: in the database but not in the manifest" in (
        out.getvalue()
    )


class Interrupted(Exception):
    pass


@pytest.mark.parametrize(("backend", "version"), [("mariadb", "11"), ("sqlite", "10")])
def test_erase_twice_changes_nothing_and_an_interrupted_erase_run_again_finishes(
    backend: str, version: glpi.Version, tmp_path: Path
) -> None:
    kept: list[KeptRow] = []

    def options(**more: Any) -> dict[str, Any]:
        return {"batch_size": 3, "archive": lambda _s, rows: kept.extend(rows), **more}

    with fresh_database(backend, tmp_path) as first, fresh_database(backend, tmp_path) as second:
        whole, cut = filled(first, version), filled(second, version)
        with source(first, **options()) as glpi_source:
            glpi_source.erase(SUBJECT)
        expected = dump(whole)
        with source(first, **options()) as glpi_source:
            again = glpi_source.erase(SUBJECT)
        assert dump(whole) == expected
        assert all(o.deleted == o.updated == 0 for o in again.tables.values())

        seen: list[str] = []

        def crash(table: str, _count: int) -> None:
            seen.append(table)
            if len(seen) > 5:
                raise Interrupted(table)

        with (
            source(second, **options(on_batch=crash)) as glpi_source,
            pytest.raises(Interrupted),
        ):
            glpi_source.erase(SUBJECT)
        assert dump(cut) != expected
        with source(second, **options()) as glpi_source:
            glpi_source.erase(SUBJECT)
        assert dump(cut) == expected
        whole.dispose()
        cut.dispose()
