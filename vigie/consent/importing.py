"""Import people and their consents from a CSV file (R8, R34, R41, R43).

Columns: ``email, first_name, last_name, subject_types, source, source_name,
partner_permission_ref, purpose, consent, collected_at`` (and, optionally,
``informed_of_opt_out``). ``subject_types`` holds several types separated by ``;``
or ``|``. Each line is its own transaction: a bad line is reported with its line
number (the header is line 1) and the others are imported.

Every address is checked against the suppression list first, whatever its case:
a suppressed address is recorded without any marketing permission and counted
under ``suppressed`` (R41); an import can never re-subscribe it (R43).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event
from vigie.consent.actions import ConsentAction
from vigie.consent.models import Method
from vigie.consent.services import ConsentError, ReservedToSubject, is_suppressed, record_consent
from vigie.lib.purposes import Purpose, current_purpose
from vigie.people.services import InvalidPerson, create_person, find_by_email

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "subject_types",
    "source",
    "source_name",
    "partner_permission_ref",
    "purpose",
    "consent",
    "collected_at",
)
YES = {"yes", "oui", "y", "1", "true"}
NO = {"no", "non", "n", "0", "false", ""}
PARIS = ZoneInfo("Europe/Paris")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (missing columns)."""


@dataclass
class ImportReport:
    imported: int = 0
    suppressed: int = 0
    invalid: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"imported": self.imported, "suppressed": self.suppressed, "invalid": self.invalid}


class _LineError(ValueError):
    pass


def _moment(value: str) -> dt.datetime:
    text = value.strip()
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise _LineError(_("collected_at: “%(value)s” is not a date") % {"value": value})
        moment = dt.datetime.combine(day, dt.time(), tzinfo=PARIS)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=PARIS)
    if moment > timezone.now():
        raise _LineError(_("collected_at: the date is in the future"))
    return moment


def _flag(value: str, column: str) -> bool:
    text = value.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise _LineError(
        _("%(column)s: expected yes or no, not “%(value)s”") % {"column": column, "value": value}
    )


def _import_line(actor: Actor, row: dict[str, str], *, wording: str, channel: str) -> str:
    """Import one line; return "imported" or "suppressed"."""
    email = row["email"].strip()
    if not email or "@" not in email:
        raise _LineError(_("email: not an e-mail address"))
    consent = _flag(row["consent"], "consent")
    # A former key (``offres_semi``) is read as its successor: files exported by other
    # tools before the rename still import.
    purpose = current_purpose(row["purpose"].strip())
    if purpose and purpose not in Purpose.values:
        raise _LineError(_("purpose: unknown purpose “%(purpose)s”") % {"purpose": purpose})
    if consent and not purpose:
        raise _LineError(_("purpose: required when consent is yes"))
    if consent and not row["collected_at"].strip():
        raise _LineError(_("collected_at: required when consent is yes (R34)"))
    collected = _moment(row["collected_at"]) if row["collected_at"].strip() else None
    if not row["source"].strip():
        raise _LineError(_("source: required (R8)"))
    types = [t.strip() for t in re.split(r"[;|]", row["subject_types"]) if t.strip()]
    suppressed = is_suppressed(email, purpose or None)
    with transaction.atomic():
        person = find_by_email(email) or create_person(
            actor,
            email=email,
            first_name=row["first_name"].strip(),
            last_name=row["last_name"].strip(),
            subject_types=types,
            source=row["source"].strip(),
            source_name=row["source_name"].strip(),
            partner_permission_ref=row["partner_permission_ref"].strip(),
            collected_at=collected,
            informed_of_opt_out=_flag(row.get("informed_of_opt_out") or "", "informed_of_opt_out"),
        )
        if suppressed:
            return "suppressed"
        if consent:
            try:
                record_consent(
                    actor,
                    person,
                    purpose,
                    wording=wording,
                    method=Method.IMPORT,
                    channel=channel,
                    proof_ref=row["partner_permission_ref"].strip(),
                    occurred_at=collected,
                )
            except ReservedToSubject:
                # The person withdrew or objected: an import cannot undo it (R43).
                return "suppressed"
    return "imported"


def import_rows(
    actor: Actor, rows: Iterable[tuple[int, dict[str, str]]], *, wording: str, channel: str
) -> ImportReport:
    """Import ``(line number, row)`` pairs; one transaction per line."""
    report = ImportReport()
    for line, row in rows:
        try:
            outcome = _import_line(actor, row, wording=wording, channel=channel)
        except (_LineError, InvalidPerson, ConsentError) as error:
            report.invalid.append({"line": line, "error": str(error)})
            continue
        if outcome == "suppressed":
            report.suppressed += 1
        else:
            report.imported += 1
    with transaction.atomic():
        record_event(
            actor,
            ConsentAction.IMPORT,
            ObjectRef("consent.consentevent"),
            extra={
                "imported": report.imported,
                "suppressed": report.suppressed,
                "invalid": len(report.invalid),
            },
        )
    return report


def import_csv(actor: Actor, handle: TextIO, *, wording: str, channel: str) -> ImportReport:
    """Import a CSV file (header line first) and report what happened to each line."""
    if not wording.strip():
        raise ImportFileError(
            _("the exact consent wording shown to these people is required (R34)")
        )
    reader = csv.DictReader(handle)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFileError(_("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})

    def rows() -> Iterable[tuple[int, dict[str, str]]]:
        for row in reader:
            # The line the record ends on, as a spreadsheet numbers it (header = 1).
            yield reader.line_num, {k: (v or "") for k, v in row.items() if k is not None}

    return import_rows(actor, rows(), wording=wording, channel=channel)
