"""The shapes are the real schemas: every GLPI 11.0.7 table, column, type, nullability and primary
key as the upstream installation SQL makes them (tests/data/real-schemas, MariaDB's spelling)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.dialects import mysql

from vigie.demo.shapes import dolibarr, glpi
from vigie.demo.shapes.columns import sa_type

FACTS = Path(__file__).resolve().parents[2] / "data" / "real-schemas"


def _facts(name: str) -> dict[str, list[list[Any]]]:
    loaded: dict[str, list[list[Any]]] = json.loads((FACTS / name).read_text("utf-8"))["tables"]
    return loaded


def _spelled(sqltype: str) -> str:
    """A facts type compiled for MariaDB the way the shapes' types are."""
    base = re.sub(r"^(tinyint|smallint|int|bigint)\(\d+\)", r"\1", sqltype)
    return _mysql(sa_type(base))


def _mysql(kind: Any) -> str:
    dialect = mysql.dialect()
    return str(kind.dialect_impl(dialect).compile(dialect=dialect))


def _shape(md: MetaData) -> dict[str, list[tuple[str, str, bool, bool]]]:
    return {
        table.name: [
            (c.name, _mysql(c.type), bool(c.nullable), bool(c.primary_key)) for c in table.columns
        ]
        for table in md.tables.values()
    }


def test_the_full_glpi_11_shape_is_the_real_schema_table_by_table() -> None:
    facts = _facts("glpi-11.0.7-columns.json")
    shape = _shape(glpi.full_metadata("11"))
    assert set(shape) == set(facts)
    for table, columns in facts.items():
        expected = [(c[0], _spelled(c[1]), bool(c[2]), bool(c[3])) for c in columns]
        assert shape[table] == expected, table


def test_the_glpi_10_shape_differs_from_11_only_where_the_reference_says() -> None:
    eleven, ten = glpi.full_metadata("11"), glpi.full_metadata("10")
    assert set(eleven.tables) - set(ten.tables) == glpi.ELEVEN_ONLY_TABLES
    for name in glpi.TEN_GROUP_TABLES:
        added = {c.name for c in ten.tables[name].columns} - {c.name for c in eleven.tables[name].c}
        assert added == {"groups_id", "groups_id_tech"}, name
    for name, columns in glpi.ELEVEN_ONLY_COLUMNS.items():
        assert not columns & {c.name for c in ten.tables[name].columns}, name


def test_the_full_dolibarr_25_shape_is_the_real_schema_table_by_table() -> None:
    facts = _facts("dolibarr-25-columns.json")
    shape = _shape(dolibarr.full_metadata())
    assert set(shape) == set(facts)
    for table, columns in facts.items():
        expected = [(c[0], _spelled(c[1]), bool(c[2]), bool(c[3])) for c in columns]
        assert shape[table] == expected, table


def test_the_personal_dolibarr_tables_beyond_the_hand_written_ones_are_the_real_ones() -> None:
    full, shaped = _shape(dolibarr.full_metadata()), _shape(dolibarr.metadata())
    for name in dolibarr.ADDED:
        assert shaped[name] == full[name], name
