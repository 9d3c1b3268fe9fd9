"""Column specs written the way GLPI and Dolibarr declare them, turned into SQLAlchemy columns.

A shape is written as one line per column, in the order of the application's schema file:

    name  type  [nn] [pk] [d=<default>] [now]

`type` is the MySQL type as the reference (`/work/shared/reference/glpi-dolibarr-personal-data.md`)
prints it (`int unsigned`, `tinyint`, `varchar(255)`, `double(24,8)`, `longtext`, `timestamp`,
`point`…). On MariaDB/MySQL the column gets exactly that type; on PostgreSQL and SQLite it gets the
equivalent Dolibarr's own PostgreSQL conversion uses (`tinyint` -> smallint, `*text` -> text,
`datetime`/`timestamp` -> timestamp, `double(24,8)` -> numeric(24,8), `unsigned` dropped).
`nn` is NOT NULL, `pk` the auto-increment primary key, `key` a (part of a) primary key that is
not auto-incremented, `d=` a server default, `now` a default of
CURRENT_TIMESTAMP (Dolibarr's `tms`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    CHAR,
    REAL,
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.schema import SchemaItem
from sqlalchemy.types import TypeEngine, UserDefinedType

# Both names: a `mysql+pymysql://` URL on a MariaDB server reports "mysql", `mariadb://` "mariadb".
MYSQL = ("mysql", "mariadb")

# Every table is created as GLPI and Dolibarr create theirs on MariaDB: InnoDB, utf8mb4.
MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}

_TYPE = re.compile(r"(?P<base>[a-z]+)(?:\((?P<p>\d+)(?:,(?P<s>\d+))?\))?(?P<unsigned> unsigned)?")


class Point(UserDefinedType[Any]):
    """MySQL `point` (Dolibarr geopoint); PostgreSQL has a native `point` too."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "POINT"


def sa_type(spec: str) -> TypeEngine[Any]:
    """Return the SQLAlchemy type for a MySQL type spec such as `int unsigned` or `double(24,8)`."""
    match = _TYPE.fullmatch(spec.strip().lower())
    if match is None:
        raise ValueError(f"unknown column type {spec!r}")
    base, unsigned = match["base"], bool(match["unsigned"])
    p = int(match["p"]) if match["p"] else None
    s = int(match["s"]) if match["s"] else None
    result: TypeEngine[Any]
    if base in ("int", "integer"):
        result = Integer()
        if unsigned:
            result = result.with_variant(mysql.INTEGER(unsigned=True), *MYSQL)
    elif base == "tinyint":
        result = SmallInteger().with_variant(mysql.TINYINT(unsigned=unsigned), *MYSQL)
    elif base == "smallint":
        result = SmallInteger()
    elif base == "bigint":
        result = BigInteger()
    elif base == "varchar":
        result = String(p)
    elif base == "char":
        result = CHAR(p)
    elif base == "text":
        result = Text()
    elif base == "mediumtext":
        result = Text().with_variant(mysql.MEDIUMTEXT(), *MYSQL)
    elif base == "longtext":
        result = Text().with_variant(mysql.LONGTEXT(), *MYSQL)
    elif base == "timestamp":
        result = DateTime().with_variant(mysql.TIMESTAMP(), *MYSQL)
    elif base == "datetime":
        result = DateTime()
    elif base == "date":
        result = Date()
    elif base == "time":
        result = Time()
    elif base == "double" and p is not None:
        result = Numeric(p, s or 0, asdecimal=False).with_variant(
            mysql.DOUBLE(precision=p, scale=s or 0, asdecimal=False), *MYSQL
        )
    elif base == "double":
        result = Float(precision=53).with_variant(mysql.DOUBLE(asdecimal=False), *MYSQL)
    elif base == "real":
        result = REAL()
    elif base == "float":
        # MySQL's `float` is single precision: REAL on PostgreSQL (whose FLOAT is a double).
        result = Float().with_variant(REAL(), "postgresql")
    elif base == "decimal":
        result = Numeric(p, s)
    elif base == "point":
        # SQLite would read a type named POINT as INTEGER affinity ("…INT…"): a blob there.
        result = Point().with_variant(LargeBinary(), "sqlite")
    else:
        raise ValueError(f"unknown column type {spec!r}")
    return result


def parse_column(line: str) -> Column[Any]:
    """Build a Column from one spec line (see the module docstring)."""
    parts = line.split()
    name = parts[0]
    # The type may be two words (`int unsigned`); flags follow it.
    flags = {"nn", "pk", "now", "key"}
    type_words = [parts[1]]
    rest = parts[2:]
    if rest and rest[0] == "unsigned":
        type_words.append("unsigned")
        rest = rest[1:]
    default: str | None = None
    seen: set[str] = set()
    for word in rest:
        if word.startswith("d="):
            default = word[2:]
        elif word in flags:
            seen.add(word)
        else:
            raise ValueError(f"unknown flag {word!r} in {line!r}")
    column_type = sa_type(" ".join(type_words))
    if "pk" in seen:
        return Column(name, column_type, primary_key=True, autoincrement=True, nullable=False)
    if "key" in seen:
        # A primary key the application fills itself (a token, a code, a pair of ids).
        return Column(name, column_type, primary_key=True, autoincrement=False, nullable=False)
    server_default: Any = None
    if "now" in seen:
        server_default = func.current_timestamp()
    elif default is not None:
        server_default = text(default if default.startswith("'") else f"'{default}'")
    return Column(name, column_type, nullable="nn" not in seen, server_default=server_default)


def parse_columns(spec: str) -> list[Column[Any]]:
    """Parse a block of spec lines; blank lines and `#` comments are ignored."""
    lines = (line.split("#", 1)[0].strip() for line in spec.splitlines())
    return [parse_column(line) for line in lines if line]


def build_table(
    metadata: MetaData,
    name: str,
    spec: str,
    *,
    drop: Iterable[str] = (),
    unique: Mapping[str, Sequence[str]] | None = None,
    indexes: Mapping[str, Sequence[str]] | None = None,
    extra: Sequence[SchemaItem] = (),
) -> Table:
    """Create `name` in `metadata` from `spec`, leaving out the columns in `drop`.

    `unique` and `indexes` map the application's key name to its columns; the created name is
    prefixed with the table name, as PostgreSQL and SQLite want index names unique per schema.
    """
    dropped = set(drop)
    columns = [c for c in parse_columns(spec) if c.name not in dropped]
    constraints: list[SchemaItem] = [
        UniqueConstraint(*cols, name=f"{name}_{key}") for key, cols in (unique or {}).items()
    ]
    constraints += [Index(f"{name}_{key}", *cols) for key, cols in (indexes or {}).items()]
    return Table(name, metadata, *columns, *constraints, *extra, **MYSQL_TABLE_OPTIONS)
