"""Render the privacy policy (Art. 13 and 14) from the register and the editorial text.

The facts come from the register document (R7: purposes with their legal basis,
legitimate interests, sources, recipients, transfers, retention for every data
category, security measures, the controller and the supervisory authority); the
wording around them is in ``policy/body_fr.html`` and ``policy/body_en.html``.
The result is frozen into a draft version and never rendered again once published.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from vigie.register.document import is_na, text
from vigie.register.exports import LEGAL_BASIS_LABELS
from vigie.register.geography import EEA

LANGUAGES = ("fr", "en")
RECIPIENT_LABELS = {
    "fr": {
        "processor": "sous-traitant",
        "independent_controller": "responsable de traitement distinct",
        "joint_controller": "responsable conjoint du traitement",
        "authority": "autorité",
    },
    "en": {
        "processor": "processor",
        "independent_controller": "separate controller",
        "joint_controller": "joint controller",
        "authority": "authority",
    },
}


def _index(doc: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    return {e["key"]: e for e in doc.get(section) or []}


def controller_activities(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Activities where the company is the controller: the ones the policy must describe."""
    return [a for a in doc.get("activities") or [] if a.get("role") == "controller"]


def processor_activities(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in doc.get("activities") or [] if a.get("role") == "processor"]


def _keys(value: Any, index: dict[str, Any]) -> list[str]:
    if is_na(value) or value is None:
        return []
    if value == "all":
        return list(index)
    return [k for k in value if k in index]


def recipient_keys(doc: dict[str, Any]) -> list[str]:
    """Recipients of the controller's activities, in register order."""
    index = _index(doc, "recipients")
    used = {k for a in controller_activities(doc) for k in _keys(a.get("recipients"), index)}
    return [k for k in index if k in used]


def transfers(doc: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """Transfers outside the EEA (Art. 13(1)(f)): declared ones, and any recipient abroad."""
    recipients = _index(doc, "recipients")
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for activity in controller_activities(doc):
        value = activity.get("transfers")
        for transfer in [] if is_na(value) or not isinstance(value, list) else value:
            recipient = recipients.get(transfer.get("recipient"), {})
            country = transfer.get("country") or recipient.get("country", "")
            safeguard = transfer.get("safeguard") or recipient.get("transfer_safeguard") or ""
            pair = (transfer.get("recipient", ""), country)
            if pair not in seen:
                seen.add(pair)
                out.append(
                    {
                        "recipient": text(recipient.get("name"), lang),
                        "country": country,
                        "safeguard": safeguard,
                    }
                )
    for key in recipient_keys(doc):
        recipient = recipients[key]
        country = str(recipient.get("country", "")).upper()
        if country and country not in EEA and (key, country) not in seen:
            seen.add((key, country))
            out.append(
                {
                    "recipient": text(recipient["name"], lang),
                    "country": country,
                    "safeguard": recipient.get("transfer_safeguard") or "",
                }
            )
    return out


def retention_rows(doc: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """One row per data category of the register (R7: retention for every category)."""
    rows = []
    for category in doc.get("data_categories") or []:
        rule = category.get("retention") or {}
        value = rule.get("archive_text")
        # A plain "N/A: …" is the register's note (one language): the cell says "None".
        archive = "" if value is None or is_na(value) else text(value, lang)
        if is_na(archive):
            # A bilingual "N/A: pas d'archivage" gives the reader the reason as a
            # sentence, never the marker.
            reason = archive.split(":", 1)[1].strip()
            archive = reason[:1].upper() + reason[1:]
        rows.append(
            {
                "key": category["key"],
                "label": text(category["label"], lang),
                "description": text(category.get("description"), lang),
                "start_event": text(rule.get("start_event"), lang),
                "active": text(rule.get("active_text"), lang),
                "archive": archive,
                "final_action": rule.get("final_action", ""),
                "legal_reference": rule.get("legal_reference", ""),
            }
        )
    return rows


def context(doc: dict[str, Any], lang: str) -> dict[str, Any]:
    """Everything the body templates show, already in ``lang``."""
    bases = LEGAL_BASIS_LABELS[lang]
    activities = []
    interests = []
    for activity in controller_activities(doc):
        purposes = []
        for purpose in activity.get("purposes") or []:
            item = {
                "text": text(purpose["text"], lang),
                "basis": purpose["legal_basis"],
                "basis_label": bases.get(purpose["legal_basis"], purpose["legal_basis"]),
                "interest": text(purpose.get("legitimate_interest"), lang),
            }
            purposes.append(item)
            if purpose["legal_basis"] == "legitimate_interest":
                interests.append(item)
        activities.append(
            {
                "key": activity["key"],
                "name": text(activity["name"], lang),
                "purposes": purposes,
                "sources": text(activity.get("data_sources"), lang),
                "automated_decision": bool(activity.get("automated_decision")),
            }
        )
    recipients = _index(doc, "recipients")
    measures = doc.get("security_measures") or []
    controller = doc.get("controller") or {}
    dpo = controller.get("dpo")
    return {
        "lang": lang,
        "controller": controller,
        "dpo": dpo if isinstance(dpo, dict) else None,
        "authority": controller.get("supervisory_authority") or {},
        "activities": activities,
        "interests": interests,
        "consent_used": any(p["basis"] == "consent" for a in activities for p in a["purposes"]),
        "processor_activities": [text(a["name"], lang) for a in processor_activities(doc)],
        "recipients": [
            {
                "name": text(recipients[k]["name"], lang),
                "purposes": text(recipients[k].get("purposes"), lang),
                "category": RECIPIENT_LABELS[lang].get(recipients[k].get("category", ""), ""),
                "country": recipients[k].get("country", ""),
            }
            for k in recipient_keys(doc)
        ],
        "transfers": transfers(doc, lang),
        "retention": retention_rows(doc, lang),
        "technical_measures": [
            text(m["label"], lang) for m in measures if m.get("kind") == "technical"
        ],
        "organisational_measures": [
            text(m["label"], lang) for m in measures if m.get("kind") != "technical"
        ],
        "automated": [a["name"] for a in activities if a["automated_decision"]],
    }


def render_body(doc: dict[str, Any], lang: str) -> str:
    """The policy text in ``lang`` ("fr" or "en"), as an HTML fragment."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    # Dates and numbers inside the body follow the body's language, not the request's.
    with translation.override(lang):
        return render_to_string(f"policy/body_{lang}.html", context(doc, lang)).strip()
