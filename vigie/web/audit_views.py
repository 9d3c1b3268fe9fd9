"""The audit log in the back-office. Reading the log is itself journaled (R29).

These pages live in ``web``, not in ``audit``: audit is infrastructure below accounts
(accounts records its events there), while a back-office page needs the accounts'
access checks. Their templates stay in ``audit/templates/audit/``.

The page shows staff logins and IP addresses, which are personal data: each page
read is a read event naming the filters and the page shown.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit import display
from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.audit.services import ObjectRef, last_verification, record_event, verify_chains
from vigie.web.audit_filters import EventFilter

PAGE_SIZE = 50


@require_GET
@requires(Permission.AUDIT_LOG_VIEW)
def log_view(request: HttpRequest) -> HttpResponse:
    events = EventFilter(request.GET, queryset=Event.objects.order_by("-occurred_at", "-pk"))
    status = 200
    if events.is_valid():
        queryset = events.qs
    else:
        # A bad filter (a date that is no date) is the reader's to fix: say so, show nothing.
        queryset, status = Event.objects.none(), 400
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # Evaluate the page before journaling the read: otherwise the new event joins
    # the query and pushes the oldest shown event off the page.
    rows = display.rows(list(page.object_list))
    filters = {k: v for k, v in events.form.data.items() if k != "page" and v}
    record_event(
        Actor.from_request(request),
        Action.AUDIT_LOG_READ,
        ObjectRef("audit.event"),
        extra={"page": page.number, "filters": filters, "shown": len(rows)},
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "filter": events,
        "query": query.urlencode(),
        "verification": last_verification(),
    }
    return render(request, "audit/log.html", context, status=status)


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
