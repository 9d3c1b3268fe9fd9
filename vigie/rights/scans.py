"""The scan of a request received by post (R46, R78): stored sealed, opened by handlers.

A letter is the request itself: it is kept as it arrived, dated on receipt, with the
case. The file is sealed with the rights domain's key and bound to its row (a blob
cannot be moved to another case), only the people who handle requests may open it
(``RIGHTS_CASE_HANDLE``: the privacy lead and the handlers), and each opening is
journaled (R29). Only PDF and images are taken, up to ``MAX_SCAN_BYTES``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_read
from vigie.lib import crypto, keyring
from vigie.rights.actions import RightsAction
from vigie.rights.models import Case, CaseScan
from vigie.rights.services import RightsError, _log, _require

_KEY_PURPOSE = "rights-case-scan"
#: A scanned letter of a few pages; more is not a letter.
MAX_SCAN_BYTES = 10 * 1024 * 1024
#: The file's first bytes, by kind: what it says it is is not enough.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}


def _aad(scan_id: uuid.UUID) -> str:
    return f"rights.casescan:{scan_id}:content"


@dataclass(frozen=True)
class ScanFile:
    name: str
    content: bytes


def content_type_of(content: bytes) -> str | None:
    """The file's kind read from its first bytes, or ``None`` when it is not a PDF or
    an image Vigie takes."""
    for kind, signatures in SIGNATURES.items():
        if any(content.startswith(signature) for signature in signatures):
            return kind
    return None


def check_scan(scan: ScanFile) -> str:
    """The scan's content type, or ``RightsError`` saying why it is refused."""
    if not scan.content:
        raise RightsError(_("The scan is empty."))
    if len(scan.content) > MAX_SCAN_BYTES:
        raise RightsError(
            _("The scan is larger than %(mb)s MB.") % {"mb": MAX_SCAN_BYTES // (1024 * 1024)}
        )
    kind = content_type_of(scan.content)
    if kind is None:
        raise RightsError(_("The scan must be a PDF or an image (PNG, JPEG, TIFF)."))
    return kind


def attach_scan(actor: Actor, case: Case, scan: ScanFile) -> CaseScan:
    """Keep the scan of a letter with its case, sealed, dated on the case's receipt."""
    _require(actor, Permission.RIGHTS_CASE_CREATE)
    kind = check_scan(scan)
    scan_id = uuid.uuid4()
    with transaction.atomic():
        stored = CaseScan.objects.create(
            id=scan_id,
            case=case,
            file_name=scan.name[:200],
            content_type=kind,
            size=len(scan.content),
            content_sealed=crypto.seal(
                keyring.derive_key(_KEY_PURPOSE), scan.content, _aad(scan_id)
            ),
            received_at=case.received_at,
            recorded_by=f"{actor.kind}:{actor.id}",
        )
        _log(actor, case, RightsAction.SCAN_ATTACH, "scan", scan=str(scan_id), size=stored.size)
    return stored


def open_scan(actor: Actor, scan: CaseScan) -> bytes:
    """The scan's content for a handler; the opening is journaled (R29)."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    record_read(actor, scan.case, view="rights:scan", extra={"scan": str(scan.pk)})
    return crypto.open_sealed(
        keyring.derive_key(_KEY_PURPOSE), bytes(scan.content_sealed), _aad(scan.pk)
    )


def open_case_with_scan(actor: Actor, scan: ScanFile | None, **intake: object) -> Case:
    """Open a case (``services.open_case``) and keep its scan, together or not at all:
    a letter received by post is recorded with the letter."""
    from vigie.rights.services import open_case

    if scan is not None:
        check_scan(scan)
    with transaction.atomic():
        case = open_case(actor, **intake).case  # type: ignore[arg-type]
        if scan is not None:
            attach_scan(actor, case, scan)
    return case
