"""How the access package reaches the person (R50, R30): never as an attachment.

- In their personal space: a « Télécharger » per format, for the signed-in person only.
- By a signed link sent to the address on file (``rights_access_ready``): the link
  carries the package's id signed with the secret key (made when the e-mail is
  rendered, so nothing secret sits in the outbox); it works until the package expires.

Every download is journaled (who, which format: ``record_read`` and an audit event)
and appears on the case's timeline; staff preview it the same way. After the expiry
the package is refused with a clear page (410), never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_read
from vigie.mail.addressing import To
from vigie.people.models import Person
from vigie.rights.access import day, open_content
from vigie.rights.access_models import AccessPackage
from vigie.rights.access_render import CONTENT_TYPES, FORMATS, file_name, render
from vigie.rights.actions import RightsAction
from vigie.rights.models import Case, IdentityStatus
from vigie.rights.services import RightsError, _log, _require, send_letter

SALT = "vigie.rights.access-package"
TEMPLATE = "rights_access_ready"


class PackageExpired(RightsError):
    """The package's delivery period is over (R50)."""


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    file_name: str


def package_token(package_id: object) -> str:
    return signing.dumps(str(package_id), salt=SALT)


def package_of_token(token: str) -> AccessPackage | None:
    try:
        value = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(value, str):
        return None
    try:
        return AccessPackage.objects.select_related("case").filter(pk=value).first()
    except (ValueError, TypeError):
        return None


def package_url(package_id: object, language: str = "fr") -> str:
    url = settings.SITE_URL.rstrip("/") + reverse(
        "rights:access-package", args=[package_token(package_id)]
    )
    return url + ("?lang=en" if language == "en" else "")


def link_context(refs: dict[str, object]) -> dict[str, str]:
    """What ``rights_access_ready`` adds to a case letter: the link and its last day."""
    package = AccessPackage.objects.filter(pk=str(refs.get("package", ""))).first()
    if package is None:
        return {}
    return {
        "package_url": package_url(package.pk, package.language),
        "package_expires_on": day(package.expires_at),
    }


def send_link(actor: Actor, package: AccessPackage) -> AccessPackage:
    """E-mail the signed link to the address on file (never the requester's own address
    when it is another one); the timeline says who sent it."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        package = (
            AccessPackage.objects.select_for_update().select_related("case").get(pk=package.pk)
        )
        case = package.case
        if package.expired:
            raise PackageExpired(_("This access package has expired: compile a new one."))
        if case.person is None or case.identity_status != IdentityStatus.VERIFIED:
            raise RightsError(_("The link goes only to the address on file of a verified person."))
        send_letter(actor, case, TEMPLATE, To.of(case.person), package=str(package.pk))
        package.sent_at = timezone.now()
        package.sent_by = f"{actor.kind}:{actor.id}"
        package.save(update_fields=["sent_at", "sent_by"])
        _log(actor, case, RightsAction.ACCESS_SEND, "access_sent", package=str(package.pk))
    return package


def packages_of_person(person: Person) -> list[AccessPackage]:
    """The person's packages still downloadable, newest first (their personal space):
    one per case, its latest (a package compiled again supersedes the earlier one)."""
    packages = (
        AccessPackage.objects.filter(case__person=person, expires_at__gt=timezone.now())
        .select_related("case")
        .order_by("-compiled_at")
    )
    seen: set[Any] = set()
    latest = []
    for package in packages:
        if package.case_id not in seen:
            seen.add(package.case_id)
            latest.append(package)
    return latest


def _erased(case: Case) -> bool:
    """The person was erased since (by a case or a source's erase): no copy goes out."""
    if case.person_id is None:
        return True
    return not Person.objects.filter(pk=case.person_id, shredded_at__isnull=True).exists()


def download(
    actor: Actor, package: AccessPackage, fmt: str, *, person: Person | None = None
) -> Download:
    """The package in ``fmt`` for ``actor``, journaled. A person gets only their own
    package (``person``: the signed-in person or the link's); staff need the handling
    permission (a preview)."""
    if fmt not in FORMATS:
        raise RightsError(_("Unknown format."))
    case: Case = package.case
    if actor.kind == "subject":
        if person is None or case.person_id != person.pk:
            raise RightsError(_("This package is not yours."))
    else:
        _require(actor, Permission.RIGHTS_CASE_HANDLE)
    if package.expired or _erased(case):
        raise PackageExpired(_("This access package has expired."))
    content = open_content(package)
    body = render(content, fmt)
    with transaction.atomic():
        record_read(
            actor,
            case,
            view="rights:access-package",
            extra={"format": fmt, "package": str(package.pk)},
        )
        AccessPackage.objects.filter(pk=package.pk).update(downloads=F("downloads") + 1)
        _log(
            actor,
            case,
            RightsAction.ACCESS_DOWNLOAD,
            "access_downloaded",
            package=str(package.pk),
            format=fmt,
        )
    return Download(body, CONTENT_TYPES[fmt], file_name(content, fmt))
