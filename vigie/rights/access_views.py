"""The access package's pages (R50, R51): the case page's actions, the staff preview,
the personal space's « Télécharger » and the signed link's page.

Each route declares who may use it: the case actions and the preview need
``rights:case:handle``; the space's download serves the signed-in person's own
package only; the signed link's page is public but serves only the package its
signature names, until it expires (then a clear 410 page).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vigie.accounts.access import public, requires
from vigie.accounts.permissions import Permission
from vigie.accounts.ratelimit import rate_limited
from vigie.audit.actor import Actor, client_ip
from vigie.people.models import Person
from vigie.rights import access, access_delivery, services, space
from vigie.rights.access_models import AccessPackage
from vigie.rights.access_render import FORMATS
from vigie.rights.case_actions import _act
from vigie.rights.models import Case, IdentityStatus, RequestType
from vigie.sources.display import source_names


def _attachment(result: access_delivery.Download) -> HttpResponse:
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "rights/access_expired.html", status=410)


# -- the case page (back-office) -----------------------------------------------------------


def access_panel(case: Case) -> dict[str, object] | None:
    """What the case page shows of the access package, for whoever handles the case."""
    if RequestType.ACCESS not in case.types:
        return None
    package = access.current_package(case)
    names = source_names() if package else {}
    return {
        "package": package,
        "may_compile": case.is_open and case.identity_status == IdentityStatus.VERIFIED,
        "may_send": package is not None
        and not package.expired
        and case.person_id is not None
        and case.identity_status == IdentityStatus.VERIFIED,
        "formats": FORMATS,
        "items": sum(package.counts.values()) if package else 0,
        # Each source by its label, never its code (« GLPI (assistance et parc) »).
        "counts": [
            (names.get(source, (source, {}))[0], count)
            for source, count in (package.counts.items() if package else [])
        ],
    }


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def compile_package(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "access_compile",
        None,
        lambda actor, case, d: access.compile_package(actor, case),
        _("The access package is compiled."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def send_link(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    def step(actor: Actor, case: Case, _data: object) -> None:
        package = access.current_package(case)
        if package is None:
            raise services.RightsError(_("Compile the access package first."))
        access_delivery.send_link(actor, package)

    return _act(
        request,
        pk,
        "access_send",
        None,
        step,
        _("The link to the access package was sent to the address on file."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_safe
def preview(request: HttpRequest, pk: uuid.UUID, fmt: str) -> HttpResponse:
    """Staff see the package as the person will (journaled like the person's download)."""
    case = get_object_or_404(Case, pk=pk)
    package = access.current_package(case)
    if package is None or fmt not in FORMATS:
        raise Http404
    try:
        result = access_delivery.download(Actor.from_request(request), package, fmt)
    except access_delivery.PackageExpired:
        return _expired(request)
    except services.NotAllowed:
        raise PermissionDenied from None
    return _attachment(result)


# -- the person ------------------------------------------------------------------------------


def _signed_in(request: HttpRequest) -> Person | None:
    return space.person_of_session(request.session.get(space.SESSION_KEY))


@public
@rate_limited("personal-space-access")
@never_cache
@require_POST
def space_download(request: HttpRequest) -> HttpResponse:
    """« Télécharger » in the personal space: the signed-in person's own package only."""
    person = _signed_in(request)
    if person is None:
        return render(request, "rights/space/bad_link.html", status=403)
    fmt = request.POST.get("format", "")
    try:
        package = AccessPackage.objects.select_related("case").get(
            pk=uuid.UUID(request.POST.get("package", "")), case__person=person
        )
    except (ValueError, AccessPackage.DoesNotExist):
        raise Http404 from None
    if fmt not in FORMATS:
        raise Http404
    try:
        result = access_delivery.download(
            space.subject(person, client_ip(request)), package, fmt, person=person
        )
    except access_delivery.PackageExpired:
        return _expired(request)
    return _attachment(result)


@public
@rate_limited("access-package-link", link_param="token", methods=("GET", "POST"))
@never_cache
@require_http_methods(["GET", "POST"])
def package_page(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link's page: GET shows a button per format (mail scanners follow
    links, they do not press buttons); its POST downloads, journaled."""
    package = access_delivery.package_of_token(token)
    if package is None:
        return render(request, "rights/space/bad_link.html", status=400)
    if package.expired:
        return _expired(request)
    if request.method == "GET":
        context = {
            "package": package,
            "formats": FORMATS,
            "expires_on": access.day(package.expires_at),
        }
        return render(request, "rights/access_link.html", context)
    fmt = request.POST.get("format", "")
    person = package.case.person
    if fmt not in FORMATS or person is None:
        return render(request, "rights/space/bad_link.html", status=400)
    try:
        result = access_delivery.download(
            space.subject(person, client_ip(request)), package, fmt, person=person
        )
    except access_delivery.PackageExpired:
        return _expired(request)
    return _attachment(result)
