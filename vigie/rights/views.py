"""Pages of the rights domain on the portal: the identity confirmation link (R48)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from vigie.accounts.access import public
from vigie.accounts.ratelimit import rate_limited
from vigie.rights import services
from vigie.rights.links import read_challenge_token


@public
@rate_limited(
    "rights-confirm",
    link_param="token",
    methods=("GET", "POST"),
    valid_token=lambda token: read_challenge_token(token) is not None,
)
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; the POST confirms (a mail scanner that follows links must not
    confirm a request in the person's place)."""
    if read_challenge_token(token) is None:
        return render(request, "rights/confirm.html", {"state": "invalid"}, status=404)
    if request.method == "GET":
        return render(request, "rights/confirm.html", {"state": "ask"})
    case = services.confirm_challenge(token)
    if case is None:
        return render(request, "rights/confirm.html", {"state": "invalid"}, status=404)
    return render(request, "rights/confirm.html", {"state": "done", "case": case})
