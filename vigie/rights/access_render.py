"""The access package's three formats (R51): a readable PDF, JSON and CSV.

All three are made from the same sealed content (``access.open_content``), when the
person downloads it; the PDF has the register export's look (weasyprint, A4, DejaVu).
"""

from __future__ import annotations

import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from vigie.lib import spreadsheet

FORMATS = ("pdf", "json", "csv")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


def section_titles() -> dict[str, str]:
    """The eleven sections of R51, numbered as the package shows them."""
    return {
        "confirmation": _("1. Do we process data about you?"),
        "data": _("2. A copy of your data, from every store"),
        "purposes": _("3. Purposes and legal bases"),
        "categories": _("4. Categories of data"),
        "recipients": _("5. Recipients"),
        "retention": _("6. How long each category is kept"),
        "rights": _("7. Your rights"),
        "complaint": _("8. Your right to complain to the supervisory authority"),
        "origin": _("9. Where data not collected from you came from"),
        "automated_decisions": _("10. Automated decisions"),
        "transfers": _("11. Transfers outside the European Economic Area and safeguards"),
    }


#: The file's name, in ASCII (« DDP-2026-0001-acces.pdf »).
FILE_WORD = {"fr": "acces", "en": "access"}


def file_name(content: dict[str, Any], fmt: str) -> str:
    return f"{content['case']}-{FILE_WORD.get(content['language'], 'acces')}.{fmt}"


def to_json(content: dict[str, Any]) -> bytes:
    with translation.override(content["language"]):
        titles = section_titles()
    data = {
        "case": content["case"],
        "language": content["language"],
        "compiled_on": content["compiled_on"],
        "items_per_source": content["counts"],
        "sections": [
            {"key": key, "title": titles[key], "content": value}
            for key, value in content["sections"].items()
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def to_csv(content: dict[str, Any]) -> bytes:
    """One line per value of the copy (section 2), then one per item of the other
    sections: « section ; source ; table ; référence ; catégorie ; champ ; valeur »."""
    with translation.override(content["language"]):
        titles = section_titles()
        headings = [
            _("Section"),
            _("Source"),
            _("Table"),
            _("Reference"),
            _("Category"),
            _("Field"),
            _("Value"),
        ]
    rows: list[list[str]] = []
    for key, value in content["sections"].items():
        title = titles[key]
        if key == "data":
            for source in value:
                for row in source["rows"]:
                    for field, shown in row["values"].items():
                        rows.append(
                            [
                                title,
                                source["label"],
                                row["table"],
                                row["reference"],
                                row["category"],
                                field,
                                shown,
                            ]
                        )
                    if row["kept"]:
                        rows.append(
                            [
                                title,
                                source["label"],
                                row["table"],
                                row["reference"],
                                "",
                                "",
                                row["kept"],
                            ]
                        )
            continue
        for item in _flat(value):
            rows.append([title, "", "", "", "", "", item])
    return spreadsheet.csv_bytes([headings, *rows])


def _flat(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [line for v in value.values() for line in _flat(v)]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                out.append(" — ".join(_flat_item(item)))
            else:
                out += _flat(item)
        return out
    return [str(value)] if value not in (None, "") else []


def _flat_item(item: dict[str, Any]) -> list[str]:
    parts = []
    for v in item.values():
        if isinstance(v, list):
            parts.append(", ".join(str(x) for x in v))
        elif v not in (None, ""):
            parts.append(str(v))
    return parts


def to_pdf(content: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    with translation.override(content["language"]):
        html = render_to_string(
            "rights/access_pdf.html",
            {"c": content, "s": content["sections"], "titles": section_titles()},
        )
    return HTML(string=html).write_pdf()


def render(content: dict[str, Any], fmt: str) -> bytes:
    if fmt == "pdf":
        return to_pdf(content)
    if fmt == "csv":
        return to_csv(content)
    return to_json(content)
