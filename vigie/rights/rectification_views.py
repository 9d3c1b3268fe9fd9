"""Back-office pages of a rectification (Art. 16, R54): the corrections form and the
list of corrections on the case page, the proof of an identity change, the values (old
and new, read journaled), and the tasks of places to correct by hand.

Every route is for staff who handle requests (``RIGHTS_CASE_HANDLE``). A refused step
is shown as the form's error (400), never a 500.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vigie.accounts.access import requires
from vigie.accounts.models import User
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.pii.fields import validate_no_secrets
from vigie.rights import rectification, services
from vigie.rights.identity_views import who
from vigie.rights.models import Case, RequestType
from vigie.rights.rectification_models import (
    ATTRIBUTE_LABELS,
    IDENTITY_ATTRIBUTES,
    ProofKind,
    Rectification,
    RectificationTask,
    attribute_labels,
)

WAITING = gettext_lazy(
    "Corrections recorded: identity data waits for its proof; the person is asked."
)


class CorrectionsForm(forms.Form):
    """One optional field per attribute: what is filled in is corrected."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for attribute in rectification.EDITABLE:
            help_text = (
                gettext_lazy("Identity data: applied once its proof is recorded.")
                if attribute in IDENTITY_ATTRIBUTES
                else ""
            )
            if attribute == "birth_date":
                help_text = gettext_lazy("DD/MM/YYYY. Identity data: applied once proven.")
            self.fields[attribute] = forms.CharField(
                label=ATTRIBUTE_LABELS[attribute],
                required=False,
                max_length=rectification.MAX_VALUE,
                help_text=help_text,
            )

    def changes(self) -> dict[str, str]:
        return {a: v for a, v in self.cleaned_data.items() if str(v).strip()}


class ProofForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The document (PDF, JPEG or PNG)"),
        required=False,
        help_text=gettext_lazy("Stored encrypted with the case."),
    )
    seen = forms.CharField(
        label=gettext_lazy("Or: the document you saw"),
        required=False,
        max_length=rectification.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_no_secrets],
        help_text=gettext_lazy("E.g. « marriage certificate shown at the desk on 12/03 »."),
    )


class TaskDoneForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=rectification.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_no_secrets],
    )


def _source_names() -> dict[str, str]:
    from vigie.sources.services import list_sources, source_label

    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    return {s.name: source_label(s, language)[0] for s in list_sources()}


def rectification_panel(
    request: HttpRequest,
    case: Case,
    *,
    corrections_form: CorrectionsForm | None = None,
    proof_forms: dict[str, ProofForm] | None = None,
    task_forms: dict[int, TaskDoneForm] | None = None,
    error: str = "",
) -> dict[str, Any] | None:
    """The context of ``rights/_rectification.html``; None when the case is not a
    rectification or the member of staff does not handle requests."""
    user = request.user
    if RequestType.RECTIFICATION not in case.types:
        return None
    if not (isinstance(user, User) and user.has_vigie_permission(Permission.RIGHTS_CASE_HANDLE)):
        return None
    sources = _source_names()
    sources.setdefault("vigie", "Vigie")
    rows = []
    for item in case.rectifications.all():
        rows.append(
            {
                "item": item,
                "fields": attribute_labels(item.attributes),
                "proof": ProofKind(item.proof).label if item.proof else "",
                "needs_proof": item.needs_proof,
                "applied_by": who(item.applied_by),
                "places": sum(item.summary.values()),
                "where": ", ".join(sources.get(s, s) for s in sorted(item.summary)),
                "proof_form": (proof_forms or {}).get(str(item.pk)) or ProofForm(),
            }
        )
    tasks = [
        {
            "task": task,
            "source": sources.get(task.source, task.source),
            "fields": attribute_labels(task.attributes),
            "done_by": who(task.done_by),
            "form": (task_forms or {}).get(task.pk) or TaskDoneForm(),
        }
        for task in case.rectification_tasks.all()
    ]
    return {
        "case": case,
        "rows": rows,
        "tasks": tasks,
        "form": corrections_form or CorrectionsForm(),
        "can_record": case.is_open and case.person_id is not None,
        "error": error,
    }


def _case(pk: uuid.UUID) -> Case:
    found = Case.objects.filter(pk=pk).select_related("person").first()
    if found is None:
        raise Http404
    return found


def _rectification(case: Case, rectification_id: uuid.UUID) -> Rectification:
    found = Rectification.objects.filter(pk=rectification_id, case=case).first()
    if found is None:
        raise Http404
    return found


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[case.pk]) + "#rectification")


def _again(request: HttpRequest, case: Case, **panel: Any) -> HttpResponse:
    from vigie.rights.backoffice import render_case

    return render_case(request, case, rectification=panel, status=400)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def record(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = _case(pk)
    form = CorrectionsForm(request.POST)
    if form.is_valid():
        try:
            item = rectification.record_corrections(
                Actor.from_request(request), case, form.changes()
            )
        except services.NotAllowed:
            raise PermissionDenied from None
        except services.RightsError as error:
            form.add_error(None, str(error))
        else:
            if item.applied:
                messages.success(request, _("Corrections applied in every source."))
            else:
                messages.success(
                    request,
                    WAITING,
                )
            return _back(case)
    case.refresh_from_db()
    return _again(request, case, corrections_form=form)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def proof(request: HttpRequest, pk: uuid.UUID, rectification_id: uuid.UUID) -> HttpResponse:
    case = _case(pk)
    item = _rectification(case, rectification_id)
    form = ProofForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            rectification.record_proof(
                Actor.from_request(request),
                item,
                seen_note=form.cleaned_data.get("seen") or "",
                content=upload.read() if upload is not None else None,
                file_name=upload.name if upload is not None else "",
                content_type=getattr(upload, "content_type", "") or "",
            )
        except services.NotAllowed:
            raise PermissionDenied from None
        except services.RightsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Proof recorded; corrections applied in every source."))
            return _back(case)
    case.refresh_from_db()
    return _again(request, case, proof_forms={str(item.pk): form})


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def task_done(request: HttpRequest, pk: uuid.UUID, task_id: int) -> HttpResponse:
    case = _case(pk)
    task = RectificationTask.objects.filter(pk=task_id, case=case).first()
    if task is None:
        raise Http404
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            rectification.complete_task(
                Actor.from_request(request), task, form.cleaned_data["note"]
            )
        except services.NotAllowed:
            raise PermissionDenied from None
        except services.RightsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Task recorded as done."))
            return _back(case)
    return _again(request, case, task_forms={task.pk: form})


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_GET
def values(request: HttpRequest, pk: uuid.UUID, rectification_id: uuid.UUID) -> HttpResponse:
    """The new values and every place changed with its old value; the read is journaled."""
    case = _case(pk)
    item = _rectification(case, rectification_id)
    read = rectification.read_values(Actor.from_request(request), item)
    sources = _source_names()
    sources.setdefault("vigie", "Vigie")
    changes = [
        {"label": ATTRIBUTE_LABELS.get(a, a), "value": v}
        for a, v in sorted(read["changes"].items())
    ]
    history = [
        {
            "source": sources.get(h["source"], h["source"]),
            "place": f"{h['table']} · {h['column']}",
            "label": ATTRIBUTE_LABELS.get(h["attribute"], h["attribute"]),
            "old": h["old"],
            "new": h["new"],
        }
        for h in read["history"]
    ]
    context = {"case": case, "item": item, "changes": changes, "history": history}
    response = render(request, "rights/rectification_values.html", context)
    response["Cache-Control"] = "no-store"
    return response
