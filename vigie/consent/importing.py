"""Import people, their consents and partner files from CSV (R8, R34–R36, R41, R43).

Columns: ``email, first_name, last_name, subject_types, source, source_name,
partner_permission_ref, purpose, consent, collected_at``; optional: ``job_title``,
``organisation`` and ``informed_of_opt_out``. ``subject_types`` holds several types
separated by ``;`` or ``|``. Commas, semicolons or tabs separate the columns.

The file is read whole first (``vigie.lib.csvfile``): a file that cannot be read (not
UTF-8, a field past the size bound, a broken quote, a missing column) is refused before
anything is written. Then every line is validated; the good lines are imported, each in
its own transaction, and each bad one is reported with its line number (the header is
line 1) and the reason. Every line read ends up in exactly one count of the report.

What happens to a valid line, in this order:

- a **personal mailbox** (``vigie.lib.mailboxes``: gmail.com, orange.fr…) with no
  consent on the line, for a prospect: refused as « B2C sans consentement » — B2B
  prospecting without consent never goes to a private individual (R35, R36). Nothing
  of it is stored, not even the address: the report counts it;
- a **generic address** (contact@, info@…) at an organisation's domain, with no consent
  on the line: the organisation's, not a person's (R36) — at a personal-mailbox domain it
  is a private individual's, and a line with a consent is a subscription: both are taken
  as a person's;
  recorded as the contact address of the organisation named on the line (or of its
  domain), found by name or created;
- an address on the **suppression list**, whatever its case and spaces (R41): recorded
  without any marketing permission, counted under ``suppressed``; an import never
  re-subscribes it (R43);
- otherwise the person is recorded with the job title (sealed) that targets B2B offers
  by relevance (R36), with the consent of the line if any.

An address already on file is left as it is: importing the same file again changes
nothing, and the report says so (``nothing_changed``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.audit.anchoring import anchors_deferred, flush_deferred_anchors
from vigie.audit.services import ObjectRef, record_event
from vigie.consent.actions import ConsentAction
from vigie.consent.models import Method, Status, Subscription
from vigie.consent.services import ConsentError, ReservedToSubject, record_consent
from vigie.consent.suppression import active_entries, suppression_hash
from vigie.lib import bounds
from vigie.lib.csvfile import FIELD_LIMIT, CsvFileError, decode, read_table
from vigie.lib.mailboxes import DomainMatcher, generic_local_parts, is_generic_address
from vigie.lib.purposes import ALL_PURPOSES, Purpose, current_purpose
from vigie.people.models import ContactPoint, OrganisationKind, Person, Source, SubjectType
from vigie.people.organisations import ContactOutcome, record_organisation_contact
from vigie.people.services import InvalidPerson, create_person, email_index, find_by_email

__all__ = ["COLUMNS", "FIELD_LIMIT", "ImportFileError", "ImportReport", "import_csv"]

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
OPTIONAL_COLUMNS = ("job_title", "organisation", "informed_of_opt_out")
#: The longest value each column takes (characters); a longer one is a refused line.
BOUNDS = {
    "email": 254,
    "first_name": 150,
    "last_name": 150,
    "subject_types": 500,
    "source": 32,
    "source_name": 200,
    "partner_permission_ref": 200,
    "purpose": 64,
    "consent": 16,
    "collected_at": 64,
    "job_title": 200,
    "organisation": 200,
    "informed_of_opt_out": 16,
}
YES = {"yes", "oui", "y", "o", "1", "true", "vrai"}
NO = {"no", "non", "n", "0", "false", "faux", ""}
PARIS = ZoneInfo("Europe/Paris")
#: Before this, a collection date is a typing error.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=PARIS)
FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
#: A person known only as a prospect: at a personal mailbox, no consent means no import.
PROSPECT_TYPES = frozenset(
    {SubjectType.PROSPECT_B2B, SubjectType.PROSPECT_B2C, SubjectType.PARTNER_SOURCED_CONTACT}
)
_KIND_OF_TYPE: dict[str, str] = {
    SubjectType.CLIENT_CONTACT_B2B: OrganisationKind.CLIENT_COMPANY,
    SubjectType.SUPPLIER_CONTACT: OrganisationKind.SUPPLIER,
    SubjectType.SUBCONTRACTOR_CONTACT: OrganisationKind.SUBCONTRACTOR,
}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


class Outcome(StrEnum):
    IMPORTED = "imported"
    UNCHANGED = "unchanged"
    SUPPRESSED = "suppressed"
    REFUSED_B2C = "refused_b2c"
    ORGANISATION = "organisation"


@dataclass
class ImportReport:
    """Every line read is in exactly one count: ``read`` is their sum."""

    read: int = 0
    imported: int = 0
    unchanged: int = 0
    suppressed: int = 0
    refused_b2c: int = 0
    organisations: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: Lines that wrote something (a person, a consent, an organisation's contact).
    written: int = 0

    @property
    def nothing_changed(self) -> bool:
        return self.written == 0

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "suppressed": self.suppressed,
            "refused_b2c": self.refused_b2c,
            "organisations": self.organisations,
            "errors": len(self.errors),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "errors": self.errors,
            "nothing_changed": self.nothing_changed,
        }


class _LineError(ValueError):
    pass


@dataclass(frozen=True)
class Line:
    """One validated line."""

    number: int
    email: str
    first_name: str
    last_name: str
    job_title: str
    organisation: str
    subject_types: list[str]
    source: str
    source_name: str
    partner_permission_ref: str
    purpose: str
    consent: bool
    collected_at: dt.datetime | None
    informed_of_opt_out: bool


def _moment(value: str) -> dt.datetime:
    text = value.strip()
    problem = _("collected_at: “%(value)s” is not a date (DD/MM/YYYY or YYYY-MM-DD)") % {
        "value": text
    }
    try:
        french = FRENCH_DATE.match(text)
        if french:
            day, month, year = (int(g) for g in french.groups())
            moment = dt.datetime(year, month, day, tzinfo=PARIS)
        else:
            parsed = parse_datetime(text)
            if parsed is None:
                day_only = parse_date(text)
                if day_only is None:
                    raise _LineError(problem)
                parsed = dt.datetime.combine(day_only, dt.time(), tzinfo=PARIS)
            moment = parsed
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=PARIS)
        # Compared in UTC: a date next to year 1 or 9999 may not convert.
        moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        # Well formed but no such date (2026-02-30), or out of range.
        raise _LineError(problem) from None
    if moment < EARLIEST:
        raise _LineError(_("collected_at: the date is before 1900"))
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


def _clean(row: dict[str, str]) -> dict[str, str]:
    values = {}
    for column in (*COLUMNS, *OPTIONAL_COLUMNS):
        value = unicodedata.normalize("NFC", row.get(column) or "").strip()
        if len(value) > BOUNDS[column]:
            raise _LineError(
                _("%(column)s: longer than %(bound)d characters")
                % {"column": column, "bound": BOUNDS[column]}
            )
        if any(unicodedata.category(c) == "Cc" for c in value):
            raise _LineError(_("%(column)s: contains a control character") % {"column": column})
        try:
            # No bidi override in any column: an organisation's name has no other check.
            bounds.check_text(value, max_length=BOUNDS[column], multiline=False)
        except bounds.OutOfBounds as error:
            raise _LineError(f"{column}: {error}") from None
        values[column] = value
    return values


def parse_line(number: int, row: dict[str, str]) -> Line:
    """The line, validated; ``_LineError`` says what is wrong with it."""
    values = _clean(row)
    email = values["email"]
    try:
        validate_email(email)
    except ValidationError:
        raise _LineError(_("email: not an e-mail address")) from None
    consent = _flag(values["consent"], "consent")
    # A former key (``offres_semi``) is read as its successor: files exported by other
    # tools before the rename still import.
    purpose = current_purpose(values["purpose"])
    if purpose and purpose not in Purpose.values:
        raise _LineError(_("purpose: unknown purpose “%(purpose)s”") % {"purpose": purpose})
    if consent and not purpose:
        raise _LineError(_("purpose: required when consent is yes"))
    if consent and not values["collected_at"]:
        raise _LineError(_("collected_at: required when consent is yes (R34)"))
    collected = _moment(values["collected_at"]) if values["collected_at"] else None
    source = values["source"]
    if not source:
        raise _LineError(_("source: required (R8)"))
    if source not in Source.values:
        raise _LineError(
            _("source: “%(source)s” is not one of %(choices)s")
            % {"source": source, "choices": ", ".join(Source.values)}
        )
    if source == Source.PARTNER and not (
        values["source_name"] and values["partner_permission_ref"]
    ):
        raise _LineError(
            _(
                "source_name, partner_permission_ref: partner data needs the partner's "
                "name and the proof of its permission (R8)"
            )
        )
    types = list(
        dict.fromkeys(t.strip() for t in re.split(r"[;|]", values["subject_types"]) if t.strip())
    )
    unknown = [t for t in types if t not in SubjectType.values]
    if unknown:
        raise _LineError(
            _("subject_types: unknown type(s) %(types)s") % {"types": ", ".join(unknown)}
        )
    return Line(
        number=number,
        email=email,
        first_name=values["first_name"],
        last_name=values["last_name"],
        job_title=values["job_title"],
        organisation=values["organisation"],
        subject_types=types,
        source=source,
        source_name=values["source_name"],
        partner_permission_ref=values["partner_permission_ref"],
        purpose=purpose,
        consent=consent,
        collected_at=collected,
        informed_of_opt_out=_flag(values["informed_of_opt_out"], "informed_of_opt_out"),
    )


class _Classifier:
    """Reads the mailbox lists once for a whole file."""

    def __init__(self) -> None:
        self.personal = DomainMatcher()
        self.generic = generic_local_parts()

    def personal_mailbox(self, line: Line) -> bool:
        return self.personal(line.email.rpartition("@")[2])

    def refused_b2c(self, line: Line) -> bool:
        """A prospect at a personal mailbox with no consent (R35, R36)."""
        prospect = set(line.subject_types) <= PROSPECT_TYPES
        return prospect and not line.consent and self.personal_mailbox(line)

    def generic_address(self, line: Line) -> bool:
        """A role mailbox of an organisation; never one at a personal-mailbox domain
        (contact.dupont@gmail.com is a private individual's, R36), nor one whose line
        records a consent (a subscription act, kept with its proof, R34)."""
        return (
            not line.consent
            and is_generic_address(line.email, self.generic)
            and not self.personal_mailbox(line)
        )


def _serialise(*keys: str) -> None:
    """Inside a transaction: wait for any other import holding one of ``keys`` (an
    address, an organisation's name) until it commits, so that two imports of one file
    at once record each address once. SQLite's IMMEDIATE transactions serialise writers
    already; PostgreSQL's read committed does not (look-up then insert)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
            )


def _store_organisation(actor: Actor, line: Line) -> tuple[Outcome, bool]:
    with transaction.atomic():
        return _store_organisation_locked(actor, line)


def _store_organisation_locked(actor: Actor, line: Line) -> tuple[Outcome, bool]:
    name = line.organisation or line.email.rpartition("@")[2].lower()
    _serialise("consent-import:organisation:" + name.strip().lower())
    kind = next(
        (_KIND_OF_TYPE[t] for t in line.subject_types if t in _KIND_OF_TYPE),
        OrganisationKind.PROSPECT,
    )
    _organisation, outcome = record_organisation_contact(
        actor,
        name=name,
        kind=kind,
        address=line.email,
        source=line.source,
        source_name=line.source_name,
    )
    if outcome == ContactOutcome.OTHER_CONTACT:
        raise _LineError(
            _(
                "email: a generic address, and the organisation “%(name)s” already has "
                "another contact address: left as it is"
            )
            % {"name": name}
        )
    if outcome == ContactOutcome.UNCHANGED:
        return Outcome.UNCHANGED, False
    return Outcome.ORGANISATION, True


class _Known:
    """What the database holds of a chunk of lines, read in two queries rather than
    three per line: the suppression entries of their addresses and which addresses are
    already on file. Read just before the chunk is stored; a person created meanwhile
    by another import is still found under the line's lock (``_store_person``)."""

    def __init__(self, lines: list[Line]) -> None:
        indexes = {line.email: email_index(line.email) for line in lines}
        hashes = {line.email: suppression_hash(line.email) for line in lines}
        self.index = indexes
        self.hash = hashes
        self.scopes: dict[str, set[str]] = {}
        for address_hash, scope in (
            active_entries()
            .filter(address_hash__in=set(hashes.values()))
            .values_list("address_hash", "scope")
        ):
            self.scopes.setdefault(address_hash, set()).add(scope)
        live = Person.objects.filter(shredded_at__isnull=True)
        wanted = set(indexes.values())
        self.on_file = set(
            live.filter(email_index__in=wanted).values_list("email_index", flat=True)
        )
        self.on_file |= set(
            ContactPoint.objects.filter(
                email_index__in=wanted, person__shredded_at__isnull=True
            ).values_list("email_index", flat=True)
        )

    def suppressed(self, line: Line) -> bool:
        """``is_suppressed(address, purpose or None)``, from the chunk's entries."""
        scopes = self.scopes.get(self.hash[line.email], set())
        if not line.purpose:
            return bool(scopes)
        return bool(scopes & {line.purpose, ALL_PURPOSES})

    def find(self, line: Line) -> Person | None:
        index = self.index[line.email]
        if index not in self.on_file:
            # Not on file a moment ago: one query, under the line's lock, for a person
            # another import may have created since.
            # Both look-ups in one round trip, each on its own index (an OR across the
            # join would scan the people table).
            main = Person.objects.filter(shredded_at__isnull=True, email_index=index)
            further = ContactPoint.objects.filter(
                email_index=index, person__shredded_at__isnull=True
            )
            if not main.values("pk").union(further.values("person_id")).exists():
                return None
        return find_by_email(line.email)


def _store_person(
    actor: Actor, line: Line, *, wording: str, channel: str, known: _Known | None = None
) -> tuple[Outcome, bool]:
    known = known or _Known([line])
    suppressed = known.suppressed(line)
    with transaction.atomic():
        _serialise("consent-import:person:" + email_index(line.email))
        person = known.find(line)
        written = person is None
        if person is None:
            person = create_person(
                actor,
                email=line.email,
                first_name=line.first_name,
                last_name=line.last_name,
                job_title=line.job_title,
                subject_types=line.subject_types,
                source=line.source,
                source_name=line.source_name,
                partner_permission_ref=line.partner_permission_ref,
                collected_at=line.collected_at,
                informed_of_opt_out=line.informed_of_opt_out,
            )
        if suppressed:
            return Outcome.SUPPRESSED, written
        if line.consent:
            already = Subscription.objects.filter(
                person=person, purpose=line.purpose, status=Status.SUBSCRIBED, soft_opt_in=False
            ).exists()
            if not already:
                try:
                    record_consent(
                        actor,
                        person,
                        line.purpose,
                        wording=wording,
                        method=Method.IMPORT,
                        channel=channel,
                        proof_ref=line.partner_permission_ref,
                        occurred_at=line.collected_at,
                    )
                except ReservedToSubject:
                    # The person withdrew or objected: an import cannot undo it (R43).
                    return Outcome.SUPPRESSED, written
                written = True
    return (Outcome.IMPORTED if written else Outcome.UNCHANGED), written


def _store(
    actor: Actor,
    line: Line,
    classifier: _Classifier,
    *,
    wording: str,
    channel: str,
    known: _Known | None = None,
) -> tuple[Outcome, bool]:
    if classifier.refused_b2c(line):
        return Outcome.REFUSED_B2C, False
    if classifier.generic_address(line):
        return _store_organisation(actor, line)
    return _store_person(actor, line, wording=wording, channel=channel, known=known)


_COUNTERS = {
    Outcome.IMPORTED: "imported",
    Outcome.UNCHANGED: "unchanged",
    Outcome.SUPPRESSED: "suppressed",
    Outcome.REFUSED_B2C: "refused_b2c",
    Outcome.ORGANISATION: "organisations",
}


#: Lines read from the database together (``_Known``).
CHUNK = 200


@dataclass
class Prepared:
    """A file read and its lines validated; nothing written yet."""

    report: ImportReport
    lines: list[Line]


class Overtaken(RuntimeError):
    """Another run of the same import job stored this line first: this run stops."""


class Checkpoint:
    """Where a resumable import stands (``ImportJob``); the CLI imports without one."""

    def resume(self) -> tuple[int, dict[str, Any]]:
        """How many valid lines are done, and the counts and errors of those lines."""
        raise NotImplementedError

    def claim(self, index: int) -> None:
        """Inside the line's transaction, before it is stored: ``Overtaken`` unless
        ``index`` lines exactly are done (locks the job until the line commits)."""
        raise NotImplementedError

    def save(self, done: int, state: dict[str, Any]) -> None:
        """Inside the line's transaction: ``done`` lines are done, with ``state``."""
        raise NotImplementedError

    def finish(self, report: ImportReport) -> None:
        """Inside the transaction of the import's audit event: the job is over."""
        raise NotImplementedError


def prepare(rows: Iterable[tuple[int, dict[str, str]]], *, wording: str) -> Prepared:
    """Validate every ``(line number, row)``: the bad ones are in the report. Refused
    whole (``ImportFileError``, nothing written) when lines record a consent and the
    wording is missing."""
    report = ImportReport()
    lines: list[Line] = []
    for number, row in rows:
        report.read += 1
        try:
            lines.append(parse_line(number, row))
        except _LineError as error:
            report.errors.append({"line": number, "error": str(error)})
    consents = [line.number for line in lines if line.consent]
    if consents and not wording.strip():
        shown = ", ".join(str(n) for n in consents[:10]) + ("…" if len(consents) > 10 else "")
        raise ImportFileError(
            _(
                "lines %(lines)s record a consent: the exact wording these people were "
                "shown is required (R34)"
            )
            % {"lines": shown}
        )
    return Prepared(report, lines)


def _state(report: ImportReport, parse_errors: int) -> dict[str, Any]:
    return {
        "imported": report.imported,
        "unchanged": report.unchanged,
        "suppressed": report.suppressed,
        "refused_b2c": report.refused_b2c,
        "organisations": report.organisations,
        "written": report.written,
        "errors": report.errors[parse_errors:],
    }


def store_lines(
    actor: Actor,
    prepared: Prepared,
    *,
    wording: str,
    channel: str,
    checkpoint: Checkpoint | None = None,
) -> ImportReport:
    """Import the valid lines, each in its own transaction (with the checkpoint's
    progress when there is one, so a run again resumes after the last line committed),
    then record the import's audit event (counts only)."""
    report = prepared.report
    lines = prepared.lines
    parse_errors = len(report.errors)
    start = 0
    if checkpoint is not None:
        start, state = checkpoint.resume()
        for counter in ("imported", "unchanged", "suppressed", "refused_b2c", "organisations"):
            setattr(report, counter, int(state.get(counter, 0)))
        report.written = int(state.get("written", 0))
        report.errors.extend(state.get("errors", []))
    classifier = _Classifier()
    with anchors_deferred():
        _store_chunks(
            actor, lines, start, report, classifier, wording, channel, checkpoint, parse_errors
        )
    report.errors.sort(key=lambda item: item["line"])
    with transaction.atomic():
        if checkpoint is not None:
            checkpoint.claim(len(lines))
        # Counts only: never an address, not even of the lines refused.
        record_event(
            actor,
            ConsentAction.IMPORT,
            ObjectRef("consent.consentevent"),
            extra={**report.counts(), "nothing_changed": report.nothing_changed},
        )
        if checkpoint is not None:
            checkpoint.finish(report)
    return report


def _store_chunks(
    actor: Actor,
    lines: list[Line],
    start: int,
    report: ImportReport,
    classifier: _Classifier,
    wording: str,
    channel: str,
    checkpoint: Checkpoint | None,
    parse_errors: int,
) -> None:
    for chunk_start in range(start, len(lines), CHUNK):
        chunk = lines[chunk_start : chunk_start + CHUNK]
        known = _Known(chunk)
        for offset, line in enumerate(chunk):
            index = chunk_start + offset
            with transaction.atomic():
                if checkpoint is not None:
                    checkpoint.claim(index)
                try:
                    outcome, written = _store(
                        actor, line, classifier, wording=wording, channel=channel, known=known
                    )
                except (_LineError, InvalidPerson, ConsentError) as error:
                    report.errors.append({"line": line.number, "error": str(error)})
                else:
                    counter = _COUNTERS[outcome]
                    setattr(report, counter, getattr(report, counter) + 1)
                    report.written += int(written)
                if checkpoint is not None:
                    checkpoint.save(index + 1, _state(report, parse_errors))
        # The key store learns the audit chain's head once per chunk, not per line.
        flush_deferred_anchors()


def import_rows(
    actor: Actor, rows: Iterable[tuple[int, dict[str, str]]], *, wording: str, channel: str
) -> ImportReport:
    """Validate every ``(line number, row)``, then import the good ones (one transaction
    each); the report lists every bad one. Refused whole (``ImportFileError``, nothing
    written) when lines record a consent and the wording is missing."""
    prepared = prepare(rows, wording=wording)
    return store_lines(actor, prepared, wording=wording, channel=channel)


def decode_file(content: bytes) -> str:
    """The file's text (UTF-8); ``ImportFileError`` when it is not."""
    try:
        return decode(content)
    except CsvFileError as error:
        raise ImportFileError(str(error)) from None


def read_rows(file: str | bytes | TextIO) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file (header line first; bytes are read as UTF-8);
    ``ImportFileError`` when it cannot be read."""
    try:
        content = file if isinstance(file, str | bytes) else file.read()
        text = decode(content) if isinstance(content, bytes) else content
        table = read_table(text, required=COLUMNS)
    except CsvFileError as error:
        raise ImportFileError(str(error)) from None
    return list(table.rows)


def import_csv(
    actor: Actor, file: str | bytes | TextIO, *, wording: str, channel: str
) -> ImportReport:
    """Import a CSV file (header line first; bytes are read as UTF-8) and report what
    happened to each line. ``ImportFileError``: the file was refused, nothing written."""
    return import_rows(actor, read_rows(file), wording=wording, channel=channel)
