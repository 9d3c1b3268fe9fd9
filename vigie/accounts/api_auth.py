"""API-key authentication for django-ninja routes, one permission per route.

``ApiKeyAuth(Permission.X)`` is both the authentication and the route's declared
permission: a test walks every API operation and fails on one without it (or
without an explicit ``public`` mark).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, HttpBearer

from vigie.accounts.models import ApiKey
from vigie.accounts.permissions import Permission
from vigie.accounts.services import authenticate_api_key


def _authorise(request: HttpRequest, token: str, permission: Permission) -> ApiKey | None:
    key = authenticate_api_key(token)
    if key is None:
        return None
    if not key.grants(permission):
        raise HttpError(403, f"This API key does not have the scope {permission.value}.")
    request.api_key = key  # type: ignore[attr-defined]
    return key


class ApiKeyBearer(HttpBearer):
    """``Authorization: Bearer vigie_…``"""

    def __init__(self, permission: Permission) -> None:
        super().__init__()
        self.permission = permission

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _authorise(request, token, self.permission)


class ApiKeyHeaderAuth(APIKeyHeader):
    """``X-API-Key: vigie_…``, for tools that cannot send a bearer token."""

    param_name = "X-API-Key"

    def __init__(self, permission: Permission) -> None:
        super().__init__()
        self.permission = permission

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _authorise(request, key or "", self.permission)


def api_key(permission: Permission) -> list[Any]:
    """The ``auth=`` value of a route that needs ``permission``."""
    return [ApiKeyBearer(permission), ApiKeyHeaderAuth(permission)]


class ErrorDetail(Schema):
    code: str
    message: str
    details: list[Any]


class ErrorOut(Schema):
    """The body of every 4xx answer under /api/v1/."""

    error: ErrorDetail


#: Responses every authenticated route may give, for its ``response=`` mapping: a body
#: that is not JSON, no or a bad key, a key without the scope, a body that does not
#: match the schema.
AUTH_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
