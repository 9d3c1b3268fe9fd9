"""Formula injection (issue 11 item 2): every CSV/XLSX export neutralises cells that a
spreadsheet would run (OWASP: ``= + - @ \\t \\r`` first → a leading single quote)."""

from __future__ import annotations

import copy
import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.register.conftest import MINIMAL, t
from vigie.lib.spreadsheet import FORMULA_STARTS, Sheet, csv_bytes, safe_cell, xlsx_bytes
from vigie.register import exports
from vigie.register.services import apply_document, export_register

VIGIE = Path(__file__).resolve().parents[2] / "vigie"
HOSTILE = '=HYPERLINK("http://x","cliquez")'
PAYLOADS = [HOSTILE, "+33 1 23", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", PAYLOADS)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(value) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Gestion des clients", "", " =not first", 12, None, -3])
def test_other_cells_are_left_as_they_are(value) -> None:
    assert safe_cell(value) == value


def test_the_helpers_write_no_formula() -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes([PAYLOADS]).decode("utf-8-sig")), delimiter=";"))
    assert rows == [["'" + p for p in PAYLOADS]]
    workbook = load_workbook(io.BytesIO(xlsx_bytes([Sheet("s", PAYLOADS, [PAYLOADS])])))
    for row in workbook["s"].iter_rows():
        for cell in row:
            assert cell.data_type != "f" and cell.value.startswith("'"), cell.value


def _hostile_register() -> dict:
    doc = copy.deepcopy(MINIMAL)
    doc["activities"][0]["name"] = t(HOSTILE, HOSTILE)
    doc["activities"][0]["data_sources"] = t("@SUM(1+1)*cmd|' /C calc'!A0")
    doc["processor_register"][0]["client"]["name"] = "+cmd|' /C calc'!A0"
    doc["security_measures"][0]["label"] = t("-1+1")
    return doc


def test_every_spreadsheet_export_of_the_register_is_inert(db, cli_actor) -> None:
    """Every CSV/XLSX format of the register, exported and read back: no cell is a
    formula, none starts with a character that would make one."""
    apply_document(cli_actor, _hostile_register())
    spreadsheet_formats = [f for f in exports.FORMATS if f in ("csv", "xlsx")]
    assert spreadsheet_formats == ["csv", "xlsx"]
    for role in (None, "controller", "processor"):
        content, _name, _type = export_register(cli_actor, fmt="csv", role=role)
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        cells = [c for row in rows for c in row]
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)], role
        if role != "processor":
            assert "'" + HOSTILE in cells
        content, _name, _type = export_register(cli_actor, fmt="xlsx", role=role)
        workbook = load_workbook(io.BytesIO(content))
        values = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(FORMULA_STARTS), cell.value
                        values.append(cell.value)
        if role != "processor":
            assert "'" + HOSTILE in values
        if role != "controller":
            assert "'+cmd|' /C calc'!A0" in values


def test_the_back_office_downloads_are_inert(db, cli_actor, signed_in, auditor) -> None:
    apply_document(cli_actor, _hostile_register())
    client = signed_in(auditor)
    response = client.get(reverse("register:export"), {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1] == "'" + HOSTILE
    response = client.get(reverse("register:export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["B2"].value == "'" + HOSTILE and sheet["B2"].data_type == "s"


WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(|from openpyxl|import openpyxl")


def test_only_the_spreadsheet_helper_writes_csv_or_xlsx() -> None:
    """Finds every export: any module of vigie/ that makes a CSV writer or a workbook
    must do it through vigie.lib.spreadsheet, so a new export cannot skip the rule."""
    offenders = [
        str(path.relative_to(VIGIE))
        for path in VIGIE.rglob("*.py")
        if path.name != "spreadsheet.py" and WRITERS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
