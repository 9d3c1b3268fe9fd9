"""Issue 14: the erase of one source is one transaction — all the subject's tables or none.

The GLPI 11 shape, on MariaDB (InnoDB), PostgreSQL and SQLite. A failure in the middle of
the erase — Vigie's own statement raising on the second table it changes, or the database
refusing it (a trigger) — leaves the source exactly as it was: hand-written SQL counts
before and after, and every row byte by byte. Once the cause is gone, the erase run again
ends exactly like an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.sources.helpdesk import dump, fresh_database
from tests.sources.test_glpi_source import ERASED, MASK, SUBJECT, filled, params, source
from vigie.sources import sql_erase
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import KeptRow

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

BACKENDS = ["mariadb", "postgresql", "sqlite"]

#: Written by hand: how many rows each table holds, how many of them are the subject's
#: (the manifest's erasing links, as ``test_glpi_source`` writes them), and how many
#: carry the erasure's mask.
MASKED = {
    "glpi_users": "SELECT COUNT(*) FROM glpi_users WHERE realname = :mask",
    "glpi_tickets": "SELECT COUNT(*) FROM glpi_tickets WHERE name = :mask",
    "glpi_itilfollowups": "SELECT COUNT(*) FROM glpi_itilfollowups WHERE content = :mask",
    "glpi_logs": "SELECT COUNT(*) FROM glpi_logs WHERE old_value = :mask",
}


def counts(engine: sa.Engine, uid_params: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    with engine.connect() as conn:
        for table, sql in ERASED.items():
            out[f"{table} rows"] = conn.execute(
                sa.text(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
            ).scalar_one()
            out[f"{table} subject"] = len(conn.execute(sa.text(sql), uid_params).all())
        for table, sql in MASKED.items():
            out[f"{table} masked"] = conn.execute(sa.text(sql), {"mask": MASK}).scalar_one()
    return out


@pytest.fixture(params=BACKENDS)
def two_glpi(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, ...]]:
    """Two identical GLPI 11 databases on one backend: one erased without incident (the
    expected end state and the order of the tables), the other interrupted."""
    backend = request.param
    with fresh_database(backend, tmp_path) as first, fresh_database(backend, tmp_path) as second:
        whole, cut = filled(first, "11"), filled(second, "11")
        yield backend, (whole, first), (cut, second)
        whole.dispose()
        cut.dispose()


def uninterrupted(url: str, engine: sa.Engine) -> tuple[dict[str, Any], list[str]]:
    """Erase on the first database: its end state and the tables in the order changed."""
    order: list[str] = []

    def progress(table: str, _count: int) -> None:
        if table not in order:
            order.append(table)

    with source(url, batch_size=3, on_batch=progress, archive=lambda _s, _r: None) as glpi:
        glpi.erase(SUBJECT)
    return dump(engine), order


class Refused(Exception):
    pass


def test_a_statement_failing_on_the_second_table_leaves_the_source_unchanged(
    two_glpi, monkeypatch
) -> None:
    _backend, (whole, first), (cut, second) = two_glpi
    expected, order = uninterrupted(first, whole)
    assert len(order) >= 4
    uid_params = params(cut)
    before_counts, before = counts(cut, uid_params), dump(cut)
    assert before_counts["glpi_users subject"] == 1
    assert before_counts["glpi_tickets masked"] == 0

    changed: list[str] = []
    apply = sql_erase.Changes.apply

    def failing(self: sql_erase.Changes, conn: sa.Connection, rows: list[Any]) -> int:
        table = self.table.name
        if table not in changed:
            changed.append(table)
        if len(changed) == 2:
            raise Refused(table)
        return apply(self, conn, rows)

    monkeypatch.setattr(sql_erase.Changes, "apply", failing)
    archived: list[KeptRow] = []
    with (
        source(second, batch_size=3, archive=lambda _s, rows: archived.extend(rows)) as glpi,
        pytest.raises(Refused),
    ):
        glpi.erase(SUBJECT)
    # The first table was changed (several batches) before the second one failed.
    assert changed == order[:2]
    assert counts(cut, uid_params) == before_counts
    assert dump(cut) == before
    assert archived == []

    monkeypatch.setattr(sql_erase.Changes, "apply", apply)
    with source(second, batch_size=3, archive=lambda _s, _r: None) as glpi:
        glpi.erase(SUBJECT)
    assert dump(cut) == expected
    after = counts(cut, uid_params)
    assert after["glpi_users masked"] == 1
    assert after["glpi_tickets masked"] == before_counts["glpi_tickets subject"] > 0


TRIGGERS = {
    "postgresql": [
        "CREATE FUNCTION vigie_refuse() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'refused by the database'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER vigie_refuse BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION vigie_refuse()",
    ],
    "mariadb": [
        "CREATE TRIGGER vigie_refuse_u BEFORE UPDATE ON {table} FOR EACH ROW "
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the database'",
        "CREATE TRIGGER vigie_refuse_d BEFORE DELETE ON {table} FOR EACH ROW "
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the database'",
    ],
    "sqlite": [
        "CREATE TRIGGER vigie_refuse_u BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END",
        "CREATE TRIGGER vigie_refuse_d BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END",
    ],
}
DROP = {
    "postgresql": ["DROP TRIGGER vigie_refuse ON {table}", "DROP FUNCTION vigie_refuse()"],
    "mariadb": ["DROP TRIGGER vigie_refuse_u", "DROP TRIGGER vigie_refuse_d"],
    "sqlite": ["DROP TRIGGER vigie_refuse_u", "DROP TRIGGER vigie_refuse_d"],
}


def test_the_database_refusing_the_second_table_leaves_the_source_unchanged(two_glpi) -> None:
    backend, (whole, first), (cut, second) = two_glpi
    expected, order = uninterrupted(first, whole)
    table = order[1]
    with cut.begin() as conn:
        for statement in TRIGGERS[backend]:
            conn.execute(sa.text(statement.format(table=table)))
    uid_params = params(cut)
    before_counts, before = counts(cut, uid_params), dump(cut)

    archived: list[KeptRow] = []
    with (
        source(second, batch_size=3, archive=lambda _s, rows: archived.extend(rows)) as glpi,
        pytest.raises(SourceError, match="refused by the database"),
    ):
        glpi.erase(SUBJECT)
    assert counts(cut, uid_params) == before_counts
    assert dump(cut) == before
    assert archived == []

    with cut.begin() as conn:
        for statement in DROP[backend]:
            conn.execute(sa.text(statement.format(table=table)))
    with source(second, batch_size=3, archive=lambda _s, _r: None) as glpi:
        glpi.erase(SUBJECT)
    assert dump(cut) == expected


def test_the_hook_raising_after_some_batches_rolls_the_whole_source_back(two_glpi) -> None:
    """The crash of the retry tests, checked for what it leaves: nothing changed."""
    _backend, (whole, first), (cut, second) = two_glpi
    expected, _order = uninterrupted(first, whole)
    before = dump(cut)
    seen: list[str] = []

    def crash(table: str, _count: int) -> None:
        seen.append(table)
        if len(seen) > 5:
            raise Refused(table)

    with (
        source(second, batch_size=3, on_batch=crash, archive=lambda _s, _r: None) as glpi,
        pytest.raises(Refused),
    ):
        glpi.erase(SUBJECT)
    assert len(set(seen)) >= 2
    assert dump(cut) == before
    with source(second, batch_size=3, archive=lambda _s, _r: None) as glpi:
        glpi.erase(SUBJECT)
    assert dump(cut) == expected
