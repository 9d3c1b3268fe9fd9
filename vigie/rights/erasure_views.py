"""The erasure panel of a case page (R53): the plan proposed per category, the privacy
lead's choice and confirmation, a current client's confirmation, the run.

Each step is a POST route behind its permission; a step the rules refuse shows the case
page again with the error (400), never a 500; a role that may not take it gets 403.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.rights import erasure, services
from vigie.rights.models import Case, ErasurePlan, ErasureStatus, RequestType

STATUS_LABELS = {
    ErasureStatus.PROPOSED: gettext_lazy("proposed, to be confirmed by the privacy lead"),
    ErasureStatus.AWAITING_CLIENT: gettext_lazy(
        "confirmed; waiting for the client to confirm that the service will stop"
    ),
    ErasureStatus.CONFIRMED: gettext_lazy("confirmed, ready to run"),
    ErasureStatus.FAILED: gettext_lazy("stopped on a source: run it again"),
    ErasureStatus.DONE: gettext_lazy("carried out"),
}


def ground_choices() -> list[tuple[str, str]]:
    # The legal reference only: the meanings are listed under the form.
    return [("", "—")] + [(g.key, g.text) for g in erasure.GROUNDS.values()]


class PlanForm(forms.Form):
    """One choice, ground and end date per category of the plan, and the Art. 17(1)
    grounds the person invokes."""

    invoked = forms.MultipleChoiceField(
        label=gettext_lazy("Grounds the person invokes (Art. 17(1))"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, plan: ErasurePlan, labels: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        invoked = self.fields["invoked"]
        assert isinstance(invoked, forms.MultipleChoiceField)
        invoked.choices = [(k, str(v)) for k, v in erasure.ART17_1.items()]
        self.initial.setdefault("invoked", plan.invoked)
        self.categories = list(plan.choices)
        for category in self.categories:
            current = plan.choices[category]
            label = labels.get(category, category)
            self.fields[f"choice__{category}"] = forms.ChoiceField(
                label=label,
                choices=[
                    (erasure.ERASE, _("erase")),
                    (erasure.KEEP, _("keep")),
                ],
                initial=current["choice"],
            )
            self.fields[f"ground__{category}"] = forms.ChoiceField(
                label=_("Ground (%(category)s)") % {"category": label},
                choices=ground_choices(),
                required=False,
                initial=current["ground"],
            )
            self.fields[f"until__{category}"] = forms.DateField(
                label=_("Kept until (%(category)s)") % {"category": label},
                required=False,
                input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                initial=dt.date.fromisoformat(current["until"]) if current["until"] else None,
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "category": c,
                "choice": self[f"choice__{c}"],
                "ground": self[f"ground__{c}"],
                "until": self[f"until__{c}"],
            }
            for c in self.categories
        ]

    def choices_data(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        out = {}
        for category in self.categories:
            until = data.get(f"until__{category}")
            out[category] = {
                "choice": data[f"choice__{category}"],
                "ground": data.get(f"ground__{category}") or "",
                "until": until.isoformat() if until else "",
            }
        return out


class ClientForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("How the client confirmed"),
        help_text=gettext_lazy(
            "Their written answer: a letter or an e-mail, its date. The service will stop."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def erasure_panel(
    request: HttpRequest, case: Case, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any] | None:
    """The case page's erasure panel (None when the case asks for no erasure)."""
    if RequestType.ERASURE not in case.types:
        return None
    user = request.user
    may = getattr(user, "has_vigie_permission", lambda _p: False)
    if not may(Permission.RIGHTS_CASE_HANDLE):
        return None
    plan = erasure.plan_of(case)
    panel: dict[str, Any] = {"plan": plan, "case": case, "lead": may(Permission.RIGHTS_CASE_REFUSE)}
    if plan is None:
        return panel
    language = (get_language() or "fr")[:2]
    labels = erasure.category_labels([*plan.choices, *plan.kept], language)
    grounds = {g.key: g for g in erasure.GROUNDS.values()}
    panel["status"] = STATUS_LABELS.get(ErasureStatus(plan.status), plan.status)
    panel["rows"] = [
        {
            "category": labels[c],
            "proposed": plan.proposed.get(c, {}),
            "chosen": p,
            "ground": grounds[p["ground"]].text if p.get("ground") in grounds else "",
            "until": dt.date.fromisoformat(p["until"]) if p.get("until") else None,
            "basis_event": (plan.basis.get(c, {}).get("event") or {}).get(language, ""),
            "basis_date": dt.date.fromisoformat(plan.basis[c]["date"]) if c in plan.basis else None,
        }
        for c, p in sorted(plan.choices.items(), key=lambda i: labels[i[0]])
    ]
    panel["grounds"] = [(g.text, str(g.meaning)) for g in erasure.GROUNDS.values()]
    panel["invoked"] = [str(erasure.ART17_1[k]) for k in plan.invoked if k in erasure.ART17_1]
    if plan.status != ErasureStatus.DONE and case.is_open and panel["lead"]:
        panel["form"] = (bound or {}).get("plan") or PlanForm(plan=plan, labels=labels)
    if plan.current_client and plan.client_confirmed_at is None:
        panel["client_form"] = (bound or {}).get("client") or ClientForm()
    panel["may_run"] = panel["lead"] and plan.status in (
        ErasureStatus.CONFIRMED,
        ErasureStatus.FAILED,
    )
    panel["errors"] = (bound or {}).get("errors")
    return panel


def _redo(request: HttpRequest, case: Case, bound: dict[str, Any]) -> HttpResponse:
    from vigie.rights.backoffice import render_case

    case.refresh_from_db()
    return render_case(request, case, erasure_bound=bound, status=400)


def _refused(
    request: HttpRequest, case: Case, error: Exception, name: str, form: Any
) -> HttpResponse:
    if form is None:
        form = forms.Form({})
        form.full_clean()
    form.add_error(None, str(error))
    return _redo(request, case, {name: form, "errors": form})


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def propose(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    try:
        erasure.propose(Actor.from_request(request), case)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        return _refused(request, case, error, "propose", None)
    messages.success(request, _("Erasure plan proposed from the person's data."))
    return redirect("cases:detail", case.pk)


@requires(Permission.RIGHTS_CASE_REFUSE)
@require_POST
def confirm(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    plan = erasure.plan_of(case)
    if plan is None:
        return _refused(
            request,
            case,
            erasure.ErasureError(_("No erasure plan has been proposed for this case yet.")),
            "propose",
            None,
        )
    labels = erasure.category_labels(plan.choices, (get_language() or "fr")[:2])
    form = PlanForm(request.POST, plan=plan, labels=labels)
    if not form.is_valid():
        return _redo(request, case, {"plan": form})
    try:
        erasure.choose(
            Actor.from_request(request), case, form.choices_data(), form.cleaned_data["invoked"]
        )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        return _refused(request, case, error, "plan", form)
    messages.success(request, _("Erasure plan confirmed."))
    return redirect("cases:detail", case.pk)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def client_confirmed(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    form = ClientForm(request.POST)
    if not form.is_valid():
        return _redo(request, case, {"client": form})
    try:
        erasure.record_client_confirmation(
            Actor.from_request(request), case, form.cleaned_data["note"]
        )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        return _refused(request, case, error, "client", form)
    messages.success(request, _("The client's confirmation is recorded."))
    return redirect("cases:detail", case.pk)


@requires(Permission.RIGHTS_CASE_REFUSE)
@require_POST
def run(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    try:
        erasure.run(Actor.from_request(request), case)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        return _refused(request, case, error, "run", None)
    messages.success(request, _("Erasure carried out; the letter is on its way."))
    return redirect("cases:detail", case.pk)
