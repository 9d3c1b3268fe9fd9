"""Reading a CSV file for an import: the whole file is read before anything is written.

Every CSV import of Vigie reads its file here (``tests/lib/test_spreadsheet.py`` checks
that nothing else in ``vigie/`` makes a CSV reader). A file that cannot be read as a
whole is refused with ``CsvFileError`` naming the line, before the import writes
anything: not UTF-8, a field longer than ``FIELD_LIMIT`` characters, a broken quote (one
never closed, or text after a closing one), a header without a column the import needs
or with one twice.

Python's ``csv`` stops at 131,072 characters per field by default; Vigie reads fields
up to ``FIELD_LIMIT`` (1,048,576 characters) and each import then bounds its columns
(a name of 300 characters is a refused line, not a refused file).
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

#: Characters per field, at most (the csv module's limit is raised to it while reading).
FIELD_LIMIT = 1_048_576
#: The separators a header line may use: comma, semicolon (French spreadsheets), tab.
DELIMITERS = (",", ";", "\t")
# ``csv.field_size_limit`` is global to the process: set and restored under a lock.
_LIMIT_LOCK = threading.Lock()


class CsvFileError(ValueError):
    """The file as a whole cannot be read; the message says why (and where)."""


@dataclass(frozen=True)
class CsvTable:
    columns: tuple[str, ...]
    #: (line number as a spreadsheet shows it, header = 1; the row by column name).
    rows: list[tuple[int, dict[str, str]]]


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM, as Excel writes, is dropped), or ``CsvFileError``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvFileError(
            _(
                "line %(line)d: the file is not UTF-8 text; save it as “CSV UTF-8” "
                "and import it again"
            )
            % {"line": line}
        ) from None


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(text: str, *, required: Sequence[str]) -> CsvTable:
    """Every row of ``text`` (header line first), or ``CsvFileError``.

    Column names are trimmed and lower-cased; the separator (comma, semicolon or tab)
    is the one the header uses. A cell missing at the end of a row is empty; cells past
    the header's columns are refused (the row does not match the header).
    """
    header_line = text.split("\n", 1)[0]
    # Strict: a quote never closed is an error, not a cell swallowing every line after it.
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(header_line), strict=True
    )
    rows: list[tuple[int, dict[str, str]]] = []
    #: The line the record being read starts on.
    start = 1
    with _LIMIT_LOCK:
        previous = csv.field_size_limit(FIELD_LIMIT)
        try:
            columns = _header(next(reader, []), required)
            start = reader.line_num + 1
            for record in reader:
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) > len(columns):
                    raise CsvFileError(
                        _(
                            "line %(line)d: %(found)d cells for %(expected)d columns; "
                            "is a separator or a quote missing?"
                        )
                        % {"line": reader.line_num, "found": len(record), "expected": len(columns)}
                    )
                values = dict.fromkeys(columns, "")
                values.update(zip(columns, record, strict=False))
                rows.append((reader.line_num, values))
                start = reader.line_num + 1
        except csv.Error as error:
            line = reader.line_num
            if "unexpected end of data" in str(error):
                message = _("line %(line)d: a quote opened on this line is never closed") % {
                    "line": start
                }
            elif "field limit" in str(error):
                message = _(
                    "line %(line)d: a field is longer than %(limit)d characters, "
                    "the most a CSV import reads"
                ) % {"line": line, "limit": FIELD_LIMIT}
            else:
                message = _("line %(line)d: not readable as CSV (%(error)s)") % {
                    "line": line,
                    "error": error,
                }
            raise CsvFileError(message) from None
        finally:
            csv.field_size_limit(previous)
    return CsvTable(columns, rows)


def _header(cells: list[str], required: Sequence[str]) -> tuple[str, ...]:
    columns = tuple(c.strip().lower() for c in cells)
    if not any(columns):
        raise CsvFileError(_("line 1: the file is empty (no header line)"))
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        raise CsvFileError(
            _("line 1: column(s) given twice: %(columns)s") % {"columns": ", ".join(twice)}
        )
    missing = [c for c in required if c not in columns]
    if missing:
        raise CsvFileError(
            _("line 1: missing column(s): %(columns)s") % {"columns": ", ".join(missing)}
        )
    return columns
