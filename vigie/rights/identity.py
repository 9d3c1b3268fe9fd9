"""Identity documents, the last resort of R48 (policy weak point L2).

A copy of an identity document is asked for only by the privacy lead, with a reason,
when nothing lighter settles a reasonable doubt (the address on file, the personal
space, a customer reference: ``services``). Asking stops the clock like any identity
challenge, and a letter tells the requester which case it is about and that the copy
is deleted 7 days after verification. A document sent unasked is stored the same way.

The file and its name are sealed with the rights key, bound to the document's row
(R30); only the privacy lead opens it, and each opening is journaled (R29). Seven
days after the identity is verified — or after the case closes, when the document was
never used — :func:`delete_due_documents` (daily) empties the file: the row keeps its
metadata and the case keeps « vérifié le …, par … » (R12, ``dsr-identity-documents``:
P7D).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_read
from vigie.lib import bounds, crypto, keyring
from vigie.lib.legal_calendar import DeadlineError, paris_day
from vigie.rights import services
from vigie.rights.actions import RightsAction
from vigie.rights.models import Case, IdentityDocument, IdentityMethod, IdentityStatus, Status

_KEY_PURPOSE = "rights-identity-document"
#: The file is deleted this many days after verification, or after the case closes (R48).
KEEP_DAYS = 7
#: The largest file taken (a scan or a photo of both sides fits in far less).
MAX_BYTES = 10 * 1024 * 1024
#: What a file must start with to be taken as what it says it is: the name and the
#: browser's content type are not trusted.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
MAX_REASON = 2000
BATCH = 200


def _aad(document_id: uuid.UUID, field: str) -> str:
    return f"rights.identitydocument:{document_id}:{field}"


def _key() -> bytes:
    return keyring.derive_key(_KEY_PURPOSE)


def sniff(content: bytes) -> str:
    """The content type the bytes themselves show, or ``""`` when not PDF, JPEG or PNG."""
    for content_type, starts in SIGNATURES.items():
        if any(content.startswith(start) for start in starts):
            return content_type
    return ""


def _deletion_day(case: Case, on: date) -> date | None:
    """When a document of ``case`` received on ``on`` may go: 7 days after the
    verification or the closure, whichever came; ``None`` while neither has."""
    days = []
    if case.identity_status == IdentityStatus.VERIFIED and case.identity_verified_at:
        days.append(paris_day(case.identity_verified_at))
    if case.closed_at:
        days.append(paris_day(case.closed_at))
    if not days:
        return None
    return max(min(days), on) + timedelta(days=KEEP_DAYS)


def schedule_deletion(case: Case, day: date) -> int:
    """Every document of ``case`` still held and not yet dated goes ``KEEP_DAYS`` after
    ``day`` (the verification, or the closure); called by ``services`` in the step's
    transaction. Returns how many were dated."""
    return IdentityDocument.objects.filter(
        case=case, deleted_at__isnull=True, delete_after__isnull=True
    ).update(delete_after=day + timedelta(days=KEEP_DAYS))


# -- the privacy lead asks ---------------------------------------------------------------------


def request_identity_document(actor: Actor, case: Case, reason: str) -> IdentityDocument:
    """The privacy lead asks the requester for a copy of an identity document, with the
    reason nothing lighter would do (R48). The clock stops until it comes; the
    requester's own address gets the letter (no CNIL block: it neither answers nor
    refuses)."""
    services._require(actor, Permission.RIGHTS_IDENTITY_DOCUMENT)
    reason = reason.strip()
    if not reason:
        raise services.RightsError(
            _("Say why an identity document is needed: it is the last resort (R48).")
        )
    try:
        bounds.check_text(reason, max_length=MAX_REASON)
    except bounds.OutOfBounds as error:
        raise services.RightsError(str(error)) from None
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        services._check_open(case)
        if case.identity_status == IdentityStatus.VERIFIED:
            raise services.RightsError(
                _("The identity is already verified: no identity document may be asked for.")
            )
        document = IdentityDocument.objects.create(
            case=case,
            asked=True,
            reason=reason,
            requested_at=now,
            requested_by=services._actor_label(actor),
        )
        try:
            services._suspend(actor, case, now, reason="identity")
        except DeadlineError as error:
            raise services.RightsError(error.message) from None
        case.status = Status.AWAITING_IDENTITY
        case.identity_status = IdentityStatus.AWAITING
        letter = services.reachable(services._to_requester(case))
        if letter:
            services.send_letter(
                actor, case, "rights_identity_document_request", services._to_requester(case)
            )
        case.save()
        services._log(
            actor,
            case,
            RightsAction.DOCUMENT_REQUEST,
            "document_requested",
            document=str(document.pk),
            letter=letter,
        )
    return document


# -- the document comes in ---------------------------------------------------------------------


def check_file(content: bytes, *, declared_type: str = "") -> str:
    """The file's type when it may be stored; else ``RightsError`` saying why."""
    if not content:
        raise services.RightsError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise services.RightsError(
            _("The file is too large: %(size)s MB at most.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    found = sniff(content)
    if not found:
        raise services.RightsError(_("Only a PDF, JPEG or PNG file is accepted."))
    if declared_type and declared_type.split(";")[0].strip().lower() not in (
        found,
        "application/octet-stream",
        "image/jpg",
        "image/pjpeg",
    ):
        raise services.RightsError(
            _("The file's content does not match its type: send a PDF, JPEG or PNG file.")
        )
    return found


def store_identity_document(
    actor: Actor,
    case: Case,
    content: bytes,
    *,
    file_name: str,
    declared_type: str = "",
    asked: bool | None = None,
) -> IdentityDocument:
    """Store a copy of an identity document received for ``case`` (by post, scanned;
    by e-mail; unasked or answering the privacy lead's request), sealed.

    ``asked``: ``None`` takes the privacy lead's request still awaiting a document when
    there is one; ``False`` records it as sent unasked. Staff handling the case may store
    it; only the privacy lead opens it.
    """
    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    content_type = check_file(content, declared_type=declared_type)
    name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "document"
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise services.RightsError(_("This case is closed."))
        waiting = (
            IdentityDocument.objects.filter(case=case, asked=True, uploaded_at__isnull=True)
            .order_by("requested_at")
            .first()
        )
        if asked is True and waiting is None:
            raise services.RightsError(
                _("No identity document was asked for on this case: store it as sent unasked.")
            )
        document = waiting if asked is not False and waiting is not None else None
        if document is None:
            document = IdentityDocument(case=case, asked=False)
        document.content_sealed = crypto.seal(_key(), content, _aad(document.pk, "content"))
        document.file_name_sealed = crypto.seal_text(_key(), name, _aad(document.pk, "file_name"))
        document.content_type = content_type
        document.size = len(content)
        document.uploaded_at = now
        document.uploaded_by = services._actor_label(actor)
        # Received after the verification or the closure: it has no use, it goes soon.
        document.delete_after = _deletion_day(case, paris_day(now))
        document.save()
        services._log(
            actor,
            case,
            RightsAction.DOCUMENT_STORE,
            "document_stored",
            document=str(document.pk),
            asked=document.asked,
            content_type=content_type,
            size=len(content),
        )
    return document


# -- the privacy lead reads it and decides -----------------------------------------------------


@dataclass(frozen=True)
class OpenedDocument:
    document: IdentityDocument
    file_name: str
    content: bytes


def open_identity_document(
    actor: Actor, document: IdentityDocument, *, view: str = "rights:identity-download"
) -> OpenedDocument:
    """The file, for the privacy lead only; the read is journaled (R29) with the page
    (``view``) that showed it."""
    services._require(actor, Permission.RIGHTS_IDENTITY_DOCUMENT)
    document = IdentityDocument.objects.select_related("case").get(pk=document.pk)
    if document.content_sealed is None or document.file_name_sealed is None:
        raise services.RightsError(
            _("This document's file is no longer held: it was deleted after verification.")
        )
    content = crypto.open_sealed(
        _key(), bytes(document.content_sealed), _aad(document.pk, "content")
    )
    name = crypto.open_text(
        _key(), bytes(document.file_name_sealed), _aad(document.pk, "file_name")
    )
    record_read(actor, document.case, view=view, extra={"document": str(document.pk)})
    return OpenedDocument(document, name, content)


def verify_identity_with_document(actor: Actor, case: Case, document: IdentityDocument) -> Case:
    """The privacy lead verified the identity with this document (R48): the case is
    verified ``ID_DOCUMENT``, the clock restarts, and every document of the case is
    deleted 7 days later; the case keeps « vérifié le …, par … »."""
    services._require(actor, Permission.RIGHTS_IDENTITY_DOCUMENT)
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        services._check_open(case)
        locked = (
            IdentityDocument.objects.select_for_update().filter(pk=document.pk, case=case).first()
        )
        if locked is None or not locked.stored:
            raise services.RightsError(_("This document has no file to verify the identity with."))
        if case.identity_status == IdentityStatus.VERIFIED:
            raise services.RightsError(_("The identity is already verified."))
        document = locked
        document.verified_at = now
        document.verified_by = services._actor_label(actor)
        document.save(update_fields=["verified_at", "verified_by"])
        services._verified(actor, case, IdentityMethod.ID_DOCUMENT, at=now)
        case.save()
        services._log(
            actor,
            case,
            RightsAction.DOCUMENT_VERIFY,
            "document_verified",
            document=str(document.pk),
            delete_after=(paris_day(now) + timedelta(days=KEEP_DAYS)).isoformat(),
        )
    return case


# -- the files go ---------------------------------------------------------------------------------


def documents_due(today: date) -> QuerySet[IdentityDocument]:
    """Documents whose file is still held and whose day has come: 7 days after the
    verification, or after the closure of a case where the document was never used
    (``schedule_deletion`` dates them in the step that verifies or closes)."""
    return IdentityDocument.objects.filter(content_sealed__isnull=False, delete_after__lte=today)


def delete_due_documents(now: datetime | None = None) -> int:
    """Empty the files whose day has come (daily; idempotent, in batches, each document
    with its timeline entry and audit event in one transaction). Returns how many."""
    now = now or timezone.now()
    today = paris_day(now)
    actor = Actor.system("identity documents")
    deleted = 0
    while True:
        ids = list(documents_due(today).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        for document_id in ids:
            with transaction.atomic():
                document = (
                    IdentityDocument.objects.select_for_update()
                    .filter(pk=document_id, content_sealed__isnull=False)
                    .select_related("case")
                    .first()
                )
                if document is None:
                    continue
                document.content_sealed = None
                document.file_name_sealed = None
                document.deleted_at = now
                document.save(update_fields=["content_sealed", "file_name_sealed", "deleted_at"])
                services._log(
                    actor,
                    document.case,
                    RightsAction.DOCUMENT_DELETE,
                    "document_deleted",
                    document=str(document.pk),
                )
                deleted += 1
