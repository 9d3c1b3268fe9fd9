"""Issue 11, item 4: every public route that takes a POST has a rate limit.

Walks the URL conf: for each public view, a POST that is not refused as a method
(405) must come from a view marked ``vigie_rate_limit`` (``accounts.ratelimit``), and
with every limit at 1, the second POST from one client gets the 429 page. The
sign-in page is limited by django-axes (tests/accounts/test_login.py).
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.test_access_declared import VIEW_ROUTES, _sample_url
from vigie.accounts.access import PUBLIC
from vigie.accounts.ratelimit import FIXED_ANSWER

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

PUBLIC_ROUTES = [
    (route, p) for route, p in VIEW_ROUTES if getattr(p.callback, "vigie_access", None) == PUBLIC
]
#: A body every public form accepts (the sign-up's box ticked).
BODY = {"email": "marcheur@exemple.fr", "consent": "on", "List-Unsubscribe": "One-Click"}
#: Limited by another well-kept mechanism, tested where it is configured.
ELSEWHERE = {"django-axes", FIXED_ANSWER}


def test_the_walk_finds_the_public_forms() -> None:
    routes = {route for route, _p in PUBLIC_ROUTES}
    assert {"newsletter/", "mes-preferences/", "u/<str:token>"} <= routes


@pytest.mark.parametrize(("route", "pattern"), PUBLIC_ROUTES, ids=[r for r, _ in PUBLIC_ROUTES])
def test_every_public_post_route_has_a_limit(route: str, pattern, settings) -> None:
    for name in ("RATE_LIMIT_PER_IP", "RATE_LIMIT_TOKEN_PER_IP", "RATE_LIMIT_PER_TOKEN"):
        setattr(settings, name, 1)
    client = Client()
    url = _sample_url(route)
    first = client.post(url, BODY)
    if first.status_code == 405:
        return  # no POST: nothing to limit
    limit = getattr(pattern.callback, "vigie_rate_limit", None)
    assert limit, f"/{route} takes a POST and has no rate limit: wrap it in rate_limited()"
    if limit in ELSEWHERE:
        return
    assert first.status_code != 500
    assert client.post(url, BODY).status_code == 429, f"/{route}: the second POST went through"
