"""The outbox page: what was queued, sent, failed or refused, and retry for staff."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.mail.models import Message
from vigie.mail.outbox import TEMPLATE_LABELS, MessageFilter, reason_in_words, recipient_names
from vigie.mail.services import InvalidMessage, UnconfirmedRetry, requeue_message

PAGE_SIZE = 50


@requires(Permission.MAIL_VIEW)
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    messages = Message.objects.select_related("organisation", "staff").order_by("-created_at")
    filters = MessageFilter(request.GET or None, queryset=messages)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    # Names, never addresses; one journaled read for the page (R29).
    names = recipient_names(
        Actor.from_request(request),
        list({m.person_id for m in shown if m.person_id}),
        "mail:outbox",
    )
    rows = [
        (m, names.get(m.person_id), TEMPLATE_LABELS.get(m.template), reason_in_words(m))
        for m in shown
    ]
    context = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "can_retry": request.user.has_vigie_permission(Permission.MAIL_RETRY),  # type: ignore[union-attr]
    }
    return render(request, "mail/backoffice/outbox.html", context)


@requires(Permission.MAIL_RETRY)
@require_POST
def retry(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Send a failed message again; a second click (or a message already back in the
    queue) changes nothing and says so. A message that may already have been delivered
    goes again only with the box « I checked the server's log » ticked; without it the
    answer is a 400 page that says why and offers the box."""
    message = get_object_or_404(Message, pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    checked = request.POST.get("checked_server_log") == "on"
    try:
        requeue_message(Actor.from_request(request), message, checked_server_log=checked)
        messages.success(request, _("The message is back in the queue."))
    except UnconfirmedRetry:
        context = {
            "m": message,
            "reason": reason_in_words(message),
            "next": back or reverse("mail:outbox"),
        }
        return render(request, "mail/backoffice/retry_unconfirmed.html", context, status=400)
    except InvalidMessage:
        messages.info(request, _("Only a failed message can be sent again: nothing was done."))
    return redirect(back or "mail:outbox")
