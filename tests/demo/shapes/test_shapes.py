"""The GLPI and Dolibarr shapes build, fill and reflect back identically on each database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, MetaData, func, select

from tests.demo.shapes.conftest import reflected_types, shape_types
from vigie.demo.shapes import dolibarr, glpi
from vigie.demo.shapes.fill import SeedPerson, fill_dolibarr, fill_glpi

PEOPLE = [SeedPerson("camille.durand@exemple.fr", "Camille", "Durand", "06 11 22 33 44")]


def _counts(engine: Engine, metadata: MetaData) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }


def _check(engine: Engine, metadata: MetaData, summary: dict[str, int]) -> None:
    assert reflected_types(engine) == shape_types(metadata, engine)
    assert summary == {name: n for name, n in _counts(engine, metadata).items() if name in summary}
    assert all(n > 0 for n in summary.values())


@pytest.mark.parametrize(
    ("backend", "version"),
    [("sqlite", "11"), ("mariadb", "11"), ("mariadb", "10"), ("sqlite", "10")],
)
def test_the_glpi_shape_fills_and_reflects_with_the_same_columns_and_types(
    database: Callable[[str], Engine], backend: str, version: glpi.Version
) -> None:
    engine = database(backend)
    metadata = glpi.metadata(version)
    metadata.create_all(engine)
    summary = fill_glpi(
        engine, PEOPLE, version=version, users=60, tickets=150, followups=400, login_events=300
    )
    _check(engine, metadata, summary)
    assert set(summary) == set(glpi.TABLES)


@pytest.mark.parametrize("backend", ["sqlite", "mariadb", "postgresql"])
def test_the_dolibarr_shape_fills_and_reflects_with_the_same_columns_and_types(
    database: Callable[[str], Engine], backend: str
) -> None:
    engine = database(backend)
    metadata = dolibarr.metadata()
    metadata.create_all(engine)
    summary = fill_dolibarr(engine, PEOPLE, companies=8, private_customers=6, years_of_invoices=3)
    _check(engine, metadata, summary)
    assert set(summary) == set(dolibarr.TABLES)


def test_glpi_10_and_11_differ_exactly_as_the_reference_says() -> None:
    eleven, ten = glpi.metadata("11"), glpi.metadata("10")
    added = {
        name: {c.name for c in eleven.tables[name].columns}
        - {c.name for c in ten.tables[name].columns}
        for name in glpi.TABLES
    }
    assert added["glpi_tickets"] == {"tickettemplates_id", "externalid"}
    assert added["glpi_logs"] == {"old_id", "new_id"}
    assert "2fa" in added["glpi_users"] and len(added["glpi_entities"]) == 32
    assert {c.name for c in ten.tables["glpi_computers"].columns} >= {"groups_id", "groups_id_tech"}
    assert str(ten.tables["glpi_users"].c.password_forget_token.type) == "CHAR(40)"


def test_a_fill_with_the_same_seed_writes_the_same_rows(
    database: Callable[[str], Engine],
) -> None:
    engines = [database("sqlite"), database("sqlite")]
    contents = []
    for engine in engines:
        metadata = glpi.metadata()
        metadata.create_all(engine)
        fill_glpi(engine, PEOPLE, users=20, tickets=30, followups=60, login_events=40)
        with engine.connect() as conn:
            table = metadata.tables["glpi_itilfollowups"]
            contents.append(conn.execute(select(table.c.content).order_by(table.c.id)).all())
    assert contents[0] == contents[1]
