"""R59 in the back office: the person page's « record a death » panel and its route.

Staff who handle requests record the date of death, the proof (a death certificate,
stored sealed) and who notified it; the person's post-mortem directive is then applied
(``vigie.rights.death``) and the page of the case it opened is shown."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.panels import Panel
from vigie.rights import death, services
from vigie.rights.sealing import Requester


class DeathForm(forms.Form):
    died_on = forms.DateField(
        label=gettext_lazy("Date of death"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    proof = forms.FileField(
        label=gettext_lazy("Proof (death certificate)"),
        help_text=gettext_lazy("A PDF, JPEG or PNG file, 10 MB at most."),
    )
    notifier_name = forms.CharField(label=gettext_lazy("Notified by"), max_length=200)
    notifier_email = forms.EmailField(label=gettext_lazy("Their e-mail address"))


def death_panel(request: HttpRequest, person: Person) -> Panel | None:
    may = getattr(request.user, "has_vigie_permission", lambda _p: False)
    if not may(Permission.RIGHTS_CASE_HANDLE):
        return None
    return Panel("rights/_record_death.html", {"person": person, "form": DeathForm()})


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def record(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    form = DeathForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else str(error))
        return redirect("people:detail", person.pk)
    upload = form.cleaned_data["proof"]
    if upload.size > death.MAX_PROOF:
        messages.error(request, _("The proof must be a PDF, JPEG or PNG file of 10 MB at most."))
        return redirect("people:detail", person.pk)
    try:
        done = death.record_death(
            Actor.from_request(request),
            person,
            died_on=form.cleaned_data["died_on"],
            proof=upload.read(),
            proof_type=upload.content_type or "",
            notified_by=Requester(
                email=form.cleaned_data["notifier_email"], name=form.cleaned_data["notifier_name"]
            ),
        )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        messages.error(request, str(error))
        return redirect("people:detail", person.pk)
    messages.success(request, _("Death recorded; the post-mortem directive is applied."))
    return redirect("cases:detail", done.case.pk)
