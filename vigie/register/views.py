"""The register in the back-office: read (auditor), edit (privacy lead), export."""

from __future__ import annotations

from typing import Any

import yaml
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.display import actor_names, actor_text
from vigie.audit.services import ObjectRef, record_read
from vigie.register import forms, services
from vigie.register.document import InvalidRegister
from vigie.register.models import Revision

SECTIONS = (
    "activities",
    "data_categories",
    "recipients",
    "security_measures",
    "subject_categories",
    "processor_register",
)


def _document_or_404() -> dict[str, Any]:
    doc = services.current_document()
    if doc is None:
        raise Http404("no register loaded")
    return doc


def _authors(revisions: list[Revision]) -> dict[int, str]:
    """Each revision's author as a login or "Command line (…)", never an id."""
    names = actor_names((r.author_type, r.author_id) for r in revisions)
    return {r.number: actor_text(r.author_type, r.author_id, names) for r in revisions}


@requires(Permission.REGISTER_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    revision = services.current_revision()
    revisions = list(Revision.objects.order_by("-number")[:20])
    context = {
        "revision": revision,
        "doc": revision.document if revision else None,
        "revisions": revisions,
        "authors": _authors(revisions),
        "export_form": forms.ExportForm(initial={"format": "pdf"}),
    }
    return render(request, "register/home.html", context)


@requires(Permission.REGISTER_VIEW)
def revision_detail(request: HttpRequest, number: int) -> HttpResponse:
    revision = get_object_or_404(Revision, number=number)
    context = {
        "revision": revision,
        "author": _authors([revision]).get(revision.number, ""),
        "changes": services.revision_changes(revision)[:500],
    }
    return render(request, "register/revision.html", context)


@requires(Permission.REGISTER_EDIT)
def edit_retention(request: HttpRequest, key: str) -> HttpResponse:
    doc = _document_or_404()
    entry = next((e for e in doc["data_categories"] if e["key"] == key), None)
    if entry is None:
        raise Http404(key)
    form = forms.RetentionForm(
        request.POST or None, initial=forms.RetentionForm.initial_from(entry["retention"])
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_entry(
                    Actor.from_request(request),
                    "data_categories",
                    key,
                    {"retention": form.rule()},
                    reason=form.cleaned_data["reason"],
                )
            except InvalidRegister as error:
                for problem in error.errors:
                    form.add_error(None, str(problem))
            else:
                messages.success(request, _("Retention rule saved."))
                return redirect("register:home")
    return render(
        request, "register/edit_retention.html", {"form": form, "entry": entry}, status=status
    )


@requires(Permission.REGISTER_EDIT)
def edit_entry(request: HttpRequest, section: str, key: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404(section)
    doc = _document_or_404()
    entries = doc.get(section) or []
    index = next((i for i, e in enumerate(entries) if e.get("key") == key), None)
    if index is None:
        raise Http404(key)
    if section == "processor_register":
        # A client line names its contact person and DPO: journal the read (R29).
        record_read(
            Actor.from_request(request),
            ObjectRef("register.processor_line", key),
            view="register:edit-entry",
        )
    initial = {"content": yaml.safe_dump(entries[index], allow_unicode=True, sort_keys=False)}
    form = forms.EntryYamlForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                entry = services.parse_yaml(form.cleaned_data["content"])
                if entry.get("key") != key:
                    form.add_error("content", _("The key of an entry cannot change here."))
                else:
                    entries[index] = entry
                    services.apply_document(
                        Actor.from_request(request), doc, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("Register entry saved."))
                    return redirect("register:home")
            except InvalidRegister as error:
                for problem in error.errors:
                    form.add_error(None, str(problem))
    context = {"form": form, "section": section, "key": key}
    return render(request, "register/edit_entry.html", context, status=status)


@requires(Permission.REGISTER_EXPORT)
def export(request: HttpRequest) -> HttpResponse:
    form = forms.ExportForm(request.GET)
    if not form.is_valid():
        return render(request, "register/export_error.html", {"form": form}, status=400)
    try:
        content, filename, ctype = services.export_register(
            Actor.from_request(request),
            fmt=form.cleaned_data["format"],
            as_of=form.cleaned_data["as_of"],
            role=form.cleaned_data["role"] or None,
            lang=form.cleaned_data["lang"] or "fr",
        )
    except services.ExportError as error:
        form.add_error(None, str(error))
        return render(request, "register/export_error.html", {"form": form}, status=404)
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
