"""Issue 12, item 7: the engine resolves linked ids first, then selects by those ids.

Both MariaDB and PostgreSQL run ``col IN (SELECT … FROM link table) OR …`` as a scan
of the whole table; the engine now runs the link tables' lookups first and sends
only bounded lists of ids. Every statement a find or an erase sends on the GLPI shape
is recorded here: no subquery, no ``IN`` list longer than the bound, and the rows
are still exactly those the hand-written SQL of ``test_glpi_source`` selects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.sources.helpdesk import fresh_database
from tests.sources.test_glpi_source import ERASED, FOUND, SUBJECT, filled, keys_by_table, source
from vigie.sources import sql_schema
from vigie.sources.types import Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

SUBQUERY = re.compile(r"\(\s*SELECT\b", re.IGNORECASE)
IN_LIST = re.compile(r"\bIN\s*\(([^()]*)\)", re.IGNORECASE)


@pytest.fixture(params=["sqlite", "mariadb", "postgresql"])
def glpi_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[sa.Engine, str]]:
    with fresh_database(request.param, tmp_path) as url:
        engine = filled(url, "11")
        yield engine, url
        engine.dispose()


def recorded(engine: sa.Engine) -> list[tuple[str, object]]:
    statements: list[tuple[str, object]] = []

    def before(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", before)
    return statements


def test_find_and_erase_send_no_subquery_and_bounded_id_lists(glpi_url, monkeypatch) -> None:
    engine, url = glpi_url
    monkeypatch.setattr(sql_schema, "ID_BATCH", 3, raising=False)
    expected_found = keys_by_table(engine, FOUND)
    expected_erased = keys_by_table(engine, ERASED)
    with source(url, batch_size=4) as glpi_source:
        # A first find reflects the tables (statements of the driver, not the engine's).
        glpi_source.find(SUBJECT)
        statements = recorded(glpi_source.engine)
        found = glpi_source.find(SUBJECT)
        by_table: dict[str, set[str]] = {}
        for row in found.rows:
            by_table.setdefault(row.table, set()).add(row.key)
        assert by_table == expected_found
        finds = list(statements)
        report = glpi_source.erase(SUBJECT)
    erases = statements[len(finds) :]
    assert finds and erases
    for statement, _parameters in statements:
        if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        if any(c in statement for c in ("pg_catalog", "sqlite_master", "information_schema")):
            continue  # the guard reads the catalogue (undescribed tables)
        assert not SUBQUERY.search(statement), statement
        # Bounded lists: ids 3 at a time, rows 4 at a time (and the links' constants).
        for values in IN_LIST.findall(statement):
            assert values.count(",") + 1 <= 4, statement
    assert set(report.tables) >= set(expected_erased)


@pytest.fixture(params=["sqlite", "mariadb", "postgresql"])
def desk_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


def test_expired_and_purge_send_no_subquery_and_bounded_id_lists(desk_url, monkeypatch) -> None:
    """Tables that follow their parent (invoice lines, allocations, payments through two
    hops) are selected by their expired parents' keys, read first: no ``IN (SELECT …)``,
    and the same rows purged as the hand-checked figures of the extensions test."""
    import datetime as dt

    from tests.sources.helpdesk import dump, policy_rules
    from tests.sources.test_engine_extensions import PARIS, desk, seed

    monkeypatch.setattr(sql_schema, "ID_BATCH", 1, raising=False)
    engine = sa.create_engine(desk_url)
    seed(engine)
    with engine.begin() as conn:  # a line whose invoice is gone: expired with the rest
        conn.execute(sa.text("INSERT INTO invoice_lines (id, invoice, label) VALUES (5, 99, 'x')"))
    rule = policy_rules()["billing-accounting"]
    now = dt.datetime(2025, 1, 2, tzinfo=PARIS)
    with desk(desk_url, [], batch_size=1) as source:
        source.find(Subject(login=["nobody"]))  # reflects the tables first
        statements = recorded(source.engine)
        selection = source.expired(rule, now)
        report = source.purge(selection)
        after = source.expired(rule, now)
    counts = {t.table: t.count for t in selection.tables}
    assert counts == {"invoices": 2, "invoice_lines": 3, "allocations": 2, "payments": 2}
    assert report.deleted == counts and after.count == 0
    rows = dump(engine)
    assert set(rows["invoice_lines"]) == {2, 3} and set(rows["allocations"]) == {2}
    assert statements
    for statement, _parameters in statements:
        if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        if any(c in statement for c in ("pg_catalog", "sqlite_master", "information_schema")):
            continue  # reflection of a table not read yet
        assert not SUBQUERY.search(statement), statement
        for values in IN_LIST.findall(statement):
            assert values.count(",") + 1 <= 1, statement
    engine.dispose()
