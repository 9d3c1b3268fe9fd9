"""The actions of a case's page, one POST route each, each behind its permission.

A step the rules refuse (``RightsError``, a ``DeadlineError`` turned into one) is shown
on the case page as the form's error (400), never a 500; a role that may not take the
step gets 403 (``NotAllowed``: a refusal by a handler who is not the privacy lead,
R49). A step done redirects to the case page (POST-redirect-GET).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import DeadlineError
from vigie.rights import services
from vigie.rights.backoffice import render_case
from vigie.rights.forms import (
    AssignForm,
    CloseUnverifiedForm,
    DeadlineForm,
    DecideForm,
    ReasonsForm,
    ReceivedAtForm,
    VerifyForm,
    received_moment,
)
from vigie.rights.models import Case

Step = Callable[[Actor, Case, dict[str, Any]], Any]


def _act(
    request: HttpRequest,
    pk: uuid.UUID,
    name: str,
    form: forms.Form | None,
    step: Step,
    done: str,
) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            step(Actor.from_request(request), case, data)
        except services.NotAllowed:
            raise PermissionDenied from None
        except (services.RightsError, DeadlineError) as error:
            message = error.message if isinstance(error, DeadlineError) else str(error)
            if form is None:
                # The step has no field: a bare form carries the error to the page.
                form = forms.Form({})
                form.full_clean()
            form.add_error(None, message)
        else:
            messages.success(request, done)
            return redirect("cases:detail", case.pk)
    case.refresh_from_db()
    return render_case(request, case, bound={name: form}, status=400)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def verify(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "verify",
        VerifyForm(request.POST),
        lambda actor, case, d: services.verify_identity(actor, case, d["method"]),
        _("Identity recorded as verified."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def challenge(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "challenge",
        None,
        lambda actor, case, d: services.challenge_identity(actor, case),
        _("The confirmation link was sent to the address on file."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def received_at(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "received_at",
        ReceivedAtForm(request.POST),
        lambda actor, case, d: services.set_received_at(
            actor, case, received_moment(d["received_on"])
        ),
        _("The date of receipt is corrected; the deadline follows it."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def extend(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "extend",
        ReasonsForm(request.POST),
        lambda actor, case, d: services.extend_deadline(actor, case, d["reasons"]),
        _("The deadline is extended and the requester told why."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def decide(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    # Every outcome is offered to the form; the service refuses what the role may not.
    form = DecideForm(request.POST, types=case.types, may_refuse=True)
    return _act(
        request,
        pk,
        "decide",
        form,
        lambda actor, case, d: services.decide(
            actor, case, d["request_type"], d["outcome"], d["grounds"]
        ),
        _("The decision is recorded."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def answer(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "answer",
        None,
        lambda actor, case, d: services.answer(actor, case),
        _("The answer is sent and the case closed."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def close_unverified(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "close_unverified",
        CloseUnverifiedForm(request.POST),
        lambda actor, case, d: services.close_unverified(actor, case, d["reason"]),
        _("The case is closed and the requester told why."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def assign(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "assign",
        AssignForm(request.POST),
        lambda actor, case, d: services.assign(actor, case, d["handler"]),
        _("The handler is changed."),
    )


@requires(Permission.RIGHTS_DEADLINE_SET)
@require_POST
def deadline(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "deadline",
        DeadlineForm(request.POST),
        lambda actor, case, d: services.set_deadline(actor, case, d["due_date"]),
        _("The deadline is set."),
    )
