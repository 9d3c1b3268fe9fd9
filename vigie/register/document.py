"""Validation of the register document (Art. 30): every error names its path.

The register is one document (see ``docs/register-format.md``): loaded from YAML,
edited in the back-office, stored as immutable revisions. ``validate_document``
returns every problem at once, each with its path (``activities[3].recipients[0]``),
so a file or a form is fixed in one go and nothing is written while one remains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.utils.translation import gettext as _

from vigie.register import labels
from vigie.register.geography import EEA, needs_safeguard

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
#: The sources of an activity's ``collected_from`` (Art. 14: data not obtained from the
#: person), the same codes as ``people.Source``.
INDIRECT_SOURCES = ("client", "partner", "public_source", "enrichment")
MEASURE_KINDS = ("technical", "organisational")
FINAL_ACTIONS = ("delete", "anonymise")
LANGUAGES = ("fr", "en")
SHORT_TEXT = 200  # labels and names (also the projection's column size)
LONG_TEXT = 4000


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


def _too_long(limit: int) -> str:
    return _("too long: at most %(limit)d characters") % {"limit": limit}


def _choices(options: Iterable[str], names: Mapping[str, Any]) -> str:
    """The choices as a reader knows them: « Suppression (delete) », or the bare code."""
    return ", ".join(f"{names[o]} ({o})" if o in names else o for o in options)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[RegisterError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(RegisterError(path, message))

    def mapping(
        self, value: Any, path: str, allowed: Iterable[str] | None = None
    ) -> dict[str, Any] | None:
        """``value`` if it is a mapping (unknown fields reported), else None and an error."""
        if not isinstance(value, dict):
            self.error(path, _("required: a mapping"))
            return None
        if allowed is not None:
            for field in sorted(set(value) - set(allowed), key=str):
                self.error(f"{path}.{field}", _("unknown field"))
        return value

    def string(
        self,
        data: dict[str, Any],
        field: str,
        path: str,
        *,
        optional: bool = False,
        limit: int = LONG_TEXT,
    ) -> str:
        value = data.get(field)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or (not value.strip() and not optional):
            self.error(
                f"{path}.{field}", _("required text") if not optional else _("expected text")
            )
            return ""
        if len(value) > limit:
            self.error(f"{path}.{field}", _too_long(limit))
        return value

    def bilingual(
        self,
        data: Any,
        field: str | int,
        path: str,
        *,
        allow_na: bool = False,
        limit: int = LONG_TEXT,
    ) -> None:
        """``data[field]`` is {fr, en} text; ``field`` may be a list index."""
        value = data[field] if isinstance(field, int) else data.get(field)
        where = f"{path}[{field}]" if isinstance(field, int) else f"{path}.{field}"
        if allow_na and is_na(value):
            return
        if not isinstance(value, dict):
            self.error(where, _("required text in French and English ({fr: …, en: …})"))
            return
        for lang in LANGUAGES:
            text_value = value.get(lang)
            if not isinstance(text_value, str) or not text_value.strip():
                self.error(f"{where}.{lang}", _("required text"))
            elif len(text_value) > limit:
                self.error(f"{where}.{lang}", _too_long(limit))
        extra = set(value) - set(LANGUAGES)
        if extra:
            self.error(
                where,
                _("unknown language(s): %(languages)s")
                % {"languages": ", ".join(sorted(map(str, extra)))},
            )

    def choice(
        self,
        data: dict[str, Any],
        field: str,
        path: str,
        choices: Iterable[str],
        names: Mapping[str, Any],
    ) -> str:
        value = data.get(field)
        options = tuple(choices)
        if not isinstance(value, str) or value not in options:
            self.error(
                f"{path}.{field}",
                _("%(value)s is not one of: %(choices)s")
                % {"value": repr(value), "choices": _choices(options, names)},
            )
            return ""
        return value

    def keyed_list(
        self,
        doc: dict[str, Any],
        field: str,
        item: Callable[[dict[str, Any], str], None],
        allowed: Iterable[str],
    ) -> set[str]:
        items = doc.get(field)
        if not isinstance(items, list) or not items:
            self.error(field, _("required: a non-empty list"))
            return set()
        keys: set[str] = set()
        for index, entry in enumerate(items):
            path = f"{field}[{index}]"
            if self.mapping(entry, path, allowed) is None:
                continue
            key = entry.get("key")
            if not isinstance(key, str) or not KEY.match(key):
                self.error(f"{path}.key", _("required: lowercase letters, digits and '-'"))
            elif key in keys:
                self.error(f"{path}.key", _("duplicate key %(key)s") % {"key": repr(key)})
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
        nouns: str,
        *,
        allow_all: bool = False,
    ) -> list[str]:
        """The keys listed (validated), or [] for "N/A: …"; "all" gives every known key."""
        value = data.get(field)
        if is_na(value):
            return []
        if allow_all and value == "all":
            return sorted(known)
        if not isinstance(value, list) or not value:
            template = (
                _('required: a non-empty list of %(nouns)s keys, "all" or "N/A: reason"')
                if allow_all
                else _('required: a non-empty list of %(nouns)s keys or "N/A: reason"')
            )
            self.error(f"{path}.{field}", template % {"nouns": nouns})
            return []
        found = []
        for index, ref in enumerate(value):
            if not isinstance(ref, str) or ref not in known:
                self.error(
                    f"{path}.{field}[{index}]",
                    _("%(key)s is not a known key of the %(nouns)s")
                    % {"key": repr(ref), "nouns": nouns},
                )
            else:
                found.append(ref)
        return found

    def duration(self, data: dict[str, Any], field: str, path: str) -> None:
        value = data.get(field)
        if value is None:
            return
        try:
            duration_months(value)
        except (ValueError, TypeError):
            self.error(
                f"{path}.{field}",
                _("%(value)s is not an ISO 8601 period such as P6M or P10Y")
                % {"value": repr(value)},
            )

    def boolean(self, data: dict[str, Any], field: str, path: str, message: str) -> None:
        if not isinstance(data.get(field), bool):
            self.error(f"{path}.{field}", message)

    def json_values(self, value: Any, path: str) -> None:
        """Only what JSON can hold: a YAML date or set would not survive a revision."""
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    self.error(f"{path}.{key}", _("field names must be text"))
                self.json_values(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.json_values(item, f"{path}[{index}]")
        elif not (value is None or isinstance(value, (str, bool, int))) or isinstance(value, float):
            self.error(
                path or "(document)",
                _("%(value)s is not text, a number, a list or a mapping") % {"value": repr(value)},
            )


def validate_document(doc: Any) -> list[RegisterError]:
    """Return every problem of the register document, each with its YAML path."""
    c = _Checker()
    if not isinstance(doc, dict):
        return [RegisterError("(document)", _("expected a mapping with controller, activities, …"))]
    c.json_values(doc, "")
    if c.errors:
        return c.errors
    c.mapping(doc, "(document)", SECTIONS)
    if doc.get("version") != 1:
        c.error("version", _("expected 1 (the format version)"))

    controller = c.mapping(doc.get("controller"), "controller", CONTROLLER_FIELDS)
    if controller is not None:
        for field in ("name", "address", "email"):
            c.string(controller, field, "controller", limit=SHORT_TEXT)
        for field in ("phone", "website", "logo"):
            c.string(controller, field, "controller", optional=True, limit=SHORT_TEXT)
        _address(c, controller, "email", "controller")
        _address(c, controller, "privacy_contact", "controller", optional=True)
        if "senders" in controller:
            senders = c.mapping(controller.get("senders"), "controller.senders", SENDER_FIELDS)
            if senders is not None:
                # The service sender is what every e-mail goes out from; the others
                # fall back to it (marketing) or are left out (Reply-To, mailto).
                _address(c, senders, "service", "controller.senders", display_name=True)
                _address(
                    c, senders, "marketing", "controller.senders", optional=True, display_name=True
                )
                for field in ("reply_to", "unsubscribe_mailbox"):
                    _address(c, senders, field, "controller.senders", optional=True)
        _person_or_na(c, controller, "dpo", "controller", required_email=True)
        if "representative" in controller:
            _person_or_na(c, controller, "representative", "controller", required_email=False)
        authority = c.mapping(
            controller.get("supervisory_authority"),
            "controller.supervisory_authority",
            AUTHORITY_FIELDS,
        )
        if authority is not None:
            for field in AUTHORITY_FIELDS:
                c.string(authority, field, "controller.supervisory_authority", limit=SHORT_TEXT)

    def subject(entry: dict[str, Any], path: str) -> None:
        c.bilingual(entry, "label", path, limit=SHORT_TEXT)

    def category(entry: dict[str, Any], path: str) -> None:
        c.bilingual(entry, "label", path, limit=SHORT_TEXT)
        c.bilingual(entry, "description", path)
        if "sensitive" in entry:
            c.boolean(entry, "sensitive", path, _("expected true or false (Art. 9 data)"))
        rpath = f"{path}.retention"
        rule = c.mapping(entry.get("retention"), rpath, RETENTION_FIELDS)
        if rule is None:
            return
        c.bilingual(rule, "start_event", rpath)
        c.bilingual(rule, "active_text", rpath)
        c.duration(rule, "active_duration", rpath)
        c.duration(rule, "archive_duration", rpath)
        c.bilingual(rule, "archive_text", rpath, allow_na=True)
        c.choice(rule, "final_action", rpath, FINAL_ACTIONS, labels.FINAL_ACTIONS)
        c.string(rule, "legal_reference", rpath, limit=300)
        c.string(rule, "source", rpath, limit=SHORT_TEXT)

    def measure(entry: dict[str, Any], path: str) -> None:
        c.choice(entry, "kind", path, MEASURE_KINDS, labels.MEASURE_KINDS)
        c.bilingual(entry, "label", path)
        c.string(entry, "source", path, limit=SHORT_TEXT)

    subjects = c.keyed_list(doc, "subject_categories", subject, ("key", "label"))
    categories = c.keyed_list(doc, "data_categories", category, CATEGORY_FIELDS)
    measures = c.keyed_list(doc, "security_measures", measure, ("key", "kind", "label", "source"))

    def recipient(entry: dict[str, Any], path: str) -> None:
        c.bilingual(entry, "name", path, limit=SHORT_TEXT)
        c.choice(entry, "category", path, RECIPIENT_CATEGORIES, labels.RECIPIENT_CATEGORIES)
        c.bilingual(entry, "purposes", path)
        c.references(entry, "data_categories", path, categories, _("data categories"))
        country = entry.get("country")
        safeguard = entry.get("transfer_safeguard")
        if safeguard is not None and (not isinstance(safeguard, str) or not safeguard.strip()):
            c.error(f"{path}.transfer_safeguard", _("expected text (SCC, BCR, adequacy…) or null"))
        if not isinstance(country, str) or not COUNTRY.match(country):
            c.error(f"{path}.country", _("required: an ISO 3166-1 alpha-2 code such as FR"))
        elif needs_safeguard(country) and not safeguard:
            # R26 / Art. 44-46: outside the EEA and without adequacy, a safeguard is needed.
            c.error(
                f"{path}.transfer_safeguard",
                _(
                    "%(country)s is outside the EEA without an adequacy decision: record the "
                    "safeguard (SCC, BCR, …) or the transfer is refused (Art. 46)"
                )
                % {"country": country},
            )
        for field in ("contract_reference", "privacy_contact", "source"):
            c.string(entry, field, path, limit=SHORT_TEXT)

    recipients = c.keyed_list(doc, "recipients", recipient, RECIPIENT_FIELDS)
    by_key = {
        r["key"]: r
        for r in doc.get("recipients") or []
        if isinstance(r, dict) and isinstance(r.get("key"), str)
    }

    def transfers(entry: dict[str, Any], path: str, used: list[str]) -> None:
        """Art. 30(1)(e): every recipient outside the EEA appears here, and only those."""
        abroad = [
            k
            for k in used
            if isinstance(by_key[k].get("country"), str) and by_key[k]["country"] not in EEA
        ]
        value = entry.get("transfers")
        if is_na(value):
            for key in abroad:
                c.error(
                    f"{path}.transfers",
                    _(
                        "recipient %(key)s is in %(country)s, outside the EEA: "
                        "list the transfer instead of N/A"
                    )
                    % {"key": repr(key), "country": by_key[key]["country"]},
                )
            return
        if not isinstance(value, list) or not value:
            c.error(f"{path}.transfers", _('required: a list of transfers or "N/A: reason"'))
            return
        listed = set()
        for index, transfer in enumerate(value):
            tpath = f"{path}.transfers[{index}]"
            t = c.mapping(transfer, tpath, ("recipient", "country", "safeguard"))
            if t is None:
                continue
            ref = t.get("recipient")
            if not isinstance(ref, str) or ref not in recipients:
                c.error(
                    f"{tpath}.recipient",
                    _("%(key)s is not a known key of the %(nouns)s")
                    % {"key": repr(ref), "nouns": _("recipients")},
                )
                continue
            listed.add(ref)
            country = t.get("country", by_key[ref].get("country"))
            if not isinstance(country, str) or not COUNTRY.match(country):
                c.error(f"{tpath}.country", _("required: an ISO 3166-1 alpha-2 code"))
            elif country in EEA:
                c.error(
                    f"{tpath}.country",
                    _("%(country)s is in the EEA: this is not a transfer") % {"country": country},
                )
            elif needs_safeguard(country) and not (
                t.get("safeguard") or by_key[ref].get("transfer_safeguard")
            ):
                c.error(
                    f"{tpath}.safeguard",
                    _("a transfer to %(country)s needs a safeguard (Art. 46)")
                    % {"country": country},
                )
            if (
                "safeguard" in t
                and t["safeguard"] is not None
                and not isinstance(t["safeguard"], str)
            ):
                c.error(f"{tpath}.safeguard", _("expected text or null"))
        for key in abroad:
            if key not in listed:
                c.error(
                    f"{path}.transfers",
                    _("recipient %(key)s is outside the EEA: list its transfer")
                    % {"key": repr(key)},
                )

    def activity(entry: dict[str, Any], path: str) -> None:
        c.choice(entry, "role", path, ROLES, labels.ROLES)
        c.bilingual(entry, "name", path, limit=SHORT_TEXT)
        purposes = entry.get("purposes")
        if not isinstance(purposes, list) or not purposes:
            c.error(f"{path}.purposes", _("required (Art. 30(1)(b)): at least one purpose"))
        else:
            for index, purpose in enumerate(purposes):
                ppath = f"{path}.purposes[{index}]"
                p = c.mapping(purpose, ppath, PURPOSE_FIELDS)
                if p is None:
                    continue
                c.bilingual(p, "text", ppath)
                basis = c.choice(p, "legal_basis", ppath, LEGAL_BASES, labels.LEGAL_BASES)
                if basis == "legitimate_interest":
                    c.bilingual(p, "legitimate_interest", ppath)
                elif "legitimate_interest" in p:
                    c.error(
                        f"{ppath}.legitimate_interest",
                        _("only with legal_basis legitimate_interest"),
                    )
                if "source" in p:
                    c.string(p, "source", ppath, limit=SHORT_TEXT)
        activity_subjects = c.references(
            entry,
            "subject_categories",
            path,
            subjects,
            _("categories of people"),
        )
        activity_categories = c.references(
            entry, "data_categories", path, categories, _("data categories")
        )
        if isinstance(purposes, list):
            for index, purpose in enumerate(purposes):
                if isinstance(purpose, dict) and "subject_categories" in purpose:
                    _within(
                        c,
                        purpose,
                        "subject_categories",
                        f"{path}.purposes[{index}]",
                        activity_subjects,
                        _("categories of people of the activity"),
                    )
        collected = entry.get("collected_from")
        if collected is not None:
            if not isinstance(collected, dict) or not collected:
                c.error(
                    f"{path}.collected_from",
                    _("expected a mapping: source → data category key"),
                )
            else:
                for source, key in collected.items():
                    spath = f"{path}.collected_from"
                    c.choice(
                        {source: source}, source, spath, INDIRECT_SOURCES, labels.INDIRECT_SOURCES
                    )
                    if not isinstance(key, str) or key not in activity_categories:
                        c.error(
                            f"{spath}.{source}",
                            _("%(key)s is not one of the activity's data categories")
                            % {"key": repr(key)},
                        )
        if is_na(entry.get("data_categories")):
            c.error(
                f"{path}.data_categories", _("required: the categories of data (Art. 30(1)(c))")
            )
        c.bilingual(entry, "data_sources", path)
        used = c.references(entry, "recipients", path, recipients, _("recipients"))
        transfers(entry, path, used)
        c.references(
            entry,
            "security_measures",
            path,
            measures,
            _("security measures"),
            allow_all=True,
        )
        c.boolean(entry, "automated_decision", path, _("required: true or false (Art. 22)"))

    c.keyed_list(doc, "activities", activity, ACTIVITY_FIELDS)

    def processor_line(entry: dict[str, Any], path: str) -> None:
        client = c.mapping(entry.get("client"), f"{path}.client", ("name", "contact", "dpo"))
        if client is not None:
            c.string(client, "name", f"{path}.client", limit=SHORT_TEXT)
            c.string(client, "contact", f"{path}.client", limit=SHORT_TEXT)
            _person_or_na(c, client, "dpo", f"{path}.client", required_email=False)
        processing = entry.get("processing")
        if not isinstance(processing, list) or not processing:
            c.error(
                f"{path}.processing",
                _("required (Art. 30(2)(b)): the processing done for the client"),
            )
        else:
            for index in range(len(processing)):
                c.bilingual(processing, index, f"{path}.processing")
        used = c.references(entry, "sub_processors", path, recipients, _("recipients"))
        transfers(entry, path, used)
        c.references(
            entry,
            "security_measures",
            path,
            measures,
            _("security measures"),
            allow_all=True,
        )

    if doc.get("processor_register") is not None:
        c.keyed_list(doc, "processor_register", processor_line, PROCESSOR_FIELDS)
    return c.errors


def _within(
    c: _Checker, data: dict[str, Any], field: str, path: str, allowed: list[str], nouns: str
) -> None:
    """An optional non-empty list of keys, each one of ``allowed``."""
    value = data.get(field)
    if not isinstance(value, list) or not value:
        c.error(f"{path}.{field}", _("expected a non-empty list of keys"))
        return
    for index, ref in enumerate(value):
        if ref not in allowed:
            c.error(
                f"{path}.{field}[{index}]",
                _("%(key)s is not a known key of the %(nouns)s")
                % {"key": repr(ref), "nouns": nouns},
            )


def _person_or_na(
    c: _Checker, data: dict[str, Any], field: str, path: str, *, required_email: bool
) -> None:
    """A DPO or representative: {name, email} or "N/A: reason"."""
    value = data.get(field)
    if is_na(value):
        return
    fields = ("name", "email")
    person = c.mapping(value, f"{path}.{field}", fields) if isinstance(value, dict) else None
    if person is None:
        if not isinstance(value, dict):
            c.error(
                f"{path}.{field}", _('required: {name, email} or "N/A: reason" (Art. 30(1)(a))')
            )
        return
    c.string(person, "name", f"{path}.{field}", limit=SHORT_TEXT)
    c.string(person, "email", f"{path}.{field}", optional=not required_email, limit=SHORT_TEXT)


def _address(
    c: _Checker,
    data: dict[str, Any],
    field: str,
    path: str,
    *,
    optional: bool = False,
    display_name: bool = False,
) -> None:
    """An e-mail address (``Name <a@b>`` also accepted where ``display_name``)."""
    value = data.get(field)
    if value is None or value == "":
        if not optional and field not in ("email",):
            c.error(f"{path}.{field}", _("required: an e-mail address"))
        return
    if not isinstance(value, str):
        c.error(f"{path}.{field}", _("expected an e-mail address"))
        return
    name, address = parseaddr(value)
    local, _at, domain = address.rpartition("@")
    if not local or "." not in domain or (name and not display_name) or len(value) > SHORT_TEXT:
        c.error(f"{path}.{field}", _("not an e-mail address: %(value)s") % {"value": repr(value)})


SECTIONS = (
    "version",
    "controller",
    "subject_categories",
    "data_categories",
    "recipients",
    "security_measures",
    "activities",
    "processor_register",
)
CONTROLLER_FIELDS = (
    "name",
    "address",
    "email",
    "phone",
    "website",
    "logo",
    "privacy_contact",
    "senders",
    "dpo",
    "representative",
    "supervisory_authority",
)
SENDER_FIELDS = ("service", "marketing", "reply_to", "unsubscribe_mailbox")
AUTHORITY_FIELDS = ("name", "address", "phone", "complaint_url")
CATEGORY_FIELDS = ("key", "label", "description", "sensitive", "retention")
RETENTION_FIELDS = (
    "start_event",
    "active_duration",
    "active_text",
    "archive_duration",
    "archive_text",
    "final_action",
    "legal_reference",
    "source",
)
RECIPIENT_FIELDS = (
    "key",
    "name",
    "category",
    "purposes",
    "data_categories",
    "country",
    "transfer_safeguard",
    "contract_reference",
    "privacy_contact",
    "source",
)
PURPOSE_FIELDS = ("text", "legal_basis", "legitimate_interest", "subject_categories", "source")
ACTIVITY_FIELDS = (
    "key",
    "role",
    "name",
    "purposes",
    "subject_categories",
    "data_categories",
    "data_sources",
    "collected_from",
    "recipients",
    "transfers",
    "security_measures",
    "automated_decision",
)
PROCESSOR_FIELDS = (
    "key",
    "client",
    "processing",
    "sub_processors",
    "transfers",
    "security_measures",
)
