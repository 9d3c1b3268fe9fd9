from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from vigie.accounts.access import public, requires
from vigie.accounts.permissions import Permission
from vigie.accounts.ratelimit import rate_limited
from vigie.consent.preference_links import FORM as PREFERENCES_LINK_FORM
from vigie.lib.bounds import MAX_EMAIL, validate_email_bounds


@public
@require_GET
def portal_home(request: HttpRequest) -> HttpResponse:
    from vigie.register.services import current_document

    controller = (current_document() or {}).get("controller") or {}
    return render(request, "web/portal_home.html", {"privacy_contact": controller.get("email", "")})


class PreferencesLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"), max_length=MAX_EMAIL, validators=[validate_email_bounds]
    )


@public
@rate_limited(PREFERENCES_LINK_FORM)
@never_cache
@require_http_methods(["GET", "POST"])
def preferences_link(request: HttpRequest) -> HttpResponse:
    """Ask for the preferences link by e-mail. The answer never says whether the
    address is known (see ``consent.preference_links``)."""
    from vigie.consent.preference_links import request_preferences_link

    form = PreferencesLinkForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "web/preferences_link.html", {"form": form}, status=400)
        language = "en" if (get_language() or "fr").startswith("en") else "fr"
        request_preferences_link(form.cleaned_data["email"], language=language)
        return render(request, "web/preferences_link.html", {"sent": True})
    return render(request, "web/preferences_link.html", {"form": form})


@requires(Permission.BACKOFFICE_VIEW)
def backoffice_home(request: HttpRequest) -> HttpResponse:
    """One panel per domain the role may see, with its counts; each count comes from
    that domain's services in a set-based query. Domains not built yet show nothing."""
    user = request.user
    allowed = user.has_vigie_permission  # type: ignore[union-attr]
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    panels: dict[str, Any] = {"month_start": month_start}
    if allowed(Permission.ACCOUNTS_ROLE_CONFIRM):
        from vigie.accounts.services import count_pending_grants

        # Issue 11: a role asked for shows to everyone who may confirm it.
        panels["role_grants"] = count_pending_grants(excluding=user)
    if allowed(Permission.PEOPLE_VIEW):
        from vigie.people.services import count_overdue_notices, count_people

        panels["people"] = count_people()
        # R9: an Art. 14 notice still unsent at its due date is shown as an alert.
        panels["art14_overdue"] = count_overdue_notices()
    if allowed(Permission.RIGHTS_CASE_VIEW):
        from vigie.rights.dashboard import dashboard_counts

        # R47: the open requests by how close their deadline is.
        panels["rights"] = dashboard_counts(timezone.now())
    if allowed(Permission.CONSENT_VIEW):
        from vigie.consent.services import consent_activity

        panels["consent"] = consent_activity(month_start)
    if allowed(Permission.SOURCES_VIEW):
        from vigie.sources.services import list_sources, source_label

        language = "en" if (get_language() or "fr").startswith("en") else "fr"
        panels["sources"] = []
        for source in list_sources():
            label, valid = source_label(source, language)
            panels["sources"].append(
                {
                    "label": label,
                    "valid": valid,
                    "checked_at": source.last_check_at,
                    "ok": bool(source.last_check.get("ok")),
                    "problems": len(source.last_check.get("problems", [])),
                }
            )
    if allowed(Permission.MAIL_VIEW):
        from vigie.mail.outbox import outbox_counts

        panels["outbox"] = outbox_counts()
    if allowed(Permission.REGISTER_VIEW):
        from vigie.register.services import count_retention_rules

        panels["retention_rules"] = count_retention_rules()
    return render(request, "web/backoffice_home.html", panels)


@public
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 403}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 404}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"status": 500}, status=500)
