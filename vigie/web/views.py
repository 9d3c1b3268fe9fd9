from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vigie.accounts.access import public, requires
from vigie.accounts.permissions import Permission


@public
@require_GET
def portal_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/portal_home.html")


@requires(Permission.BACKOFFICE_VIEW)
def backoffice_home(request: HttpRequest) -> HttpResponse:
    context = {}
    if request.user.has_vigie_permission(Permission.PEOPLE_VIEW):  # type: ignore[union-attr]
        from vigie.people.tasks import overdue_notices

        # R9: an Art. 14 notice still unsent at its due date is shown as an alert.
        context["art14_overdue"] = overdue_notices().count()
    return render(request, "web/backoffice_home.html", context)


@public
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 403}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 404}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"status": 500}, status=500)
