"""Set-based bulk loading for the shape fixtures: COPY on PostgreSQL, batched executemany elsewhere.

Rows are plain tuples in a fixed column order, produced lazily by generators and written in chunks,
so a fill of millions of rows never holds more than one chunk in memory. Ids are given explicitly
(children need their parents' ids); on PostgreSQL the sequences are moved past them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, text

Row = tuple[Any, ...]


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    chunk_size: int = 20_000,
) -> int:
    """Insert `rows` (tuples in `columns` order) into `table`; return how many were written."""
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    count = 0
    if dialect.name == "postgresql":
        # COPY is several times faster than multi-row INSERT for the benchmark sizes.
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            for chunk in _chunks(rows, chunk_size):
                with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
                count += len(chunk)
        return count
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    # Identifiers come from the shape metadata and are quoted; values are bound parameters.
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join([marker] * len(columns))})"  # noqa: S608
    for chunk in _chunks(rows, chunk_size):
        # PyMySQL turns an executemany of one INSERT … VALUES into multi-row statements.
        conn.exec_driver_sql(sql, chunk)
        count += len(chunk)
    return count


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """Move PostgreSQL serial sequences past the explicit ids a fill wrote (no-op elsewhere)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is not True:
                continue  # a key the application fills itself (a token, a code): no sequence
            # Names come from the shape metadata, never from input.
            highest = f'SELECT MAX("{column.name}") FROM "{table.name}"'  # noqa: S608
            conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:t, :c), "
                    f"COALESCE(({highest}), 0) + 1, false)"
                ),
                {"t": table.name, "c": column.name},
            )
