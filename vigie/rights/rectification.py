"""Rectification (Art. 16, R54, L1): staff record the corrections of a case, Vigie
writes them in every source, keeps the old and new values sealed in the case, opens the
Art. 19 notices and tells the person what changed.

Any field may be corrected, identity data included: it is never refused for being
identity data (L1). Identity data (civility, names, date of birth) needs a proportionate
proof: without it the case waits (``Status.AWAITING_PROOF``) and the person is asked by
letter; once the proof is recorded (the document, sealed; or staff noting the document
seen) the change is applied. Other fields apply at once.

Values are never in the timeline, the audit log or a log line: the timeline names the
fields; the values are read on the case page by staff who handle requests, each read
journaled (R29).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_read
from vigie.lib import bounds, crypto, keyring
from vigie.people.models import ContactKind
from vigie.people.services import InvalidPerson, PersonUnavailable, normalise_contact, open_person
from vigie.rights import services
from vigie.rights.actions import RightsAction
from vigie.rights.art19 import open_notices
from vigie.rights.models import Case, IdentityStatus, NoticeTrigger, RequestType, Status
from vigie.rights.rectification_models import (
    ATTRIBUTE_LABELS,
    IDENTITY_ATTRIBUTES,
    ProofKind,
    Rectification,
    RectificationTask,
    TaskStatus,
    attribute_labels,
)
from vigie.sources.services import rectify_subject
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import RectifyReport, Subject

_KEY_PURPOSE = "rights-case"
#: What staff may correct (``full_name`` is derived from the first and last names).
EDITABLE = tuple(a for a in ATTRIBUTE_LABELS if a != "full_name")
MAX_VALUE = 500
MAX_NOTE = 2000
DONE_LETTER = "rights_rectification_done"
PROOF_LETTER = "rights_rectification_proof"


def _aad(rectification_id: uuid.UUID, field: str) -> str:
    return f"rights.rectification:{rectification_id}:{field}"


def _seal(rectification_id: uuid.UUID, field: str, value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return crypto.seal_text(keyring.derive_key(_KEY_PURPOSE), text, _aad(rectification_id, field))


def _open(rectification_id: uuid.UUID, field: str, blob: bytes | memoryview | None) -> Any:
    if not blob:
        return None
    text = crypto.open_text(
        keyring.derive_key(_KEY_PURPOSE), bytes(blob), _aad(rectification_id, field)
    )
    return json.loads(text)


# -- the values -----------------------------------------------------------------------------


def _date(value: str) -> str:
    text = value.strip()
    for parse in (
        lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date(),
        dt.date.fromisoformat,
    ):
        try:
            day = parse(text)
        except ValueError:
            continue
        bounds.check_date(day)
        return day.isoformat()
    raise bounds.OutOfBounds(_("is not a date (DD/MM/YYYY)"))


def clean_changes(changes: Mapping[str, Any]) -> dict[str, str]:
    """The corrections, checked and normalised; ``RightsError`` naming the field else."""
    cleaned: dict[str, str] = {}
    for attribute, raw in changes.items():
        if attribute not in EDITABLE:
            raise services.RightsError(_("Unknown field: %(field)s.") % {"field": attribute})
        value = str(raw if raw is not None else "").strip()
        label = ATTRIBUTE_LABELS[attribute]
        try:
            if attribute in ("first_name", "last_name") and not value:
                raise bounds.OutOfBounds(_("cannot be empty"))
            if attribute == "birth_date":
                value = _date(value) if value else ""
            elif attribute == "email":
                bounds.check_email(value)
                value = normalise_contact(ContactKind.EMAIL, value)
            elif attribute in ("phone", "mobile"):
                if value:
                    bounds.check_phone(value)
                    value = normalise_contact(ContactKind.PHONE, value)
            elif attribute == "address":
                bounds.check_text(value, max_length=MAX_VALUE)
            else:
                bounds.check_name(value)
        except (bounds.OutOfBounds, InvalidPerson) as error:
            raise services.RightsError(f"{label} : {error}") from None
        cleaned[attribute] = value
    if not cleaned:
        raise services.RightsError(_("Give at least one correction."))
    return cleaned


def changes_of(rectification: Rectification) -> dict[str, str]:
    """The new values asked for (internal: the pages read them through ``read_values``)."""
    return _open(rectification.pk, "changes", rectification.changes_sealed) or {}


# -- recording ------------------------------------------------------------------------------


def _check_case(actor: Actor, case: Case) -> None:
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    services._check_open(case)
    if RequestType.RECTIFICATION not in case.types:
        raise services.RightsError(_("This case is not a rectification request."))
    if case.person is None:
        raise services.RightsError(_("Link the case to the person first."))
    if case.identity_status != IdentityStatus.VERIFIED:
        # Art. 12(6): a requester not verified yet changes nothing of the person's data.
        raise services.RightsError(
            _("Identity is not verified: nothing may be changed for this person yet.")
        )


def record_corrections(actor: Actor, case: Case, changes: Mapping[str, Any]) -> Rectification:
    """Record the corrections staff entered; apply them at once unless identity data
    needs its proof first (then the case waits and the person is asked by letter)."""
    _check_case(actor, case)
    cleaned = clean_changes(changes)
    identity = IDENTITY_ATTRIBUTES & set(cleaned)
    if identity and len(identity) < len(cleaned):
        # R54, L1: only identity data waits for its proof; the other fields entered with
        # it are applied at once, as a rectification of their own.
        record_corrections(actor, case, {k: changes[k] for k in cleaned if k not in identity})
        return record_corrections(actor, case, {k: changes[k] for k in identity})
    now = timezone.now()
    with transaction.atomic():
        rectification = Rectification(
            case=case,
            attributes=sorted(cleaned),
            requested_at=now,
            requested_by=services._actor_label(actor),
        )
        if not IDENTITY_ATTRIBUTES & set(cleaned):
            rectification.proof = ProofKind.NOT_NEEDED
        rectification.changes_sealed = _seal(rectification.pk, "changes", cleaned)
        rectification.save(force_insert=True)
        services._log(
            actor,
            case,
            RightsAction.RECTIFICATION_RECORD,
            "rectification_recorded",
            fields=rectification.attributes,
        )
        if rectification.needs_proof:
            case.status = Status.AWAITING_PROOF
            case.save(update_fields=["status"])
            services._log(
                actor,
                case,
                RightsAction.RECTIFICATION_PROOF_ASK,
                "rectification_awaiting_proof",
                fields=sorted(IDENTITY_ATTRIBUTES & set(cleaned)),
            )
            services.send_letter(
                actor,
                case,
                PROOF_LETTER,
                services.letter_recipient(case),
                rectification=str(rectification.pk),
            )
            return rectification
    apply(actor, rectification)
    return rectification


def record_proof(
    actor: Actor,
    rectification: Rectification,
    *,
    seen_note: str = "",
    content: bytes | None = None,
    file_name: str = "",
    content_type: str = "",
) -> Rectification:
    """Record the proof of an identity change (the document, sealed; or what staff saw),
    then apply the corrections everywhere."""
    from vigie.rights.identity import check_file

    case = rectification.case
    _check_case(actor, case)
    if rectification.applied:
        raise services.RightsError(_("These corrections were already applied."))
    note = seen_note.strip()
    if content is None and not note:
        raise services.RightsError(_("Attach the document, or say which document you saw."))
    try:
        bounds.check_text(note, max_length=MAX_NOTE)
        bounds.check_name(file_name)
    except bounds.OutOfBounds as error:
        raise services.RightsError(str(error)) from None
    kind = ProofKind.SEEN
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if locked.applied:
            raise services.RightsError(_("These corrections were already applied."))
        if content is not None:
            locked.proof_content_type = check_file(content, declared_type=content_type)
            key = keyring.derive_key(_KEY_PURPOSE)
            locked.proof_sealed = crypto.seal(key, content, _aad(locked.pk, "proof"))
            locked.proof_name_sealed = crypto.seal_text(
                key, file_name or "document", _aad(locked.pk, "proof_name")
            )
            kind = ProofKind.DOCUMENT
        locked.proof = kind
        locked.proof_note = note
        locked.proof_recorded_at = timezone.now()
        locked.proof_recorded_by = services._actor_label(actor)
        locked.save()
        services._log(
            actor, case, RightsAction.RECTIFICATION_PROOF, "rectification_proof", proof=str(kind)
        )
    apply(actor, locked)
    return locked


# -- applying ------------------------------------------------------------------------------


def subject_of(case: Case) -> Subject:
    if case.person is None:
        raise services.RightsError(_("Link the case to the person first."))
    try:
        data = open_person(case.person)
    except PersonUnavailable:
        raise services.RightsError(_("This person was erased.")) from None
    return Subject(email=data.emails)


def _with_full_name(case: Case, changes: dict[str, str]) -> dict[str, str]:
    """Sources holding a full name in one column (a private customer's third-party name)
    get it from the new first and last names."""
    if not {"first_name", "last_name"} & changes.keys() or case.person is None:
        return changes
    data = open_person(case.person)
    first = changes.get("first_name", data.first_name)
    last = changes.get("last_name", data.last_name)
    return {**changes, "full_name": f"{first} {last}".strip()}


def apply(actor: Actor, rectification: Rectification) -> list[RectifyReport]:
    """Write the corrections in every source (each its own transaction), then keep the
    history sealed, open the tasks and the Art. 19 notices, and write to the person."""
    case = rectification.case
    if rectification.applied:
        return []
    if rectification.needs_proof:
        raise services.RightsError(_("The proof of the identity change is missing."))
    changes = changes_of(rectification)
    subject = subject_of(case)
    try:
        reports = rectify_subject(
            actor, subject, _with_full_name(case, changes), person=case.person
        )
    except (SourceError, InvalidPerson) as error:
        raise services.RightsError(
            _("The corrections could not be written: %(error)s") % {"error": error}
        ) from None
    history = [
        {
            "source": report.source,
            "table": value.table,
            "key": value.key,
            "column": value.column,
            "attribute": value.attribute,
            "old": value.old,
            "new": value.new,
        }
        for report in reports
        for value in report.changed
    ]
    categories = sorted({v.category for r in reports for v in r.changed if v.category})
    now = timezone.now()
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if locked.applied:
            return reports
        locked.history_sealed = _seal(locked.pk, "history", history)
        locked.summary = {r.source: len(r.changed) for r in reports if r.changed}
        locked.applied_at = now
        locked.applied_by = services._actor_label(actor)
        locked.save()
        for report in reports:
            if report.unmapped:
                RectificationTask.objects.get_or_create(
                    rectification=locked,
                    source=report.source,
                    defaults={
                        "case": case,
                        "attributes": report.unmapped,
                        "created_at": now,
                    },
                )
                services._log(
                    actor,
                    case,
                    RightsAction.RECTIFICATION_TASK_OPEN,
                    "rectification_task",
                    source=report.source,
                    fields=report.unmapped,
                )
        services._log(
            actor,
            case,
            RightsAction.RECTIFICATION_APPLY,
            "rectification_applied",
            fields=locked.attributes,
            places=len(history),
            sources=sorted(locked.summary),
        )
        if categories:
            open_notices(actor, case, NoticeTrigger.RECTIFICATION, categories)
        if case.status == Status.AWAITING_PROOF:
            case.status = Status.IN_PROGRESS
            case.save(update_fields=["status"])
        services.send_letter(
            actor,
            case,
            DONE_LETTER,
            services.letter_recipient(case),
            rectification=str(locked.pk),
        )
    rectification.refresh_from_db()
    return reports


# -- reading and the tasks -------------------------------------------------------------------


def read_values(actor: Actor, rectification: Rectification) -> dict[str, Any]:
    """The new values and the history of old and new values, for the case page: staff who
    handle requests only; the read is journaled (R29)."""
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    values = {
        "changes": changes_of(rectification),
        "history": _open(rectification.pk, "history", rectification.history_sealed) or [],
    }
    record_read(actor, rectification.case, view="rights.rectification.values")
    return values


def complete_task(actor: Actor, task: RectificationTask, note: str) -> RectificationTask:
    """The source's owner corrected the place by hand (or found nothing): done, with a note."""
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    text = note.strip()
    if not text:
        raise services.RightsError(_("Say what was done."))
    try:
        bounds.check_text(text, max_length=MAX_NOTE)
    except bounds.OutOfBounds as error:
        raise services.RightsError(str(error)) from None
    with transaction.atomic():
        locked = RectificationTask.objects.select_for_update().get(pk=task.pk)
        if locked.status == TaskStatus.DONE:
            return locked
        locked.status = TaskStatus.DONE
        locked.note = text
        locked.done_at = timezone.now()
        locked.done_by = services._actor_label(actor)
        locked.save()
        services._log(
            actor,
            locked.case,
            RightsAction.RECTIFICATION_TASK_DONE,
            "rectification_task_done",
            source=locked.source,
        )
    return locked


def open_tasks_of(case: Case) -> list[RectificationTask]:
    return list(case.rectification_tasks.filter(status=TaskStatus.OPEN))


def letter_refs(refs: Mapping[str, Any]) -> dict[str, Any]:
    """What the rectification letters say (fields in words, the places by source)."""
    rectification = Rectification.objects.filter(pk=uuid.UUID(str(refs["rectification"]))).first()
    if rectification is None:
        return {}
    from vigie.sources.services import list_sources, source_label

    labels = {s.name: s for s in list_sources()}
    language = rectification.case.language
    places = []
    for name in sorted(rectification.summary):
        source = labels.get(name)
        places.append(source_label(source, language)[0] if source is not None else _("Vigie"))
    proof_fields = sorted(IDENTITY_ATTRIBUTES & set(rectification.attributes))
    return {
        "rectified_fields": attribute_labels(rectification.attributes),
        "rectified_places": ", ".join(str(p) for p in places),
        "proof_fields": attribute_labels(proof_fields),
    }
