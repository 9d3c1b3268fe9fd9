"""Every CSV and XLSX file Vigie writes goes through here: formula injection neutralised.

A spreadsheet opens a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return before one) as a formula: a register entry named
``=HYPERLINK("http://x", "cliquez")`` would be a live link in the file sent to the CNIL
or to a client. The OWASP rule is applied to every text cell: one that starts with one
of ``= + - @ \\t \\r`` gets a leading single quote, so it is shown as the text it is
(https://owasp.org/www-community/attacks/CSV_Injection). Numbers, dates and booleans
are written as they are.

Only this module creates CSV writers and workbooks (``tests/lib/test_spreadsheet.py``
checks that nothing else in ``vigie/`` does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading ``'`` if it is a text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def csv_bytes(rows: Iterable[Sequence[Any]], *, delimiter: str = ";", bom: bool = True) -> bytes:
    """A CSV file (UTF-8, CRLF), every cell neutralised. Semicolons and a BOM by default:
    what LibreOffice and Excel expect of a French CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(safe_row(row))
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[Any]]
    column_width: int = 40
    freeze_panes: str | None = "A2"


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook (openpyxl) with one sheet per ``Sheet``: bold headings, wrapped
    text, every cell neutralised (openpyxl stores a text starting with ``=`` as a
    formula; none is left)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    first = True
    for spec in sheets:
        if first:
            ws = workbook.active
            ws.title = spec.title
            first = False
        else:
            ws = workbook.create_sheet(spec.title)
        ws.append(safe_row(spec.headings))
        for row in spec.rows:
            ws.append(safe_row(row))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = spec.column_width
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = spec.freeze_panes
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
