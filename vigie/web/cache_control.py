"""No cache keeps a page Vigie built: ``Cache-Control: no-store`` on every dynamic answer.

Person pages, consent proofs and their exports, the portal pages opened by a token and
the API all carry personal data; a browser's disk cache or back button on a shared
computer, or a proxy, must not hand them to the next person (Art. 32). Marking every
dynamic response rather than a list of views means a new page cannot be forgotten; a
view that really wants caching sets its own ``Cache-Control``, which is left alone.
Static files never reach this middleware (WhiteNoise answers them first).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
