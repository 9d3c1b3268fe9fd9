"""Every route declares who may reach it, and outsiders are refused everywhere (R28)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from vigie.accounts.access import AUTHENTICATED, PUBLIC
from vigie.accounts.api_auth import ApiKeyBearer, ApiKeyHeaderAuth
from vigie.accounts.permissions import Permission
from vigie.api import PUBLIC_API_URL_NAMES, api


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _is_ninja(pattern: URLPattern) -> bool:
    """Routes django-ninja generates: operations, the schema and the API root."""
    callback = pattern.callback
    if isinstance(callback, functools.partial):
        callback = callback.func
    return callback.__module__.startswith("ninja")


ALL_ROUTES = list(_walk(get_resolver().url_patterns))
VIEW_ROUTES = [(route, p) for route, p in ALL_ROUTES if not _is_ninja(p)]
API_OPERATIONS = [
    (path, op)
    for _prefix, router in api._routers
    for path, path_view in router.path_operations.items()
    for op in path_view.operations
]


def _sample_url(route: str) -> str:
    url = re.sub(r"<int:\w+>", "1", route)
    url = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000000", url)
    url = re.sub(r"<(?:\w+:)?\w+>", "x", url)
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "x", url)
    return "/" + url.lstrip("^").rstrip("$")


def test_the_walk_finds_the_routes() -> None:
    assert len(VIEW_ROUTES) >= 15
    assert len(API_OPERATIONS) >= 1


@pytest.mark.parametrize(("route", "pattern"), VIEW_ROUTES, ids=[r for r, _ in VIEW_ROUTES])
def test_every_view_declares_its_access(route: str, pattern: URLPattern) -> None:
    access = getattr(pattern.callback, "vigie_access", None)
    assert access in {PUBLIC, AUTHENTICATED} or isinstance(access, Permission), (
        f"/{route} declares no permission: decorate it with public, authenticated or requires()"
    )


@pytest.mark.parametrize(("path", "op"), API_OPERATIONS, ids=[p for p, _ in API_OPERATIONS])
def test_every_api_operation_requires_a_scoped_key(path: str, op) -> None:
    auths = op.auth_callbacks
    assert auths, f"{path} has no authentication"
    assert all(isinstance(a, ApiKeyBearer | ApiKeyHeaderAuth) for a in auths)
    assert all(isinstance(a.permission, Permission) for a in auths)


def test_the_only_ninja_routes_without_a_key_are_declared_public() -> None:
    ninja = [p for _r, p in ALL_ROUTES if _is_ninja(p)]
    # Operations are ninja's view wrappers (checked above); the rest are partials.
    operation_names = {p.name for p in ninja if not isinstance(p.callback, functools.partial)}
    ninja_names = {p.name for p in ninja}
    assert ninja_names - operation_names == PUBLIC_API_URL_NAMES


PROTECTED = [
    (route, p)
    for route, p in VIEW_ROUTES
    if getattr(p.callback, "vigie_access", None) not in {PUBLIC}
]


@pytest.mark.parametrize(("route", "pattern"), PROTECTED, ids=[r for r, _ in PROTECTED])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_login(client, route, pattern, method, db) -> None:
    response = getattr(client, method)(_sample_url(route))
    assert response.status_code in (302, 405), response.status_code
    if response.status_code == 302:
        assert response["Location"].startswith("/backoffice/login/")


PERMISSION_ROUTES = [
    (route, p)
    for route, p in VIEW_ROUTES
    if isinstance(getattr(p.callback, "vigie_access", None), Permission)
]


@pytest.mark.parametrize(
    ("route", "pattern"), PERMISSION_ROUTES, ids=[r for r, _ in PERMISSION_ROUTES]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_staff_account_without_role_is_refused(
    signed_in, outsider, route, pattern, method
) -> None:
    response = getattr(signed_in(outsider), method)(_sample_url(route))
    assert response.status_code in (403, 405), response.status_code


@pytest.mark.parametrize(("path", "op"), API_OPERATIONS, ids=[p for p, _ in API_OPERATIONS])
def test_an_api_call_without_a_valid_key_gets_401(client, db, path: str, op) -> None:
    url = "/api/v1/" + re.sub(r"\{\w+\}", "1", path).lstrip("/")
    for method in op.methods:
        response = client.generic(method, url, HTTP_AUTHORIZATION="Bearer vigie_bad_key")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
