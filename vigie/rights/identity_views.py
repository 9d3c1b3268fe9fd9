"""Back-office pages for identity documents (R48): staff handling a case store a copy
received by post or e-mail; the privacy lead asks for one (with a reason), opens it
(journaled) and records that it verified the identity.

The case page includes the panel ``rights/_identity_documents.html`` with the context
:func:`identity_panel` builds; the page ``rights:identity`` shows the same panel on its
own (and again, with the form's errors, after a refused upload or request).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.accounts.access import requires
from vigie.accounts.models import User
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.display import actor_text
from vigie.pii.fields import validate_no_secrets
from vigie.rights import identity, services
from vigie.rights.models import Case, IdentityDocument


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Copy of the identity document"),
        help_text=gettext_lazy("A PDF, JPEG or PNG file, 10 MB at most."),
    )
    unasked = forms.BooleanField(
        label=gettext_lazy("Sent by the requester without being asked"),
        required=False,
    )


class RequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why nothing lighter will do"),
        help_text=gettext_lazy(
            "The last resort (R48): say which doubt the address on file, the personal "
            "space or a customer reference could not settle."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=identity.MAX_REASON,
        validators=[validate_no_secrets],
    )


KIND_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def who(label: str) -> str:
    """An actor label (``user:3``, ``system:…``) as a reader knows it: a login."""
    kind, _sep, actor_id = label.partition(":")
    if not label:
        return ""
    if kind == "user" and actor_id.isdigit():
        found = User.objects.filter(pk=int(actor_id)).values_list("username", flat=True).first()
        if found:
            return found
    if kind == "subject":
        # Mid-sentence (« vérifiée le …, par le demandeur »), as the case page says it.
        return str(_("the requester"))
    return actor_text(kind, actor_id, {})


def _case(case_id: str) -> Case:
    try:
        found = Case.objects.filter(pk=uuid.UUID(case_id)).first()
    except ValueError:
        found = None
    if found is None:
        raise Http404
    return found


def _document(case: Case, document_id: str) -> IdentityDocument:
    try:
        found = IdentityDocument.objects.filter(pk=uuid.UUID(document_id), case=case).first()
    except ValueError:
        found = None
    if found is None:
        raise Http404
    return found


def identity_panel(
    request: HttpRequest,
    case: Case,
    *,
    upload_form: UploadForm | None = None,
    request_form: RequestForm | None = None,
) -> dict[str, Any]:
    """The context of ``rights/_identity_documents.html`` for ``case``: what the
    signed-in member of staff may see and do there."""
    user = request.user
    lead = isinstance(user, User) and user.has_vigie_permission(Permission.RIGHTS_IDENTITY_DOCUMENT)
    documents = list(case.identity_documents.all())
    return {
        "case": case,
        "verified_by": who(case.identity_verified_by),
        "documents": [
            {
                "document": d,
                "kind": KIND_LABELS.get(d.content_type, ""),
                "kilobytes": max(1, round(d.size / 1024)),
                "requested_by": who(d.requested_by),
                "uploaded_by": who(d.uploaded_by),
                "verified_by": who(d.verified_by),
            }
            for d in documents
        ],
        "is_privacy_lead": lead,
        "can_verify": lead and case.is_open and case.identity_status != "verified",
        "upload_form": upload_form or UploadForm(),
        "request_form": (request_form or RequestForm()) if lead else None,
        "keep_days": identity.KEEP_DAYS,
    }


def _back(case: Case) -> HttpResponse:
    """After a step: the case page, at its identity panel."""
    return redirect(reverse("cases:detail", args=[case.pk]) + "#identity-documents")


def _page(request: HttpRequest, case: Case, status: int = 200, **forms_: Any) -> HttpResponse:
    context = {"identity": identity_panel(request, case, **forms_)}
    return render(request, "rights/identity.html", context, status=status)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_GET
def identity_page(request: HttpRequest, case_id: str) -> HttpResponse:
    return _page(request, _case(case_id))


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def upload(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _case(case_id)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        if upload_file.size > identity.MAX_BYTES:
            form.add_error("file", _("The file is too large: %(size)s MB at most.") % {"size": 10})
        else:
            try:
                identity.store_identity_document(
                    Actor.from_request(request),
                    case,
                    upload_file.read(),
                    file_name=upload_file.name or "",
                    declared_type=upload_file.content_type or "",
                    asked=False if form.cleaned_data["unasked"] else None,
                )
            except services.RightsError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, _("The document is stored, sealed."))
                return _back(case)
    return _page(request, case, status=400, upload_form=form)


@requires(Permission.RIGHTS_IDENTITY_DOCUMENT)
@require_POST
def ask(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _case(case_id)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            identity.request_identity_document(
                Actor.from_request(request), case, form.cleaned_data["reason"]
            )
        except services.RightsError as error:
            form.add_error("reason", str(error))
        else:
            if services.reachable(services._to_requester(case)):
                messages.success(
                    request, _("The requester is asked for the document; the clock is suspended.")
                )
            else:
                messages.warning(
                    request,
                    _(
                        "The clock is suspended, but the requester left no e-mail address: "
                        "send the request for the document by post."
                    ),
                )
            return _back(case)
    return _page(request, case, status=400, request_form=form)


@requires(Permission.RIGHTS_IDENTITY_DOCUMENT)
@require_POST
def verify(request: HttpRequest, case_id: str, document_id: str) -> HttpResponse:
    case = _case(case_id)
    document = _document(case, document_id)
    try:
        identity.verify_identity_with_document(Actor.from_request(request), case, document)
    except services.RightsError as error:
        messages.error(request, str(error))
        return _page(request, case, status=400)
    messages.success(
        request,
        _("Identity verified. The file will be deleted in %(days)s days.")
        % {"days": identity.KEEP_DAYS},
    )
    return _back(case)


@requires(Permission.RIGHTS_IDENTITY_DOCUMENT)
@require_http_methods(["GET"])
def download(request: HttpRequest, case_id: str, document_id: str) -> HttpResponse:
    """The file itself, to the privacy lead only; each opening is journaled (R29)."""
    case = _case(case_id)
    document = _document(case, document_id)
    try:
        opened = identity.open_identity_document(Actor.from_request(request), document)
    except services.RightsError as error:
        messages.error(request, str(error))
        return _page(request, case, status=410)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    name = f"{case.number}-identite-{str(document.pk)[:8]}.{extension[document.content_type]}"
    response = HttpResponse(opened.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
