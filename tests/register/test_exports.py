"""Exports: JSON against the published schema, CSV/XLSX with CNIL headings, PDF (R3)."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.register.conftest import MINIMAL
from vigie.audit.models import Event
from vigie.register.exports import CNIL_HEADINGS
from vigie.register.services import ExportError, apply_document, export_register

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "register-export.schema.json").read_text()
)
KEYS = [
    "name",
    "role",
    "purposes",
    "legal_basis",
    "data_subject_categories",
    "data_categories",
    "recipients",
    "transfers",
    "retention",
    "security_measures",
]


@pytest.fixture
def loaded(db, cli_actor) -> None:
    apply_document(cli_actor, copy.deepcopy(MINIMAL))


def test_the_json_export_has_the_published_shape(loaded, cli_actor) -> None:
    content, name, ctype = export_register(cli_actor, fmt="json")
    data = json.loads(content)
    jsonschema.validate(data, SCHEMA)
    assert ctype == "application/json" and name.endswith(".json")
    assert data["controller"]["email"] == "info.rgpd@semi-informatique.com"
    for activity in data["activities"]:
        for key in KEYS:
            assert activity[key], key
    first = data["activities"][0]
    assert first["legal_basis"] == ["contract", "legitimate_interest"]
    assert first["retention"][1]["legal_reference"] == "C. com. L123-22"
    assert first["transfers"] == "N/A: aucun transfert hors UE"
    assert data["processor_register"][0]["client"]["name"] == "Cabinet Durand (exemple)"
    assert Event.objects.filter(action="register:register:export").count() == 1


def test_the_role_option_filters_activities(loaded, cli_actor) -> None:
    controller = json.loads(export_register(cli_actor, fmt="json", role="controller")[0])
    processor = json.loads(export_register(cli_actor, fmt="json", role="processor")[0])
    assert [a["role"] for a in controller["activities"]] == ["controller"]
    assert "processor_register" not in controller
    assert [a["role"] for a in processor["activities"]] == ["processor"]
    assert len(processor["processor_register"]) == 1


def test_the_english_export_uses_the_english_text(loaded, cli_actor) -> None:
    data = json.loads(export_register(cli_actor, fmt="json", lang="en")[0])
    assert data["activities"][0]["name"] == "Client management"


def test_the_csv_has_the_cnil_headings_in_french(loaded, cli_actor) -> None:
    content, _name, _ctype = export_register(cli_actor, fmt="csv")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == CNIL_HEADINGS
    assert "Finalité(s) du traitement" in rows[0]
    assert rows[1][1] == "Gestion des clients"
    assert "Intérêt légitime (art. 6(1)(f)) (Relation commerciale)" in rows[1][6]
    assert len(rows) == 3


def test_the_xlsx_has_both_registers(loaded, cli_actor) -> None:
    content, _name, _type = export_register(cli_actor, fmt="xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Registre des traitements", "Registre sous-traitant"]
    sheet = workbook["Registre des traitements"]
    assert [c.value for c in sheet[1]] == CNIL_HEADINGS
    assert sheet["B2"].value == "Gestion des clients"
    assert workbook["Registre sous-traitant"]["B2"].value == "Cabinet Durand (exemple)"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_the_pdf_names_every_activity_and_has_a_table_of_contents(
    loaded, cli_actor, tmp_path
) -> None:
    content, _name, ctype = export_register(cli_actor, fmt="pdf")
    assert ctype == "application/pdf" and content.startswith(b"%PDF")
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    assert "Sommaire" in out.stdout
    for name in ("Gestion des clients", "Maintenance chez les clients", "Cabinet Durand (exemple)"):
        assert name in out.stdout
    assert "C. com. L123-22" in out.stdout


def test_an_export_before_any_register_is_a_clear_error(db, cli_actor) -> None:
    with pytest.raises(ExportError, match="no register yet"):
        export_register(cli_actor, fmt="json")


def test_the_cli_writes_the_export_to_a_file(loaded, tmp_path) -> None:
    target = tmp_path / "r.json"
    call_command("register", "export", "--format", "json", "-o", str(target))
    jsonschema.validate(json.loads(target.read_text()), SCHEMA)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_the_shipped_register_exports_a_pdf_naming_every_activity(db, cli_actor, tmp_path) -> None:
    from vigie.register.services import load_file

    load_file(
        cli_actor, Path(__file__).resolve().parents[2] / "policies" / "semi-informatique.yaml"
    )
    data = json.loads(export_register(cli_actor, fmt="json")[0])
    jsonschema.validate(data, SCHEMA)
    assert len([a for a in data["activities"] if a["role"] == "controller"]) >= 14
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(export_register(cli_actor, fmt="pdf")[0])
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    # pdftotext may break a long name across lines: compare without line breaks.
    flat = " ".join(out.stdout.split())
    for activity in data["activities"]:
        assert " ".join(activity["name"].split()) in flat, activity["name"]


def test_an_export_as_at_a_future_date_is_refused(loaded, cli_actor) -> None:
    import datetime as dt

    with pytest.raises(ExportError, match="in the future"):
        export_register(cli_actor, fmt="json", as_of=dt.date(9999, 12, 31))


def test_a_transfer_to_an_adequate_country_shows_the_adequacy_decision(db, cli_actor) -> None:
    doc = copy.deepcopy(MINIMAL)
    doc["recipients"][0]["country"] = "CH"
    doc["activities"][0]["transfers"] = [{"recipient": "datacenter"}]
    doc["processor_register"][0]["transfers"] = [{"recipient": "datacenter"}]
    apply_document(cli_actor, doc)
    data = json.loads(export_register(cli_actor, fmt="json")[0])
    jsonschema.validate(data, SCHEMA)
    assert data["activities"][0]["transfers"] == [
        {"recipient": "Hébergeur", "country": "CH", "safeguard": "Décision 2000/518/CE (Suisse)"}
    ]
