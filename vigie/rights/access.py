"""The access package (Art. 15, R51, R52): compiled from every store and the register.

``compile_package`` reads the person's data from Vigie's own store and every enabled
source (``sources.find_subject``: journaled), the recipients it was actually disclosed
to (``disclosures``), and the register's information (purposes, legal bases, categories,
retention, recipients, transfers, the supervisory authority). It writes the 11 sections
of R51 in the case's language, with labels rather than codes and dates as JJ/MM/AAAA.

Third parties are masked (Art. 15(4), R52): every text value goes through
``pii.masking.mask_third_parties`` with the person's own identifiers (theirs stay), so
a colleague's address in a ticket becomes « [tiers masqué] », each masking journaled;
card numbers are masked whoever they belong to, and an IBAN shows only its last four
characters (journaled too).

The package is stored sealed (``access_models.AccessPackage``), never sent as an
attachment: see ``access_delivery`` for the personal space and the signed link.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.disclosures.services import recipients_of
from vigie.lib import crypto, keyring
from vigie.lib.controller import current_controller
from vigie.lib.legal_calendar import paris_day
from vigie.people.models import Person
from vigie.people.models import Source as PersonSource
from vigie.people.services import PersonUnavailable, open_person
from vigie.pii.identifiers import find_ibans
from vigie.pii.masking import mask_third_parties
from vigie.pii.mentions import Identifiers
from vigie.register.document import is_na, text
from vigie.register.exports import LEGAL_BASIS_LABELS, retention_rows
from vigie.register.services import current_revision
from vigie.rights.access_labels import Labels
from vigie.rights.access_models import AccessPackage
from vigie.rights.actions import RightsAction
from vigie.rights.models import Case, IdentityStatus, RequestType
from vigie.rights.services import RightsError, _log, _require, requester_of
from vigie.sources.display import BUILTIN_TABLES, category_labels, kept_text, source_names
from vigie.sources.services import find_subject
from vigie.sources.types import FindResult, Subject

_KEY_PURPOSE = "rights-access-package"
#: The eleven sections of R51, in their order.
SECTIONS = (
    "confirmation",
    "data",
    "purposes",
    "categories",
    "recipients",
    "retention",
    "rights",
    "complaint",
    "origin",
    "automated_decisions",
    "transfers",
)


def package_days() -> int:
    return int(getattr(settings, "ACCESS_PACKAGE_DAYS", 30))


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return paris_day(value).strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


# -- sealing -----------------------------------------------------------------------------------


def _aad(package_id: Any) -> str:
    return f"rights.access_package:{package_id}:content"


def seal_content(package_id: Any, content: Mapping[str, Any]) -> bytes:
    body = json.dumps(content, ensure_ascii=False)
    return crypto.seal_text(keyring.derive_key(_KEY_PURPOSE), body, _aad(package_id))


def open_content(package: AccessPackage) -> dict[str, Any]:
    body = crypto.open_text(
        keyring.derive_key(_KEY_PURPOSE), bytes(package.content_sealed), _aad(package.pk)
    )
    result: dict[str, Any] = json.loads(body)
    return result


# -- values as a person reads them -------------------------------------------------------------


def shown(value: Any) -> str | None:
    """A stored value as text: dates JJ/MM/AAAA, yes/no in words; None when empty."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (bytes, memoryview)):
        return _("(binary content, %(size)d bytes)") % {"size": len(bytes(value))}
    if isinstance(value, (list, tuple, set)):
        items = [shown(v) for v in value]
        return ", ".join(i for i in items if i) or None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


#: Joins the texts of one package for a single scan; no identifier can span it.
_SEPARATOR = "\n\u241e\n"


class Masker:
    """Masks third parties in the texts of one package (R52).

    Texts are collected with :meth:`add`, then :meth:`flush` scans them in one pass and
    journals the maskings in one event per package (kind, reason and position of each,
    never the value) instead of one per text: an access package of a long ticket history
    would otherwise write hundreds of audit events. An IBAN keeps its last four
    characters, the person's own too (R18, R30)."""

    def __init__(
        self, actor: Actor, identifiers: Iterable[str], case: Case, *, what: str = "access-package"
    ) -> None:
        self.actor = actor
        self.identifiers = Identifiers.parse(identifiers)
        self.case = case
        self.what = what
        self.count = 0
        self.ibans = 0
        self.pending: list[tuple[dict[str, str], str, str]] = []

    def add(self, values: dict[str, str], column: str, value: str) -> None:
        value = self._iban(value)
        values[column] = value
        if any(c.isdigit() for c in value) or "@" in value:
            # Only texts with an address or a number can hold what is masked.
            self.pending.append((values, column, value))

    def flush(self) -> None:
        context = f"rights:{self.what}:{self.case.number}"
        if self.ibans:
            record_event(
                self.actor,
                Action.PII_MASK,
                self.case,
                extra={
                    "context": context,
                    "count": self.ibans,
                    "counts": {"iban:art32_security": self.ibans},
                },
            )
        if not self.pending:
            return
        texts = [text for _values, _column, text in self.pending]
        masked = mask_third_parties(
            _SEPARATOR.join(texts),
            self.identifiers,
            actor=self.actor,
            context=context,
            obj=self.case,
            kinds=_THIRD_PARTY_KINDS,
        )
        parts = masked.text.split(_SEPARATOR)
        if len(parts) != len(texts):
            raise RuntimeError("masking changed the separator of the package's texts")
        for (values, column, _text), part in zip(self.pending, parts, strict=True):
            values[column] = part
        self.count += len(masked.maskings)
        self.pending = []

    def _iban(self, value: str) -> str:
        found = list(find_ibans(value))
        if not found:
            return value
        parts, position = [], 0
        for finding in found:
            compact = finding.normalized or finding.text.replace(" ", "")
            parts += [value[position : finding.start], "•••• " + compact[-4:]]
            position = finding.end
        parts.append(value[position:])
        self.ibans += len(found)
        self.count += len(found)
        return "".join(parts)


def _third_party_kinds() -> frozenset[Any]:
    from vigie.pii.findings import PHONE_KINDS, Kind

    return frozenset({Kind.EMAIL, Kind.NIR, Kind.IBAN, *PHONE_KINDS})


_THIRD_PARTY_KINDS = _third_party_kinds()


# -- the sections --------------------------------------------------------------------------------


def _data_section(results: list[FindResult], mask: Masker) -> tuple[list[dict[str, Any]], set[str]]:
    names = source_names()
    categories = category_labels()
    words = Labels()
    sources, found_categories = [], set()
    for result in results:
        label, tables = names.get(result.source, (result.source, {}))
        rows = []
        for row in result.rows:
            found_categories.add(row.category)
            # Each value under its field's label, in the person's language (R51).
            values: dict[str, str] = {}
            for column, raw in row.values.items():
                value = shown(words.value(result.source, row.table, column, raw))
                if value is None:
                    continue
                field = words.field(result.source, row.table, column)
                if field in values:
                    field = f"{field} ({column})"
                if isinstance(raw, str):
                    mask.add(values, field, value)
                else:
                    values[field] = value
            kept = result.kept_row(row.table, row.key)
            rows.append(
                {
                    "table": str(tables.get(row.table) or BUILTIN_TABLES.get(row.table, row.table)),
                    "reference": row.key,
                    "category": categories.get(row.category, row.category),
                    "values": values,
                    "kept": kept_text(kept.ground, kept.ends_on) if kept else "",
                }
            )
        items = sum(result.table_counts.values())
        sources.append({"source": result.source, "label": label, "items": items, "rows": rows})
    return sources, found_categories


def _activities(doc: dict[str, Any], keys: set[str]) -> list[dict[str, Any]]:
    """The controller's activities that use one of the person's data categories."""
    out = []
    for entry in doc.get("activities") or []:
        if entry.get("role") != "controller":
            continue
        used = entry.get("data_categories")
        used = [] if is_na(used) else (list(keys) if used == "all" else list(used))
        if keys & set(used):
            out.append(entry)
    return out


def _register_sections(
    doc: dict[str, Any], keys: set[str], lang: str, person: Person | None
) -> dict[str, Any]:
    activities = _activities(doc, keys)
    bases = LEGAL_BASIS_LABELS[lang]
    purposes = [
        {
            "activity": text(a["name"], lang),
            "purpose": text(p["text"], lang),
            "legal_basis": bases.get(p["legal_basis"], p["legal_basis"]),
        }
        for a in activities
        for p in a["purposes"]
    ]
    index = {c["key"]: c for c in doc.get("data_categories") or []}
    category_keys = sorted(k for k in keys if k in index)
    recipients = {r["key"]: r for r in doc.get("recipients") or []}
    named: dict[str, dict[str, str]] = {}
    transfers: list[str] = []
    for activity in activities:
        if not is_na(activity["recipients"]):
            for key in activity["recipients"]:
                recipient = recipients[key]
                named[key] = {
                    "name": text(recipient["name"], lang),
                    "category": _recipient_category(recipient.get("category", "")),
                }
        if not is_na(activity["transfers"]):
            for transfer in activity["transfers"]:
                recipient = recipients[transfer["recipient"]]
                safeguard = transfer.get("safeguard") or recipient.get("transfer_safeguard") or ""
                transfers.append(
                    f"{text(recipient['name'], lang)} → "
                    f"{transfer.get('country') or recipient['country']} : {safeguard}"
                )
    retention = [
        {
            "category": row["category"],
            "duration": row["active"]
            + (f" ; {_('archive')} : {row['archive']}" if row["archive_duration"] else ""),
            "from": row["start_event"],
            "legal_reference": row["legal_reference"],
        }
        for row in retention_rows(doc, category_keys, lang)
    ]
    return {
        "purposes": purposes,
        "categories": [text(index[k]["label"], lang) for k in category_keys],
        "recipient_categories": sorted(named.values(), key=lambda r: r["name"]),
        "retention": retention,
        "transfers": transfers,
        "automated": any(a.get("automated_decision") for a in activities),
    }


def _recipient_category(code: str) -> str:
    from vigie.register.labels import RECIPIENT_CATEGORIES

    label = RECIPIENT_CATEGORIES.get(code)
    return str(label) if label else code


def _origin(person: Person | None) -> list[dict[str, str]]:
    """R8: where data not collected from the person came from."""
    if person is None or person.source == PersonSource.SUBJECT:
        return []
    return [
        {
            "source": str(PersonSource(person.source).label),
            "name": person.source_name,
            "date": day(person.collected_at),
            "permission": person.partner_permission_ref,
        }
    ]


def _rights() -> list[str]:
    return [
        _("Rectification of inaccurate or incomplete data (Art. 16)."),
        _("Erasure (Art. 17)."),
        _("Restriction of processing (Art. 18)."),
        _("Objection to processing, at any time to direct marketing (Art. 21)."),
        _("Portability of the data you provided (Art. 20)."),
        _("Withdrawal of your consent at any time (Art. 7(3))."),
        _("Directives on what becomes of your data after your death (loi I&L art. 85)."),
    ]


def _complaint() -> dict[str, str]:
    controller = current_controller()
    authority = controller.authority if controller else None
    if authority is None:
        raise RightsError(_("The register names no supervisory authority: load the register."))
    return {
        "name": authority.name,
        "address": authority.address,
        "phone": authority.phone,
        "complaint_url": authority.complaint_url,
        "controller": controller.name if controller else "",
        "controller_address": controller.address if controller else "",
        "privacy_contact": controller.privacy_contact if controller else "",
    }


# -- compiling -----------------------------------------------------------------------------------


def subject_of(case: Case) -> tuple[Subject, list[str]]:
    """Whom to look for: the person's addresses on file (main and further), else the
    requester's own address; and every identifier of theirs the masking must keep."""
    identifiers: list[str] = []
    emails: list[str] = []
    if case.person is not None:
        try:
            data = open_person(case.person)
        except PersonUnavailable:
            data = None
        if data is not None:
            emails += list(data.emails)
            identifiers += [
                data.phone,
                f"{data.first_name} {data.last_name}".strip(),
                *[p.value for p in data.contact_points],
            ]
    if not emails:
        requester = requester_of(case)
        emails = [requester.on_file_email or requester.email]
        identifiers += [requester.name, requester.phone]
    emails = [e for e in emails if e]
    return Subject(email=emails), [i for i in [*emails, *identifiers] if i]


def build_content(actor: Actor, case: Case) -> dict[str, Any]:
    """The package's content, in the case's language (the finding is journaled)."""
    revision = current_revision()
    # Read, never changed here: the stored document itself, not a deep copy of it.
    doc = revision.document if revision is not None else None
    if doc is None:
        raise RightsError(_("No register is loaded: the package needs its information."))
    lang = "en" if case.language.startswith("en") else "fr"
    subject, identifiers = subject_of(case)
    if not subject:
        raise RightsError(_("The request names no address to look for."))
    with translation.override(lang):
        results = find_subject(actor, subject)
        mask = Masker(actor, identifiers, case)
        sources, keys = _data_section(results, mask)
        mask.flush()
        register = _register_sections(doc, keys, lang, case.person)
        received = recipients_of(case.person) if case.person is not None else []
        labels = category_labels()
        disclosed = [
            {
                "name": r.recipient.name(lang),
                "categories": [labels.get(c, c) for c in r.categories],
                "date": day(r.last_disclosed_at),
            }
            for r in received
        ]
        total = sum(s["items"] for s in sources)
        content = {
            "case": case.number,
            "language": lang,
            "compiled_on": day(timezone.now()),
            "counts": {s["source"]: s["items"] for s in sources},
            "sections": {
                "confirmation": _("Yes: we process personal data about you.")
                if total
                else _("No: we hold no personal data about you."),
                "data": sources,
                "purposes": register["purposes"],
                "categories": register["categories"],
                "recipients": {
                    "disclosed": disclosed,
                    "categories": register["recipient_categories"],
                },
                "retention": register["retention"],
                "rights": _rights(),
                "complaint": _complaint(),
                "origin": _origin(case.person)
                or _("All the data was collected from you or the client you work for."),
                "automated_decisions": _("Yes: see the purposes above.")
                if register["automated"]
                else _("None: no decision about you is based solely on automated processing."),
                "transfers": register["transfers"]
                or _("None: no transfer outside the European Economic Area."),
            },
            "masked": mask.count,
        }
    return content


def compile_package(actor: Actor, case: Case) -> AccessPackage:
    """Compile, seal and store the access package of ``case`` (an access request whose
    identity is verified); the timeline says who compiled it."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    if RequestType.ACCESS not in case.types:
        raise RightsError(_("This case does not ask for access."))
    if case.identity_status != IdentityStatus.VERIFIED:
        raise RightsError(_("Identity is not verified: nothing may be disclosed yet."))
    if not case.is_open:
        raise RightsError(_("This case is closed."))
    content = build_content(actor, case)
    now = timezone.now()
    with transaction.atomic():
        package = AccessPackage(
            case=case,
            language=content["language"],
            compiled_at=now,
            compiled_by=f"{actor.kind}:{actor.id}",
            counts=content["counts"],
            expires_at=now + dt.timedelta(days=package_days()),
        )
        package.content_sealed = seal_content(package.pk, content)
        package.save()
        _log(
            actor,
            case,
            RightsAction.ACCESS_COMPILE,
            "access_compiled",
            package=str(package.pk),
            counts=content["counts"],
            expires_at=package.expires_at.isoformat(),
        )
    return package


def current_package(case: Case) -> AccessPackage | None:
    return case.access_packages.order_by("-compiled_at").first()
