"""The disclosure log from a CSV file (R22): what other software sent, logged at once.

Columns (header line first; comma, semicolon or tab): ``recipient`` (a register key),
``categories`` (register data-category keys separated by ``|``, a comma or a space),
``disclosed_at`` (JJ/MM/AAAA, AAAA-MM-JJ or an ISO 8601 date-time), the person as
``email`` or ``person_id`` (one of them), and optionally ``purpose``, ``legal_basis``,
``reference``.

**Per line**: a file that cannot be read as a whole (not UTF-8, a broken quote, a
missing column) is refused before anything is written; otherwise each good line is
recorded in its own transaction and each bad one is reported with its number and the
reason, nothing else written for it. A line already in the log (same person,
recipient, moment and reference) is counted as already there: importing a file twice
records nothing the second time. Nothing is ever lost silently: read = recorded +
already there + errors.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.disclosures.models import Channel
from vigie.disclosures.services import DisclosureError, find_person, record_disclosure
from vigie.lib import csvfile
from vigie.lib.legal_calendar import PARIS

REQUIRED = ("recipient", "categories", "disclosed_at")
OPTIONAL = ("email", "person_id", "purpose", "legal_basis", "reference")
_SPLIT = re.compile(r"[|,;\s]+")
_LIMITS = {"purpose": 64, "legal_basis": 200, "reference": 200, "email": 320}


class ImportFileError(ValueError):
    """The file as a whole cannot be read: nothing was recorded."""


@dataclass
class ImportReport:
    read: int = 0
    recorded: int = 0
    already: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "recorded": self.recorded,
            "already_there": self.already,
            "errors": [{"line": line, "reason": reason} for line, reason in self.errors],
        }


def parse_moment(text: str) -> dt.datetime:
    """JJ/MM/AAAA or AAAA-MM-JJ (midnight, Paris time) or an ISO 8601 date-time with
    its zone; ``DisclosureError`` otherwise."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise DisclosureError(
            _("« %(value)s » is not a date (JJ/MM/AAAA or AAAA-MM-JJ).") % {"value": text[:40]}
        ) from None
    if moment.tzinfo is None:
        raise DisclosureError(_("The date of the disclosure needs a time zone."))
    return moment


def _line(actor: Actor, row: dict[str, str]) -> bool:
    for column, limit in _LIMITS.items():
        if len(row.get(column, "")) > limit:
            raise DisclosureError(
                _("« %(column)s » is longer than %(limit)d characters.")
                % {"column": column, "limit": limit}
            )
    email = row.get("email", "").strip()
    raw_id = row.get("person_id", "").strip()
    if not email and not raw_id:
        raise DisclosureError(_("Give the person's e-mail address or person_id."))
    person_id = None
    if raw_id:
        try:
            person_id = uuid.UUID(raw_id)
        except ValueError:
            raise DisclosureError(_("person_id is not a person identifier.")) from None
    person = find_person(email=email, person_id=person_id)
    if person is None:
        raise DisclosureError(_("No person on file has this e-mail address or identifier."))
    moment = parse_moment(row.get("disclosed_at", ""))
    if moment > timezone.now():
        raise DisclosureError(_("A disclosure cannot be in the future."))
    _disclosure, created = record_disclosure(
        actor,
        person,
        row.get("recipient", "").strip(),
        [c for c in _SPLIT.split(row.get("categories", "")) if c],
        moment,
        purpose=row.get("purpose", "").strip(),
        legal_basis=row.get("legal_basis", "").strip(),
        reference=row.get("reference", "").strip(),
        channel=Channel.IMPORT,
    )
    return created


def import_csv(actor: Actor, content: bytes) -> ImportReport:
    """Record every good line of ``content``; report the others (see the module)."""
    try:
        table = csvfile.read_table(csvfile.decode(content), required=REQUIRED)
    except csvfile.CsvFileError as error:
        raise ImportFileError(str(error)) from None
    if "email" not in table.columns and "person_id" not in table.columns:
        raise ImportFileError(_("line 1: missing column(s): email or person_id"))
    report = ImportReport()
    for number, row in table.rows:
        report.read += 1
        try:
            created = _line(actor, row)
        except DisclosureError as error:
            report.errors.append((number, str(error)))
            continue
        if created:
            report.recorded += 1
        else:
            report.already += 1
    return report
