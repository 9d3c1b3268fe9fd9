"""Portability pages (R58): the case page's panel and actions, the person's downloads in
their space, and the receiving controller's one-time link.

- Staff (``rights:case:handle``): make the export, download it (journaled), send the
  one-time link to the receiving controller's address.
- The person, signed in to their space: download their export of their own case, send
  the one-time link themselves.
- The receiving controller: the link shows a page with one button; the download spends
  the link; a second use, an expired or an unknown link gets a clear page (410 / 404).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.accounts.access import public, requires
from vigie.accounts.permissions import Permission
from vigie.accounts.ratelimit import rate_limited
from vigie.audit.actor import Actor, client_ip
from vigie.rights import portability, services, space
from vigie.rights.models import Case, RequestType
from vigie.rights.portability_models import PortabilityExport


class ControllerForm(forms.Form):
    address = forms.EmailField(
        label=gettext_lazy("Receiving controller's e-mail address"),
        max_length=254,
        help_text=gettext_lazy(
            "The one-time download link goes to this address; it works once, until the "
            "export expires."
        ),
    )


def _response(file: portability.Download) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def panel(request: HttpRequest, case: Case, *, form: ControllerForm | None = None) -> Any:
    """The case page's portability panel (None when the case is not a portability one)."""
    if RequestType.PORTABILITY not in case.types:
        return None
    user = request.user
    may = getattr(user, "has_vigie_permission", lambda _p: False)(Permission.RIGHTS_CASE_HANDLE)
    export = portability.current_export(case)
    return {
        "case": case,
        "export": export,
        "may_handle": may,
        "may_build": may and case.is_open,
        "links": list(export.links.all()) if export else [],
        "form": form or ControllerForm(),
        "days": portability.export_days(),
    }


def _case_page(
    request: HttpRequest, case: Case, error: str, form: ControllerForm | None = None
) -> HttpResponse:
    from vigie.rights.backoffice import render_case

    messages.error(request, error)
    case.refresh_from_db()
    return render_case(request, case, bound={"portability_form": form}, status=400)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def build(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    try:
        portability.build_export(Actor.from_request(request), case)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        return _case_page(request, case, str(error))
    messages.success(request, _("Portability export made."))
    return redirect("cases:detail", case.pk)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_GET
def staff_download(
    request: HttpRequest, pk: uuid.UUID, export_id: uuid.UUID, fmt: str
) -> HttpResponse:
    export = get_object_or_404(
        PortabilityExport.objects.select_related("case"), pk=export_id, case_id=pk
    )
    try:
        file = portability.download(Actor.from_request(request), export, fmt, by="staff")
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        return _case_page(request, export.case, str(error))
    return _response(file)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def staff_link(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    form = ControllerForm(request.POST)
    export = portability.current_export(case)
    if export is None:
        return _case_page(request, case, _("Make the export first."), form)
    if not form.is_valid():
        return _case_page(request, case, _("Check the address."), form)
    try:
        portability.send_link(
            Actor.from_request(request), export, form.cleaned_data["address"], by="staff"
        )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        return _case_page(request, case, str(error), form)
    messages.success(request, _("One-time link sent to the receiving controller."))
    return redirect("cases:detail", case.pk)


# -- the person, in their space ---------------------------------------------------------------


def exports_of(person: Any) -> list[PortabilityExport]:
    """The person's exports still downloadable, for their space."""
    return list(
        PortabilityExport.objects.filter(
            case__person=person, expires_at__gt=timezone.now(), deleted_at__isnull=True
        ).select_related("case")
    )


def _own_export(request: HttpRequest, export_id: uuid.UUID) -> tuple[Any, PortabilityExport]:
    person = space.person_of_session(request.session.get(space.SESSION_KEY))
    if person is None:
        raise PermissionDenied
    export = PortabilityExport.objects.select_related("case").filter(pk=export_id).first()
    if export is None or export.case.person_id != person.pk:
        # Another person's export is not said to exist.
        raise Http404
    return person, export


@public
@never_cache
@require_GET
def space_download(request: HttpRequest, export_id: uuid.UUID, fmt: str) -> HttpResponseBase:
    try:
        person, export = _own_export(request, export_id)
    except PermissionDenied:
        return redirect("rights:space-sign-in")
    try:
        file = portability.download(
            space.subject(person, client_ip(request)), export, fmt, by="person"
        )
    except services.RightsError as error:
        messages.error(request, str(error))
        return redirect("rights:space")
    return _response(file)


@public
@rate_limited("personal-space-portability-link")
@require_POST
def space_link(request: HttpRequest, export_id: uuid.UUID) -> HttpResponseBase:
    try:
        person, export = _own_export(request, export_id)
    except PermissionDenied:
        return redirect("rights:space-sign-in")
    form = ControllerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the address."))
        return redirect("rights:space")
    try:
        portability.send_link(
            space.subject(person, client_ip(request)),
            export,
            form.cleaned_data["address"],
            by="person",
        )
    except services.RightsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("One-time link sent to the receiving controller."))
    return redirect("rights:space")


# -- the receiving controller's one-time link ----------------------------------------------------

REFUSALS = {
    "used": (
        gettext_lazy("This link has already been used"),
        gettext_lazy(
            "The data was downloaded once through this link, which no longer works. "
            "Ask the person, or the company that sent it, for a new link if needed."
        ),
        410,
    ),
    "expired": (
        gettext_lazy("This link has expired"),
        gettext_lazy(
            "The download period is over. Ask the person, or the company that sent it, "
            "for a new link if needed."
        ),
        410,
    ),
    "unknown": (
        gettext_lazy("This link is not valid"),
        gettext_lazy("Check that the address was copied whole from the message."),
        404,
    ),
}


def _lang(request: HttpRequest) -> str:
    return "en" if request.GET.get("lang") == "en" else "fr"


@public
@rate_limited("portability-link", link_param="token", methods=("GET", "POST"))
@never_cache
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (a mail scanner following the link spends nothing);
    POST: the zip (JSON and CSV), once."""
    with translation.override(_lang(request)):
        try:
            if request.method == "POST":
                return _response(portability.use_link(Actor.from_request(request), token))
            link = portability.link_state(token)
        except portability.LinkRefused as refused:
            title, text, status = REFUSALS[refused.reason]
            return render(
                request,
                "rights/portability_refused.html",
                {"title": title, "text": text},
                status=status,
            )
        return render(
            request,
            "rights/portability_receive.html",
            {"link": link, "number": link.export.case.number, "lang": _lang(request)},
        )
