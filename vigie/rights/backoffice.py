"""The rights requests in the back-office: the dashboard, a case's page, staff intake.

Every page and action declares its permission; the case page opens the requester's
details through ``services.read_case`` (journaled, R29). The actions live in
``rights.case_actions``. Nothing here writes a case but through the services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import ClockColour, DeadlineError
from vigie.mail.outbox import TEMPLATE_LABELS
from vigie.rights import dashboard, services
from vigie.rights.filters import CaseFilter
from vigie.rights.forms import (
    AssignForm,
    CloseUnverifiedForm,
    DeadlineForm,
    DecideForm,
    IntakeForm,
    ReasonsForm,
    ReceivedAtForm,
    VerifyForm,
    received_moment,
)
from vigie.rights.models import (
    OWN_DEADLINE_TYPES,
    Case,
    CaseScan,
    Channel,
    IdentityMethod,
    IdentityStatus,
    Outcome,
    RequestType,
    Status,
)
from vigie.rights.scans import ScanFile, open_case_with_scan, open_scan
from vigie.rights.sealing import Requester
from vigie.rights.timeline import timeline

PAGE_SIZE = 50


def type_words(types: list[str]) -> list[str]:
    if not types:
        # Opened by a message of the privacy mailbox, not sorted yet (R78).
        return [_("To be specified (privacy mailbox, to sort)")]
    labels = dict(RequestType.choices)
    return [str(labels.get(t, t)) for t in types]


def _late(days_left: int | None) -> int | None:
    return -days_left if days_left is not None and days_left < 0 else None


def _handler_name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


@requires(Permission.RIGHTS_CASE_VIEW)
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    """Open cases by clock colour (R47): green, amber from D-7, orange from D-2, red
    when overdue, grey while the clock is suspended."""
    now = timezone.now()
    cases = dashboard.open_cases().select_related("handler")
    counts = dashboard.colour_counts(cases, now)
    filters = CaseFilter(request.GET or None, queryset=cases.order_by("due_date", "received_at"))
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        left = dashboard.days_left(case, now)
        rows.append(
            {
                "case": case,
                "types": type_words(case.types),
                "colour": dashboard.colour_of(case, now),
                "days_left": left,
                "late": -left if left is not None and left < 0 else None,
                "handler": _handler_name(case.handler),
            }
        )
    colours = [
        {"code": c.value, "label": dashboard.COLOUR_LABELS[c], "count": counts[c.value]}
        for c in ClockColour
    ]
    context = {"filters": filters, "page": page, "rows": rows, "colours": colours}
    if getattr(request.user, "has_vigie_permission", lambda _p: False)(Permission.RIGHTS_TRIAGE):
        from vigie.mail.triage import triage_queue

        # R78: the privacy mailbox's messages waiting to be sorted.
        context["triage_count"] = triage_queue().count()
    return render(request, "rights/dashboard.html", context)


def _forms(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The action forms the signed-in account may use on ``case`` (none when closed)."""
    user = request.user
    allowed = user.has_vigie_permission  # type: ignore[union-attr]
    if not case.is_open or not allowed(Permission.RIGHTS_CASE_HANDLE):
        return {}
    forms: dict[str, Any] = {"assign": AssignForm(initial={"handler": case.handler_id})}
    if case.identity_status != IdentityStatus.VERIFIED:
        forms["verify"] = VerifyForm()
        forms["close_unverified"] = CloseUnverifiedForm()
        if case.person_id is not None:
            forms["challenge"] = True
    else:
        forms["decide"] = DecideForm(
            types=case.types, may_refuse=allowed(Permission.RIGHTS_CASE_REFUSE)
        )
        forms["answer"] = True
    forms["received_at"] = ReceivedAtForm(
        initial={"received_on": timezone.localtime(case.received_at).date()}
    )
    if case.deadline_set_by_privacy_lead:
        if allowed(Permission.RIGHTS_DEADLINE_SET):
            forms["deadline"] = DeadlineForm(initial={"due_date": case.due_date})
    elif case.extended_at is None and not services.clock_of(case).suspended:
        forms["extend"] = ReasonsForm()
    return forms


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
    erasure_bound: dict[str, Any] | None = None,
    rectification: dict[str, Any] | None = None,
) -> HttpResponse:
    """The case page; ``bound`` replaces a form by the one just posted, with its errors
    (``rectification``: the rectification panel's forms just posted)."""
    now = timezone.now()
    view = services.read_case(Actor.from_request(request), case, view="rights:case")
    clock = services.clock_of(case)
    decisions = list(case.decisions.all())
    letters = list(case.letters.all())
    events = list(case.events.all())
    labels = {case.identity_verified_by} | {d.decided_by for d in decisions}
    labels |= {f"{e.actor_type}:{e.actor_id}" for e in events}
    names = dashboard.staff_names(labels)
    forms = _forms(request, case)
    forms.update(bound or {})
    decision_rows = [
        {
            "type": dict(RequestType.choices).get(d.request_type, d.request_type),
            "outcome": Outcome(d.outcome).label,
            "refused": d.outcome != Outcome.GRANTED,
            "grounds": d.grounds,
            "at": d.decided_at,
            "by": names.get(d.decided_by, ""),
        }
        for d in decisions
    ]
    letter_rows = [
        {
            "label": TEMPLATE_LABELS.get(letter.template, letter.template),
            "queued_at": letter.queued_at,
            "sent_at": letter.sent_at,
            "failed": letter.failed_reason,
            "to_person": letter.to_kind != "requester",
        }
        for letter in letters
    ]
    context = {
        "case": case,
        "view": view,
        "types": type_words(case.types),
        "channel": Channel(case.channel).label,
        "status": Status(case.status).label,
        "identity_status": IdentityStatus(case.identity_status).label,
        "identity_method": IdentityMethod(case.identity_method).label
        if case.identity_method
        else "",
        "verified_by": names.get(case.identity_verified_by, ""),
        "colour": dashboard.colour_of(case, now) if case.is_open else None,
        "colour_label": dashboard.COLOUR_LABELS.get(dashboard.colour_of(case, now))
        if case.is_open
        else "",
        "days_left": dashboard.days_left(case, now) if case.is_open else None,
        "late": _late(dashboard.days_left(case, now)) if case.is_open else None,
        "suspensions": [
            {"start": s.start, "end": s.end, "days": s.days} for s in clock.suspensions
        ],
        "own_deadline": case.deadline_set_by_privacy_lead,
        "own_deadline_types": set(case.types) <= OWN_DEADLINE_TYPES,
        "decisions": decision_rows,
        "letters": letter_rows,
        "timeline": timeline(events, names),
        "scans": list(case.scans.all()),
        "handler": _handler_name(case.handler),
        "forms": forms,
    }
    from vigie.rights.notices_views import notices_panel

    context["notices"] = notices_panel(request, case)  # Art. 19 tasks (R57)
    # The identity documents panel (R48): shown to whoever handles the case.
    if getattr(request.user, "has_vigie_permission", lambda _p: False)(
        Permission.RIGHTS_CASE_HANDLE
    ):
        from vigie.rights.identity_views import identity_panel

        context["identity"] = identity_panel(request, case)
        from vigie.rights.access_views import access_panel

        context["access"] = access_panel(case)
    # Restriction and objection (R55, R56): the « LIMITÉ » banner and their steps.
    from vigie.rights.restriction_views import panel

    context.update(panel(request, case, bound or {}))
    from vigie.rights.portability_views import panel as portability_panel

    context["portability"] = portability_panel(
        request, case, form=(bound or {}).get("portability_form")
    )
    from vigie.rights.erasure_views import erasure_panel

    context["erasure"] = erasure_panel(request, case, erasure_bound)
    # The rectification panel (Art. 16): corrections, proof, tasks.
    from vigie.rights.rectification_views import rectification_panel

    context["rectification"] = rectification_panel(request, case, **(rectification or {}))
    return render(request, "rights/case.html", context, status=status)


@requires(Permission.RIGHTS_CASE_VIEW)
@require_safe
def case_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("handler", "person"), pk=pk)
    return render_case(request, case)


@requires(Permission.RIGHTS_CASE_CREATE)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """A request a member of staff received by e-mail, post, phone or from a colleague
    (R46, R78): recorded with the day it reached the company; by post, with its scan."""
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        may_identify=request.user.has_vigie_permission(Permission.RIGHTS_CASE_HANDLE),  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("scan")
        scan = ScanFile(upload.name, upload.read()) if upload is not None else None
        requester = Requester(
            email=data["email"],
            name=data["name"],
            phone=data["phone"],
            postal_address=data["postal_address"],
            reference=data["reference"],
        )
        try:
            case = open_case_with_scan(
                Actor.from_request(request),
                scan,
                types=data["types"],
                channel=data["channel"],
                requester=requester,
                description=data["description"],
                received_at=received_moment(data["received_on"]),
                person=form.person,
                verified_by=data.get("verified_by", ""),
            )
        except (services.RightsError, DeadlineError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Request recorded as %(number)s.") % {"number": case.number}
            )
            if request.user.has_vigie_permission(Permission.RIGHTS_CASE_VIEW):  # type: ignore[union-attr]
                return redirect("cases:detail", case.pk)
            return redirect("cases:new")
    status = 400 if request.method == "POST" else 200
    return render(request, "rights/intake.html", {"form": form}, status=status)


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_safe
def scan_download(request: HttpRequest, pk: uuid.UUID, scan_id: uuid.UUID) -> HttpResponse:
    """The letter as received, for the privacy lead and the handlers; journaled (R29)."""
    scan = get_object_or_404(CaseScan.objects.select_related("case"), pk=scan_id, case_id=pk)
    content = open_scan(Actor.from_request(request), scan)
    response = HttpResponse(content, content_type=scan.content_type)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        scan.content_type, "tif"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{scan.case.number}-courrier.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
