"""Validation of the register document (Art. 30): every error names its path.

The register is one document (see ``docs/register-format.md``): loaded from YAML,
edited in the back-office, stored as immutable revisions. ``validate_document``
returns every problem at once, each with its path (``activities[3].recipients[0]``),
so a file or a form is fixed in one go and nothing is written while one remains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from vigie.register.geography import needs_safeguard

KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
NA = re.compile(r"^N/A:\s*\S")

LEGAL_BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interest",
)
RECIPIENT_CATEGORIES = ("processor", "independent_controller", "joint_controller", "authority")
ROLES = ("controller", "processor")
MEASURE_KINDS = ("technical", "organisational")
FINAL_ACTIONS = ("delete", "anonymise")
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class RegisterError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidRegister(ValueError):
    def __init__(self, errors: list[RegisterError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def is_na(value: Any) -> bool:
    """An explicit "N/A: reason" (R1: a field is filled or says why it is not)."""
    return isinstance(value, str) and bool(NA.match(value))


def text(value: Any, lang: str = "fr") -> str:
    """The ``lang`` text of a bilingual value (or the value itself if plain)."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("fr") or "")
    return "" if value is None else str(value)


def duration_months(value: str | None) -> int | None:
    """Months in an ISO 8601 period of years/months (days and weeks rounded up)."""
    if value is None:
        return None
    match = DURATION.match(value)
    if not match or value == "P":
        raise ValueError(value)
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    return years * 12 + months + (1 if weeks or days else 0)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[RegisterError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(RegisterError(path, message))

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.error(path, "expected a mapping")
            return {}
        return value

    def required(self, data: dict[str, Any], field: str, path: str) -> Any:
        value = data.get(field)
        if value is None or value == "" or value == [] or value == {}:
            self.error(f"{path}.{field}", 'required (Art. 30): give a value or "N/A: reason"')
            return None
        return value

    def string(self, data: dict[str, Any], field: str, path: str, *, optional: bool = False) -> str:
        value = data.get(field)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or (not value.strip() and not optional):
            self.error(f"{path}.{field}", "required text" if not optional else "expected text")
            return ""
        return value

    def bilingual(self, data: Any, field: str | int, path: str, *, allow_na: bool = False) -> None:
        """``data[field]`` is {fr, en} text; ``field`` may be a list index."""
        value = data[field] if isinstance(field, int) else data.get(field)
        where = f"{path}[{field}]" if isinstance(field, int) else f"{path}.{field}"
        if allow_na and is_na(value):
            return
        if not isinstance(value, dict):
            self.error(where, "required text in French and English ({fr: …, en: …})")
            return
        for lang in LANGUAGES:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.error(f"{where}.{lang}", "required text")
        extra = set(value) - set(LANGUAGES)
        if extra:
            self.error(where, f"unknown language(s): {', '.join(sorted(extra))}")

    def choice(self, data: dict[str, Any], field: str, path: str, choices: Iterable[str]) -> str:
        value = data.get(field)
        options = tuple(choices)
        if value not in options:
            self.error(f"{path}.{field}", f"{value!r} is not one of: {', '.join(options)}")
            return ""
        return str(value)

    def keyed_list(
        self, doc: dict[str, Any], field: str, item: Callable[[dict[str, Any], str], None]
    ) -> set[str]:
        items = doc.get(field)
        if not isinstance(items, list) or not items:
            self.error(field, "required: a non-empty list")
            return set()
        keys: set[str] = set()
        for index, entry in enumerate(items):
            path = f"{field}[{index}]"
            if not isinstance(entry, dict):
                self.error(path, "expected a mapping")
                continue
            key = entry.get("key")
            if not isinstance(key, str) or not KEY.match(key):
                self.error(f"{path}.key", "required: lowercase letters, digits and '-'")
            elif key in keys:
                self.error(f"{path}.key", f"duplicate key {key!r}")
            else:
                keys.add(key)
            item(entry, path)
        return keys

    def references(
        self,
        data: dict[str, Any],
        field: str,
        path: str,
        known: set[str],
        noun: str,
        *,
        allow_all: bool = False,
    ) -> None:
        value = data.get(field)
        if is_na(value) or (allow_all and value == "all"):
            return
        if not isinstance(value, list) or not value:
            hint = ', "all"' if allow_all else ""
            self.error(
                f"{path}.{field}",
                f'required: a non-empty list of {noun} keys{hint} or "N/A: reason"',
            )
            return
        for index, ref in enumerate(value):
            if ref not in known:
                self.error(f"{path}.{field}[{index}]", f"unknown {noun} {ref!r}")

    def duration(self, data: dict[str, Any], field: str, path: str) -> None:
        value = data.get(field)
        if value is None:
            return
        try:
            duration_months(value)
        except (ValueError, TypeError):
            self.error(
                f"{path}.{field}", f"{value!r} is not an ISO 8601 period such as P6M or P10Y"
            )


def validate_document(doc: Any) -> list[RegisterError]:
    """Return every problem of the register document, each with its YAML path."""
    c = _Checker()
    if not isinstance(doc, dict):
        return [RegisterError("(document)", "expected a mapping with controller, activities, …")]
    known_fields = {
        "version",
        "controller",
        "subject_categories",
        "data_categories",
        "recipients",
        "security_measures",
        "activities",
        "processor_register",
    }
    for field in sorted(set(doc) - known_fields):
        c.error(field, "unknown section")
    if doc.get("version") != 1:
        c.error("version", "expected 1 (the format version)")

    controller = c.mapping(doc.get("controller"), "controller")
    if controller:
        for field in ("name", "address", "email"):
            c.string(controller, field, "controller")
        if not (is_na(controller.get("dpo")) or isinstance(controller.get("dpo"), dict)):
            c.error("controller.dpo", 'required: {name, email} or "N/A: reason" (Art. 30(1)(a))')
        authority = c.mapping(
            controller.get("supervisory_authority"), "controller.supervisory_authority"
        )
        for field in ("name", "address", "phone", "complaint_url"):
            if authority:
                c.string(authority, field, "controller.supervisory_authority")

    def subject(entry: dict[str, Any], path: str) -> None:
        c.bilingual(entry, "label", path)

    def category(entry: dict[str, Any], path: str) -> None:
        c.bilingual(entry, "label", path)
        c.bilingual(entry, "description", path)
        rule = c.mapping(entry.get("retention"), f"{path}.retention")
        if not rule:
            return
        rpath = f"{path}.retention"
        c.bilingual(rule, "start_event", rpath)
        c.bilingual(rule, "active_text", rpath)
        c.duration(rule, "active_duration", rpath)
        c.duration(rule, "archive_duration", rpath)
        c.bilingual(rule, "archive_text", rpath, allow_na=True)
        c.choice(rule, "final_action", rpath, FINAL_ACTIONS)
        c.string(rule, "legal_reference", rpath)
        c.string(rule, "source", rpath)

    def measure(entry: dict[str, Any], path: str) -> None:
        c.choice(entry, "kind", path, MEASURE_KINDS)
        c.bilingual(entry, "label", path)
        c.string(entry, "source", path)

    subjects = c.keyed_list(doc, "subject_categories", subject)
    categories = c.keyed_list(doc, "data_categories", category)
    measures = c.keyed_list(doc, "security_measures", measure)

    def recipient(entry: dict[str, Any], path: str) -> None:
        c.bilingual(entry, "name", path)
        c.choice(entry, "category", path, RECIPIENT_CATEGORIES)
        c.bilingual(entry, "purposes", path)
        c.references(entry, "data_categories", path, categories, "category")
        country = entry.get("country")
        if not isinstance(country, str) or not COUNTRY.match(country):
            c.error(f"{path}.country", "required: an ISO 3166-1 alpha-2 code such as FR")
        elif needs_safeguard(country) and not entry.get("transfer_safeguard"):
            # R26 / Art. 44-46: outside the EEA and without adequacy, a safeguard is needed.
            c.error(
                f"{path}.transfer_safeguard",
                f"{country} is outside the EEA without an adequacy decision: record the "
                "safeguard (SCC, BCR, …) or the transfer is refused (Art. 46)",
            )
        for field in ("contract_reference", "privacy_contact", "source"):
            c.string(entry, field, path)

    recipients = c.keyed_list(doc, "recipients", recipient)
    recipient_country = {
        r.get("key"): r.get("country") for r in doc.get("recipients") or [] if isinstance(r, dict)
    }

    def transfers(entry: dict[str, Any], path: str) -> None:
        value = entry.get("transfers")
        if is_na(value):
            return
        if not isinstance(value, list) or not value:
            c.error(f"{path}.transfers", 'required: a list of transfers or "N/A: reason"')
            return
        for index, transfer in enumerate(value):
            tpath = f"{path}.transfers[{index}]"
            t = c.mapping(transfer, tpath)
            if not t:
                continue
            if t.get("recipient") not in recipients:
                c.error(f"{tpath}.recipient", f"unknown recipient {t.get('recipient')!r}")
            country = t.get("country") or recipient_country.get(t.get("recipient"))
            if not isinstance(country, str) or not COUNTRY.match(country):
                c.error(f"{tpath}.country", "required: an ISO 3166-1 alpha-2 code")
            elif needs_safeguard(country) and not t.get("safeguard"):
                c.error(
                    f"{tpath}.safeguard", f"a transfer to {country} needs a safeguard (Art. 46)"
                )

    def activity(entry: dict[str, Any], path: str) -> None:
        c.choice(entry, "role", path, ROLES)
        c.bilingual(entry, "name", path)
        purposes = entry.get("purposes")
        if not isinstance(purposes, list) or not purposes:
            c.error(f"{path}.purposes", "required (Art. 30(1)(b)): at least one purpose")
        else:
            for index, purpose in enumerate(purposes):
                ppath = f"{path}.purposes[{index}]"
                p = c.mapping(purpose, ppath)
                if not p:
                    continue
                c.bilingual(p, "text", ppath)
                basis = c.choice(p, "legal_basis", ppath, LEGAL_BASES)
                if basis == "legitimate_interest":
                    c.bilingual(p, "legitimate_interest", ppath)
        c.references(entry, "subject_categories", path, subjects, "subject category")
        c.references(entry, "data_categories", path, categories, "category")
        c.bilingual(entry, "data_sources", path)
        c.references(entry, "recipients", path, recipients, "recipient")
        transfers(entry, path)
        c.references(entry, "security_measures", path, measures, "security measure", allow_all=True)
        if not isinstance(entry.get("automated_decision"), bool):
            c.error(f"{path}.automated_decision", "required: true or false (Art. 22)")

    c.keyed_list(doc, "activities", activity)

    def processor_line(entry: dict[str, Any], path: str) -> None:
        client = c.mapping(entry.get("client"), f"{path}.client")
        if client:
            c.string(client, "name", f"{path}.client")
            c.string(client, "contact", f"{path}.client")
            if not (is_na(client.get("dpo")) or isinstance(client.get("dpo"), (dict, str))):
                c.error(f"{path}.client.dpo", 'required: the DPO or "N/A: reason"')
        processing = entry.get("processing")
        if not isinstance(processing, list) or not processing:
            c.error(
                f"{path}.processing", "required (Art. 30(2)(b)): the processing done for the client"
            )
        else:
            for index in range(len(processing)):
                c.bilingual(processing, index, f"{path}.processing")
        c.references(entry, "sub_processors", path, recipients, "recipient")
        transfers(entry, path)
        c.references(entry, "security_measures", path, measures, "security measure", allow_all=True)

    if doc.get("processor_register") is not None:
        c.keyed_list(doc, "processor_register", processor_line)
    return c.errors
