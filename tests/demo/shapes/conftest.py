"""Throw-away databases for the shape tests: SQLite in memory, MariaDB and PostgreSQL on localhost.

Each database is named `vigie_shapes_test_<worker>_<test>` so pytest-xdist workers never share one;
a server that does not answer skips its tests instead of failing them, unless
`VIGIE_TEST_REQUIRE_SERVERS=1` (CI) makes it fail them.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, MetaData, create_engine, inspect, text
from sqlalchemy.exc import OperationalError, SAWarning

from tests.sources.helpdesk import unreachable

MARIADB = os.environ.get("VIGIE_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306")
POSTGRES = os.environ.get("VIGIE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _db_name(request: pytest.FixtureRequest) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    test = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:30]
    return f"vigie_shapes_test_{worker}_{test}"[:63]


@pytest.fixture
def database(request: pytest.FixtureRequest) -> Iterator[Callable[[str], Engine]]:
    """Return a factory: backend ("sqlite", "mariadb", "postgresql") -> an empty database."""
    created: list[tuple[Engine, str]] = []
    engines: list[Engine] = []

    def make(backend: str) -> Engine:
        name = _db_name(request)
        if backend == "sqlite":
            engine = create_engine("sqlite://")
        elif backend == "mariadb":
            admin = create_engine(f"{MARIADB}/", isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                    conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
            except OperationalError:
                unreachable("mariadb")
            created.append((admin, name))
            engine = create_engine(f"{MARIADB}/{name}?charset=utf8mb4")
        else:
            admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                    conn.execute(text(f"CREATE DATABASE {name}"))
            except OperationalError:
                unreachable("postgresql")
            created.append((admin, name))
            engine = create_engine(f"{POSTGRES}/{name}")
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()
    for admin, name in created:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


_INTEGER_WIDTH = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT)\(\d+\)")
_ALIASES = {"REAL": "DOUBLE", "NUMERIC": "DECIMAL", "INT": "INTEGER", "FLOAT(53)": "DOUBLE"}


def normalise(type_sql: str) -> str:
    """Spell a compiled column type one way: MariaDB display widths and synonyms removed."""
    spelled = _INTEGER_WIDTH.sub(r"\1", type_sql.upper()).replace(", ", ",")
    spelled = spelled.replace("DOUBLE PRECISION", "DOUBLE")
    if spelled in _ALIASES:
        return _ALIASES[spelled]
    head, _, rest = spelled.partition("(")
    head = _ALIASES.get(head.strip(), head.strip())
    return f"{head}({rest}" if rest else head


def reflected_types(engine: Engine) -> dict[str, dict[str, str]]:
    """Table -> column -> normalised type, as the database reports them."""
    with warnings.catch_warnings():
        # `point` has no SQLAlchemy type: reflected as NullType, compared by name below.
        warnings.simplefilter("ignore", SAWarning)
        inspector = inspect(engine)
        result: dict[str, dict[str, str]] = {}
        for table in inspector.get_table_names():
            columns = {}
            for column in inspector.get_columns(table):
                kind = column["type"]
                name = type(kind).__name__
                columns[column["name"]] = (
                    "POINT"
                    if name == "NullType"
                    else normalise(kind.compile(dialect=engine.dialect))
                )
            result[table] = columns
    return result


def shape_types(metadata: MetaData, engine: Engine) -> dict[str, dict[str, str]]:
    """Table -> column -> normalised type, as the shape declares them for this database."""
    return {
        table.name: {
            column.name: normalise(column.type.compile(dialect=engine.dialect))
            for column in table.columns
        }
        for table in metadata.sorted_tables
    }
