"""Portability (Art. 20, R58): the person's provided and observed data, JSON and CSV.

For a case of type portability whose requester's identity is verified, the export is
made from what the manifests mark portable (``vigie.sources.portable``): Vigie's own
store and every enabled source, the person's own rows only. It is

- a UTF-8 JSON document valid against the published schema
  (``docs/portability.schema.json``, draft 2020-12; checked before it is stored);
- the same data as CSV, one file per section, in a zip.

Both are stored sealed, bound to the export's row, until ``RIGHTS_PORTABILITY_DAYS``.
The person downloads them from their personal space; a receiving controller gets a
one-time link (Art. 20(2)) that works once, then refuses. Every download is journaled
(a read, and a step of the case's timeline). What is in and out, and why:
``docs/portability.md``.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_read
from vigie.lib import bounds, crypto, keyring
from vigie.lib.controller import current_controller
from vigie.lib.legal_calendar import paris_day
from vigie.lib.spreadsheet import csv_bytes
from vigie.mail.addressing import To
from vigie.mail.models import Kind
from vigie.mail.services import queue_message
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, open_person
from vigie.rights.actions import RightsAction
from vigie.rights.models import Case, IdentityStatus, RequestType
from vigie.rights.portability_models import PortabilityExport, TransferLink
from vigie.rights.services import RightsError, _check_open, _log, _require
from vigie.sources.portable import PortableSection, portable_subject
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import Subject

SCHEMA_PATH = Path(__file__).with_name("portability.schema.json")
LINK_TEMPLATE = "rights_portability_link"
#: The mail recipient reference of a receiving controller (``letters.requester_address``).
TRANSFER_REF = "portability-transfer:"
JSON = "json"
CSV = "csv"
FORMATS = (JSON, CSV)
_KEY_PURPOSE = "rights-portability"
_LINK_SALT = "vigie.rights.portability.link"


class LinkRefused(Exception):
    """A one-time link that cannot be used: ``reason`` is ``used``, ``expired`` or ``unknown``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    content_type: str


def export_days() -> int:
    return int(getattr(settings, "RIGHTS_PORTABILITY_DAYS", 30))


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def schema_errors(document: Any) -> list[str]:
    """What makes ``document`` invalid against the published schema (empty: valid)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(document)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def _aad(export_id: uuid.UUID, field: str) -> str:
    return f"rights.portability:{export_id}:{field}"


def _seal(row_id: uuid.UUID, field: str, data: bytes) -> bytes:
    return crypto.seal(keyring.derive_key(_KEY_PURPOSE), data, _aad(row_id, field))


def _open(row_id: uuid.UUID, field: str, blob: bytes | memoryview) -> bytes:
    return crypto.open_sealed(keyring.derive_key(_KEY_PURPOSE), bytes(blob), _aad(row_id, field))


# -- making the export ----------------------------------------------------------------------


def subject_of(case: Case) -> Subject:
    """Whom the export is about: every address of the case's person."""
    if case.person is None:
        raise RightsError(_("This request is not linked to a person: nothing can be exported."))
    try:
        data = open_person(case.person)
    except PersonUnavailable:
        raise RightsError(_("This person's data can no longer be read.")) from None
    return Subject(email=data.emails)


def document(case: Case, sections: list[PortableSection], now: Any, expires: Any) -> dict[str, Any]:
    controller = current_controller()
    return {
        "format": "vigie-portability",
        "version": 1,
        "generated_at": now.isoformat(),
        "expires_at": expires.isoformat(),
        "controller": {"name": controller.name if controller else ""},
        "case": case.number,
        "kinds": {
            "provided": "données que vous nous avez fournies / data you provided",
            "observed": "données issues de votre utilisation / data observed from your use",
        },
        "sections": [
            {
                "source": s.source,
                "source_label": dict(s.source_label),
                "table": s.table,
                "label": dict(s.label),
                "fields": dict(s.fields),
                "rows": [{"key": key, "values": values} for key, values in s.rows],
            }
            for s in sections
        ],
    }


#: A whole value that is one e-mail address or one phone number.
_WHOLE_IDENTIFIER = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|\+?[\d\s().-]{8,}")


def _mask_others(actor: Actor, case: Case, doc: dict[str, Any]) -> None:
    """Art. 20(4): the export must not adversely affect others. Other people's addresses,
    phones and card numbers in the person's own texts (a colleague copied in a ticket)
    become « [tiers masqué] », as in the access package (R52); each masking journaled."""
    from vigie.rights.access import Masker
    from vigie.rights.access import subject_of as identifiers_of

    _subject, identifiers = identifiers_of(case)
    # A field that holds nothing but an address or a number is the person's own profile
    # data (the export holds only their rows): theirs stays wherever they wrote it.
    for section in doc["sections"]:
        for row in section["rows"]:
            for value in row["values"].values():
                if isinstance(value, str) and _WHOLE_IDENTIFIER.fullmatch(value.strip()):
                    identifiers.append(value.strip())
    masker = Masker(actor, identifiers, case, what="portability")
    for section in doc["sections"]:
        for row in section["rows"]:
            values = row["values"]
            for field, value in list(values.items()):
                if isinstance(value, str):
                    masker.add(values, field, value)
    masker.flush()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_zip(doc: dict[str, Any]) -> bytes:
    """One UTF-8 CSV per section (key, then each field), in a zip with a README."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        names = []
        for section in doc["sections"]:
            name = f"{section['source']}__{section['table']}.csv"
            fields = list(section["fields"])
            rows = [["key", *fields]] + [
                [row["key"], *(_cell(row["values"].get(f)) for f in fields)]
                for row in section["rows"]
            ]
            # Through the one spreadsheet helper: a cell a spreadsheet would run as a
            # formula (= + - @ …) gets a leading ' (the JSON keeps the value as it is).
            archive.writestr(name, csv_bytes(rows, delimiter=",", bom=False))
            names.append(f"{name}: {section['label']['en']} ({', '.join(fields)})")
        readme = (
            f"Portability export {doc['case']} ({doc['controller']['name']}), "
            f"{doc['generated_at']}.\nOne CSV file per table, UTF-8, comma-separated; "
            "the same data as the JSON document, except that a cell starting with = + - @ "
            "or a tab gets a leading ' (spreadsheet formula injection).\n\n"
            + "\n".join(names)
            + "\n"
        )
        archive.writestr("README.txt", readme.encode("utf-8"))
    return buffer.getvalue()


def build_export(actor: Actor, case: Case) -> PortabilityExport:
    """Make the case's export: read, validate, seal, store; an earlier one expires now.

    Refused (``RightsError``) when the case is closed, is not a portability request,
    its requester's identity is not verified, or a source cannot answer.
    """
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    _check_open(case)
    if RequestType.PORTABILITY not in case.types:
        raise RightsError(_("This request is not a portability request."))
    if case.identity_status != IdentityStatus.VERIFIED:
        raise RightsError(_("The requester's identity is not verified yet."))
    subject = subject_of(case)
    try:
        sections = portable_subject(actor, subject)
    except SourceError:
        raise RightsError(
            _("A source could not be read: the export would miss data. Try again later.")
        ) from None
    now = timezone.now()
    expires = now + timedelta(days=export_days())
    doc = document(case, sections, now, expires)
    _mask_others(actor, case, doc)
    problems = schema_errors(doc)
    if problems:
        raise RightsError(
            _("The export does not match its schema: %(problems)s")
            % {"problems": "; ".join(problems[:3])}
        )
    text = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    with transaction.atomic():
        PortabilityExport.objects.filter(case=case, expires_at__gt=now).update(expires_at=now)
        export = PortabilityExport(
            case=case,
            created_at=now,
            expires_at=expires,
            created_by=f"{actor.kind}:{actor.id}",
            sections=len(sections),
            rows=sum(len(s.rows) for s in sections),
        )
        export.json_sealed = _seal(export.pk, JSON, text)
        export.csv_sealed = _seal(export.pk, CSV, csv_zip(doc))
        export.save(force_insert=True)
        _log(
            actor,
            case,
            RightsAction.PORTABILITY_BUILD,
            "portability_built",
            sections=export.sections,
            rows=export.rows,
            expires_at=expires.isoformat(),
        )
    return export


def delete_expired(now: Any = None) -> int:
    """Daily: the files of every export past its expiry are deleted (the row, its counts
    and dates stay); idempotent. Returns how many were emptied."""
    now = now or timezone.now()
    done = 0
    due = PortabilityExport.objects.filter(expires_at__lte=now, deleted_at__isnull=True)
    for export_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            export = (
                PortabilityExport.objects.select_for_update()
                .select_related("case")
                .filter(pk=export_id, deleted_at__isnull=True)
                .first()
            )
            if export is None:
                continue
            export.json_sealed = b""
            export.csv_sealed = b""
            export.deleted_at = now
            export.save(update_fields=["json_sealed", "csv_sealed", "deleted_at"])
            _log(
                Actor.system("portability expiry"),
                export.case,
                RightsAction.PORTABILITY_DELETE,
                "portability_deleted",
            )
            done += 1
    return done


def current_export(case: Case) -> PortabilityExport | None:
    return case.portability_exports.filter(
        expires_at__gt=timezone.now(), deleted_at__isnull=True
    ).first()


# -- downloading ----------------------------------------------------------------------------


def _file(export: PortabilityExport, fmt: str) -> Download:
    stem = f"{export.case.number}-portabilite"
    if fmt == JSON:
        return Download(
            _open(export.pk, JSON, export.json_sealed),
            f"{stem}.json",
            "application/json; charset=utf-8",
        )
    return Download(_open(export.pk, CSV, export.csv_sealed), f"{stem}-csv.zip", "application/zip")


def download(actor: Actor, export: PortabilityExport, fmt: str, *, by: str) -> Download:
    """The export in ``fmt`` for the person (``by="person"``) or staff (``by="staff"``);
    journaled. Refused once expired."""
    if by == "staff":
        _require(actor, Permission.RIGHTS_CASE_HANDLE)
    if fmt not in FORMATS:
        raise RightsError(_("Unknown format."))
    if export.expires_at <= timezone.now() or export.deleted_at is not None or _erased(export):
        raise RightsError(_("This export has expired: ask for a new one."))
    with transaction.atomic():
        record_read(actor, export.case, view=f"rights.portability.download.{fmt}")
        _log(
            actor,
            export.case,
            RightsAction.PORTABILITY_DOWNLOAD,
            "portability_downloaded",
            format=fmt,
            by=by,
        )
    return _file(export, fmt)


# -- the receiving controller's one-time link (Art. 20(2)) ----------------------------------


def _erased(export: PortabilityExport) -> bool:
    """The person was erased since (by a case or a source's erase): no copy goes out."""
    person_id = export.case.person_id
    if person_id is None:
        return True
    return not Person.objects.filter(pk=person_id, shredded_at__isnull=True).exists()


def link_token(link_id: uuid.UUID) -> str:
    return signing.dumps(link_id.hex, salt=_LINK_SALT)


def read_link_token(token: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(hex=str(signing.loads(token, salt=_LINK_SALT)))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def send_link(actor: Actor, export: PortabilityExport, address: str, *, by: str) -> TransferLink:
    """Send a one-time download link to the receiving controller at ``address``."""
    if by == "staff":
        _require(actor, Permission.RIGHTS_CASE_HANDLE)
    try:
        bounds.check_email(address)
    except bounds.OutOfBounds as error:
        raise RightsError(str(error)) from None
    now = timezone.now()
    if export.expires_at <= now or export.deleted_at is not None:
        raise RightsError(_("This export has expired: ask for a new one."))
    with transaction.atomic():
        link = TransferLink(export=export, created_at=now, expires_at=export.expires_at)
        link.address_sealed = _seal(link.pk, "address", address.strip().encode("utf-8"))
        link.save(force_insert=True)
        message = queue_message(
            actor,
            To.requester(f"{TRANSFER_REF}{link.pk}"),
            LINK_TEMPLATE,
            kind=Kind.SERVICE,
            context={"link": str(link.pk)},
            language=export.case.language,
        )
        link.message_id = message.pk
        link.save(update_fields=["message_id"])
        _log(actor, export.case, RightsAction.PORTABILITY_LINK_SEND, "portability_link_sent", by=by)
    return link


def transfer_address_of(link_id: str) -> str:
    """The receiving controller's address (mail's requester resolver, at send time)."""
    link = TransferLink.objects.filter(pk=uuid.UUID(link_id)).first()
    if link is None:
        return ""
    return _open(link.pk, "address", link.address_sealed).decode("utf-8")


def link_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    link = TransferLink.objects.select_related("export__case").get(pk=uuid.UUID(str(refs["link"])))
    url = settings.SITE_URL.rstrip("/") + reverse(
        "rights:portability-receive", args=[link_token(link.pk)]
    )
    controller = current_controller()
    return {
        "download_url": url + ("?lang=en" if language == "en" else ""),
        "expires_on": paris_day(link.expires_at).strftime("%d/%m/%Y"),
        "number": link.export.case.number,
        "company": controller.name if controller else "",
    }


def link_state(token: str) -> TransferLink:
    """The link a token names, if it can still be used; else ``LinkRefused``."""
    link_id = read_link_token(token)
    if link_id is None:
        raise LinkRefused("unknown")
    link = TransferLink.objects.select_related("export__case").filter(pk=link_id).first()
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    export = link.export
    if min(link.expires_at, export.expires_at) <= timezone.now() or export.deleted_at:
        raise LinkRefused("expired")
    if _erased(export):
        raise LinkRefused("expired")
    return link


def use_link(actor: Actor, token: str) -> Download:
    """The export (JSON and CSV in one zip) for the receiving controller, once: the
    link is spent in the same transaction; a second use is refused (``LinkRefused``)."""
    with transaction.atomic():
        link = link_state(token)
        link = (
            TransferLink.objects.select_for_update().select_related("export__case").get(pk=link.pk)
        )
        if link.used_at is not None:
            raise LinkRefused("used")
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        export = link.export
        record_read(actor, export.case, view="rights.portability.transfer")
        _log(
            actor,
            export.case,
            RightsAction.PORTABILITY_LINK_USE,
            "portability_link_used",
        )
    json_file = _file(export, JSON)
    csv_file = _file(export, CSV)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(json_file.filename, json_file.content)
        archive.writestr(csv_file.filename, csv_file.content)
    return Download(buffer.getvalue(), f"{export.case.number}-portability.zip", "application/zip")
