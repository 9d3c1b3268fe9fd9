"""The privacy mailbox's triage queue in the back-office (R46, R78).

Each message waits here once stored (mail.inbound); it already opened a provisional case
on arrival, which acknowledged it. A privacy lead reads it (each opening journaled) and
either chooses the request's types, sorts it under another case, or closes it as not a
request, with why. The list shows only dates, sizes and the case number: the sender and
the subject are read on the message's own page.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.mail.models import InboundMessage, InboundState
from vigie.mail.triage import TriageError, open_message, triage_queue
from vigie.rights import mailbox, services
from vigie.rights.models import Case, RequestType

#: What a person may ask; a CNIL inquiry does not come through the privacy mailbox.
_TYPES = [(v, label) for v, label in RequestType.choices if v != RequestType.CNIL_INQUIRY]


class QualifyForm(forms.Form):
    types = forms.MultipleChoiceField(
        label=gettext_lazy("What the person asks"),
        choices=_TYPES,
        widget=forms.CheckboxSelectMultiple,
    )


class AttachForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Case number"), max_length=20, help_text="DDP-2026-0001"
    )

    def clean_number(self) -> Case:
        number = self.cleaned_data["number"].strip().upper()
        case = Case.objects.filter(number=number).first()
        if case is None:
            raise forms.ValidationError(_("No case has this number."))
        return case


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is not a request"), max_length=500, widget=forms.Textarea
    )


@requires(Permission.RIGHTS_TRIAGE)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    waiting = list(triage_queue()[:200])
    cases = {
        c.source_message: c for c in Case.objects.filter(source_message__in=[m.id for m in waiting])
    }
    rows = [{"message": m, "case": cases.get(m.id)} for m in waiting]
    return render(request, "rights/triage_queue.html", {"rows": rows})


@requires(Permission.RIGHTS_TRIAGE)
@require_http_methods(["GET", "POST"])
def message_page(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    message = get_object_or_404(InboundMessage, pk=pk)
    actor = Actor.from_request(request)
    forms_ = {"qualify": QualifyForm(), "attach": AttachForm(), "dismiss": DismissForm()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = {"qualify": QualifyForm, "attach": AttachForm, "dismiss": DismissForm}.get(action)
        if form is None:
            return HttpResponse(_("Unknown action."), status=400)
        bound = form(request.POST)
        forms_[action] = bound
        if bound.is_valid():
            try:
                if action == "qualify":
                    case = mailbox.open_case_from_message(
                        actor, message, types=bound.cleaned_data["types"]
                    ).case
                    messages.success(request, _("Sorted: case %(n)s.") % {"n": case.number})
                    return redirect("cases:detail", case.pk)
                if action == "attach":
                    case = bound.cleaned_data["number"]
                    mailbox.attach_message(actor, message, case)
                    messages.success(request, _("Sorted under case %(n)s.") % {"n": case.number})
                    return redirect("cases:detail", case.pk)
                mailbox.dismiss_message(actor, message, bound.cleaned_data["reason"])
                messages.success(request, _("Marked as not a request."))
                return redirect("cases:triage")
            except services.NotAllowed:
                raise PermissionDenied from None
            except (services.RightsError, TriageError) as error:
                bound.add_error(None, str(error))
        status = 400
    opened = open_message(actor, message, view="rights:triage")
    context = {
        "message": message,
        "opened": opened,
        "waiting": message.state == InboundState.TRIAGE,
        "case": mailbox.provisional_case(message),
        "forms": forms_,
    }
    return render(request, "rights/triage_message.html", context, status=status)
