"""The site's URLs, plus a stand-in for the one-click unsubscribe route while the
consent domain does not declare it yet (``consent:unsubscribe``, built by
``consent.tokens.unsubscribe_url``). Once it exists, the real route is used."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from vigie import urls as site
from vigie.consent import urls as consent_urls


def _stand_in(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse(status=204)


def _declares_unsubscribe() -> bool:
    return any(getattr(p, "name", None) == "unsubscribe" for p in consent_urls.urlpatterns)


urlpatterns: list[URLPattern | URLResolver] = [*site.urlpatterns]  # type: ignore[list-item]
if not _declares_unsubscribe():
    urlpatterns = [p for p in urlpatterns if getattr(p, "namespace", None) != "consent"]
    urlpatterns.append(
        path("", include(([path("u/<str:token>", _stand_in, name="unsubscribe")], "consent")))
    )
