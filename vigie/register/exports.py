"""Exports of the register: YAML, JSON (published schema), CSV/XLSX (CNIL template
headings, in French) and PDF (weasyprint, with a table of contents). R3."""

from __future__ import annotations

import json
from typing import Any

from vigie.lib import spreadsheet
from vigie.register.document import is_na, text
from vigie.register.geography import ADEQUACY

LEGAL_BASIS_LABELS = {
    "fr": {
        "consent": "Consentement (art. 6(1)(a))",
        "contract": "Exécution d'un contrat (art. 6(1)(b))",
        "legal_obligation": "Obligation légale (art. 6(1)(c))",
        "vital_interests": "Intérêts vitaux (art. 6(1)(d))",
        "public_task": "Mission d'intérêt public (art. 6(1)(e))",
        "legitimate_interest": "Intérêt légitime (art. 6(1)(f))",
    },
    "en": {
        "consent": "Consent (Art. 6(1)(a))",
        "contract": "Performance of a contract (Art. 6(1)(b))",
        "legal_obligation": "Legal obligation (Art. 6(1)(c))",
        "vital_interests": "Vital interests (Art. 6(1)(d))",
        "public_task": "Public task (Art. 6(1)(e))",
        "legitimate_interest": "Legitimate interest (Art. 6(1)(f))",
    },
}
ROLE_LABELS = {
    "fr": {"controller": "Responsable de traitement", "processor": "Sous-traitant"},
    "en": {"controller": "Controller", "processor": "Processor"},
}
FORMATS = ("yaml", "json", "csv", "xlsx", "pdf")


def _index(doc: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    return {e["key"]: e for e in doc.get(section) or []}


def _labels(doc: dict[str, Any], section: str, keys: Any, lang: str, field: str = "label") -> Any:
    if is_na(keys):
        return keys
    index = _index(doc, section)
    if keys == "all":
        keys = list(index)
    return [text(index[k][field], lang) for k in keys]


def _duration_text(rule: dict[str, Any], lang: str) -> str:
    archive = rule.get("archive_text")
    parts = [text(rule["active_text"], lang)]
    if archive and not is_na(archive):
        parts.append(("archive : " if lang == "fr" else "archive: ") + text(archive, lang))
    return " ; ".join(parts) if lang == "fr" else "; ".join(parts)


def retention_rows(doc: dict[str, Any], keys: Any, lang: str) -> list[dict[str, str]]:
    index = _index(doc, "data_categories")
    rows = []
    for key in [] if is_na(keys) else keys:
        category = index[key]
        rule = category["retention"]
        rows.append(
            {
                "category": text(category["label"], lang),
                "start_event": text(rule["start_event"], lang),
                "active": text(rule["active_text"], lang),
                "active_duration": rule.get("active_duration"),
                "archive": text(rule["archive_text"], lang)
                if not is_na(rule.get("archive_text"))
                else rule.get("archive_text"),
                "archive_duration": rule.get("archive_duration"),
                "final_action": rule["final_action"],
                "legal_reference": rule["legal_reference"],
            }
        )
    return rows


def _transfers(doc: dict[str, Any], value: Any, lang: str) -> Any:
    if is_na(value):
        return value
    recipients = _index(doc, "recipients")
    rows = []
    for t in value:
        recipient = recipients[t["recipient"]]
        country = t.get("country") or recipient["country"]
        # The same rule as the validator: the transfer's own safeguard, else the
        # recipient's, else the Commission's adequacy decision for the country.
        safeguard = (
            t.get("safeguard") or recipient.get("transfer_safeguard") or ADEQUACY.get(country)
        )
        rows.append(
            {"recipient": text(recipient["name"], lang), "country": country, "safeguard": safeguard}
        )
    return rows


def as_json_data(
    doc: dict[str, Any],
    *,
    lang: str = "fr",
    role: str | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The export shape published in ``docs/register-export.schema.json``."""
    recipients = _index(doc, "recipients")
    activities = []
    for entry in doc["activities"]:
        if role and entry["role"] != role:
            continue
        purposes = [
            {
                "purpose": text(p["text"], lang),
                "legal_basis": p["legal_basis"],
                "legitimate_interest": text(p.get("legitimate_interest"), lang) or None,
            }
            for p in entry["purposes"]
        ]
        activities.append(
            {
                "key": entry["key"],
                "name": text(entry["name"], lang),
                "role": entry["role"],
                "purposes": purposes,
                "legal_basis": sorted({p["legal_basis"] for p in entry["purposes"]}),
                "data_subject_categories": _labels(
                    doc, "subject_categories", entry["subject_categories"], lang
                ),
                "data_categories": _labels(doc, "data_categories", entry["data_categories"], lang),
                "data_sources": text(entry["data_sources"], lang),
                "recipients": entry["recipients"]
                if is_na(entry["recipients"])
                else [
                    {
                        "name": text(recipients[k]["name"], lang),
                        "category": recipients[k]["category"],
                        "country": recipients[k]["country"],
                    }
                    for k in entry["recipients"]
                ],
                "transfers": _transfers(doc, entry["transfers"], lang),
                "retention": retention_rows(doc, entry["data_categories"], lang),
                "security_measures": _labels(
                    doc, "security_measures", entry["security_measures"], lang
                ),
                "automated_decision": entry["automated_decision"],
            }
        )
    controller = doc["controller"]
    data: dict[str, Any] = {"meta": meta or {}, "controller": controller, "activities": activities}
    if role != "controller":
        data["processor_register"] = [
            {
                "key": line["key"],
                "client": line["client"],
                "processing": [text(p, lang) for p in line["processing"]],
                "sub_processors": line["sub_processors"]
                if is_na(line["sub_processors"])
                else [text(recipients[k]["name"], lang) for k in line["sub_processors"]],
                "transfers": _transfers(doc, line["transfers"], lang),
                "security_measures": _labels(
                    doc, "security_measures", line["security_measures"], lang
                ),
            }
            for line in doc.get("processor_register") or []
        ]
    return data


# Headings of the CNIL register template ("Modèle de registre", fiche de traitement).
CNIL_HEADINGS = [
    "Référence",
    "Nom du traitement",
    "Rôle",
    "Responsable du traitement",
    "Délégué à la protection des données",
    "Finalité(s) du traitement",
    "Base(s) légale(s)",
    "Catégories de personnes concernées",
    "Catégories de données personnelles",
    "Source des données",
    "Catégories de destinataires",
    "Transferts hors UE",
    "Durées de conservation",
    "Mesures de sécurité",
    "Décision automatisée",
]
CNIL_PROCESSOR_HEADINGS = [
    "Référence",
    "Responsable de traitement (client)",
    "Contact du client",
    "DPO du client",
    "Catégories de traitements effectués pour le client",
    "Sous-traitants ultérieurs",
    "Transferts hors UE",
    "Mesures de sécurité",
]


def _join(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def tabular_rows(doc: dict[str, Any], role: str | None = None) -> list[list[str]]:
    data = as_json_data(doc, lang="fr", role=role)
    controller = data["controller"]
    dpo = controller.get("dpo")
    dpo_text = (
        dpo if isinstance(dpo, str) else f"{dpo.get('name', '')} {dpo.get('email', '')}".strip()
    )
    rows = []
    for a in data["activities"]:
        rows.append(
            [
                a["key"],
                a["name"],
                ROLE_LABELS["fr"][a["role"]],
                f"{controller['name']}, {controller['address']}, {controller['email']}",
                dpo_text,
                _join([p["purpose"] for p in a["purposes"]]),
                _join(
                    [
                        f"{p['purpose']} : {LEGAL_BASIS_LABELS['fr'][p['legal_basis']]}"
                        + (f" ({p['legitimate_interest']})" if p["legitimate_interest"] else "")
                        for p in a["purposes"]
                    ]
                ),
                _join(a["data_subject_categories"]),
                _join(a["data_categories"]),
                a["data_sources"],
                _join(
                    a["recipients"]
                    if isinstance(a["recipients"], str)
                    else [f"{r['name']} ({r['country']})" for r in a["recipients"]]
                ),
                _join(
                    a["transfers"]
                    if isinstance(a["transfers"], str)
                    else [
                        f"{t['recipient']} → {t['country']} : {t['safeguard']}"
                        for t in a["transfers"]
                    ]
                ),
                _join(
                    [
                        f"{r['category']} : {r['active']}"
                        + (
                            f" ; archive : {r['archive']}"
                            if r["archive"] and not is_na(r["archive"])
                            else ""
                        )
                        + f" ({r['legal_reference']})"
                        for r in a["retention"]
                    ]
                ),
                _join(a["security_measures"]),
                "Oui" if a["automated_decision"] else "Non",
            ]
        )
    return rows


def processor_rows(doc: dict[str, Any]) -> list[list[str]]:
    data = as_json_data(doc, lang="fr", role="processor")
    return [
        [
            line["key"],
            line["client"]["name"],
            line["client"].get("contact", ""),
            _join(
                line["client"].get("dpo")
                if isinstance(line["client"].get("dpo"), str)
                else json.dumps(line["client"].get("dpo"), ensure_ascii=False)
            ),
            _join(line["processing"]),
            _join(line["sub_processors"]),
            _join(
                line["transfers"]
                if isinstance(line["transfers"], str)
                else [f"{t['recipient']} → {t['country']}" for t in line["transfers"]]
            ),
            _join(line["security_measures"]),
        ]
        for line in data["processor_register"]
    ]


def to_csv(doc: dict[str, Any], role: str | None = None) -> bytes:
    # Semicolons and a BOM (what LibreOffice and Excel expect of a French CSV); cells a
    # spreadsheet would run are neutralised (vigie.lib.spreadsheet).
    return spreadsheet.csv_bytes([CNIL_HEADINGS, *tabular_rows(doc, role)])


def to_xlsx(doc: dict[str, Any], role: str | None = None) -> bytes:
    sheets = [
        spreadsheet.Sheet(
            "Registre des traitements", CNIL_HEADINGS, tabular_rows(doc, role), freeze_panes="C2"
        )
    ]
    if role != "controller" and doc.get("processor_register"):
        sheets.append(
            spreadsheet.Sheet(
                "Registre sous-traitant",
                CNIL_PROCESSOR_HEADINGS,
                processor_rows(doc),
                freeze_panes="C2",
            )
        )
    return spreadsheet.xlsx_bytes(sheets)


def to_pdf(doc: dict[str, Any], *, role: str | None = None, meta: dict[str, Any]) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    data = as_json_data(doc, lang="fr", role=role, meta=meta)
    # The template lists everything: turn "N/A: reason" into a one-line list and
    # structured entries into their display text.
    for a in data["activities"]:
        a["data_subject_categories"] = _as_list(a["data_subject_categories"])
        a["recipients"] = _as_list(a["recipients"], lambda r: f"{r['name']} ({r['country']})")
        a["transfers"] = _as_list(a["transfers"], _transfer_text)
        a["security_measures"] = _as_list(a["security_measures"])
    for line in data.get("processor_register", []):
        line["sub_processors"] = _as_list(line["sub_processors"])
        line["transfers"] = _as_list(line["transfers"], _transfer_text)
        line["security_measures"] = _as_list(line["security_measures"])
    html = render_to_string(
        "register/register_pdf.html",
        {"data": data, "bases": LEGAL_BASIS_LABELS["fr"], "roles": ROLE_LABELS["fr"], "meta": meta},
    )
    return HTML(string=html).write_pdf()


def _transfer_text(t: dict[str, Any]) -> str:
    return f"{t['recipient']} → {t['country']} : {t['safeguard']}"


def _as_list(value: Any, show: Any = str) -> list[str]:
    return [value] if isinstance(value, str) else [show(v) for v in value]


def to_json(
    doc: dict[str, Any], *, role: str | None, meta: dict[str, Any], lang: str = "fr"
) -> bytes:
    data = as_json_data(doc, lang=lang, role=role, meta=meta)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
