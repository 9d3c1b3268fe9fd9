"""The audit log in the back-office. Reading the log is itself journaled (R29).

These pages live in ``web``, not in ``audit``: audit is infrastructure below accounts
(accounts records its events there), while a back-office page needs the accounts'
access checks. Their templates stay in ``audit/templates/audit/``.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.audit.services import ObjectRef, record_event, verify_chains


@requires(Permission.AUDIT_LOG_VIEW)
def log_view(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(Event.objects.order_by("-occurred_at", "-pk"), 50)
    page = paginator.get_page(request.GET.get("page"))
    # Evaluate the page before journaling the read: otherwise the new event joins
    # the query and pushes the oldest shown event off the page.
    page.object_list = list(page.object_list)
    record_event(
        Actor.from_request(request),
        Action.AUDIT_LOG_READ,
        ObjectRef("audit.event"),
        extra={"page": page.number},
    )
    return render(request, "audit/log.html", {"page": page})


@require_POST
@requires(Permission.AUDIT_LOG_VERIFY)
def verify_view(request: HttpRequest) -> HttpResponse:
    result = verify_chains()
    record_event(
        Actor.from_request(request),
        Action.AUDIT_VERIFY,
        ObjectRef("audit.event"),
        extra={"checked": result.checked, "ok": result.ok},
    )
    return render(request, "audit/verify.html", {"result": result})
