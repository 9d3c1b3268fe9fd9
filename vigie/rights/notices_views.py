"""The Art. 19 tasks of a case's page (R57): one POST route per action, each behind
``rights:case:handle``; a step the rules refuse is the form's error on the case page."""

from __future__ import annotations

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
from vigie.disclosures.services import category_words
from vigie.mail.models import Message
from vigie.rights import art19, services
from vigie.rights.backoffice import render_case
from vigie.rights.models import (
    Case,
    IdentityStatus,
    NoticeStatus,
    NoticeTrigger,
    RecipientNotice,
)
from vigie.rights.recipients import send_recipients_list


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("How the recipient was told"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why it is impossible or disproportionate"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def notice_rows(case: Case, *, may_act: bool) -> list[dict[str, Any]]:
    """Each task in words: the recipient's name, the trigger, the categories, the state."""
    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    notices = list(case.notices.select_related("recipient"))
    states = dict(
        Message.objects.filter(pk__in=[n.message_id for n in notices if n.message_id]).values_list(
            "pk", "status"
        )
    )
    rows = []
    for notice in notices:
        queued = notice.message_id is not None and notice.is_open
        state = states.get(notice.message_id) if notice.message_id else None
        failed = queued and state in {"failed", "refused", None}
        rows.append(
            {
                "notice": notice,
                "recipient": notice.recipient.name(lang),
                "contact": "@" in notice.recipient.privacy_contact,
                "trigger": NoticeTrigger(notice.trigger).label,
                "categories": category_words(notice.categories, lang),
                "status": NoticeStatus(notice.status).label,
                "queued": queued and not failed,
                "failed": failed,
                "may_act": may_act and notice.is_open and case.is_open,
            }
        )
    return rows


def notices_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The case page's « Art. 19 » section: the notice tasks, and the letter that gives
    the person the list of recipients (None when there is nothing to show)."""
    may_act = request.user.has_vigie_permission(Permission.RIGHTS_CASE_HANDLE)  # type: ignore[union-attr]
    may_send_list = (
        may_act
        and case.is_open
        and case.person_id is not None
        and case.identity_status == IdentityStatus.VERIFIED
    )
    if not may_send_list and not case.notices.exists():
        return None
    return {
        "may_send_list": may_send_list,
        "rows": notice_rows(case, may_act=may_act),
        "open": len(art19.open_notices_of(case)),
        "note_form": NoteForm(),
        "reason_form": ReasonForm(),
    }


def _act(
    request: HttpRequest,
    pk: uuid.UUID,
    notice_pk: int,
    form: forms.Form | None,
    step: Any,
    done: str,
) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    notice = get_object_or_404(RecipientNotice, pk=notice_pk, case=case)
    if form is None or form.is_valid():
        try:
            step(Actor.from_request(request), notice, form.cleaned_data if form else {})
        except services.NotAllowed:
            raise PermissionDenied from None
        except services.RightsError as error:
            if form is None:
                form = forms.Form({})
                form.full_clean()
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("cases:detail", case.pk)
    return render_case(
        request, case, bound={"notice_error": form, "notice_pk": notice.pk}, status=400
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def send(request: HttpRequest, pk: uuid.UUID, notice_pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        notice_pk,
        None,
        lambda actor, notice, d: art19.send_notice(actor, notice),
        _("The notice is queued; it is marked sent once the mail server has taken it."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def done(request: HttpRequest, pk: uuid.UUID, notice_pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        notice_pk,
        NoteForm(request.POST),
        lambda actor, notice, d: art19.mark_done(actor, notice, d["note"]),
        _("The notice is recorded as done."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def impossible(request: HttpRequest, pk: uuid.UUID, notice_pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        notice_pk,
        ReasonForm(request.POST),
        lambda actor, notice, d: art19.mark_impossible(actor, notice, d["note"]),
        _("The notice is recorded as impossible or disproportionate, with its reason."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def send_list(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The list of the recipients of the person's data, by letter (Art. 19)."""
    case = get_object_or_404(Case, pk=pk)
    try:
        send_recipients_list(Actor.from_request(request), case)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RightsError as error:
        form = forms.Form({})
        form.full_clean()
        form.add_error(None, str(error))
        return render_case(request, case, bound={"notice_error": form}, status=400)
    messages.success(request, _("The list of recipients is queued to the address on file."))
    return redirect("cases:detail", case.pk)
