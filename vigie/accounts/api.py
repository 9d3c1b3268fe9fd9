from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from vigie.accounts.api_auth import AUTH_ERRORS, api_key
from vigie.accounts.permissions import Permission

router = Router(tags=["accounts"])


class Identity(Schema):
    key_prefix: str
    name: str
    scopes: list[str]


@router.get(
    "/whoami",
    response={200: Identity, **AUTH_ERRORS},
    auth=api_key(Permission.API_IDENTITY_VIEW),
)
def whoami(request: HttpRequest) -> Identity:
    """The API key's own identity and scopes: a cheap way to test a key."""
    key = request.api_key  # type: ignore[attr-defined]
    return Identity(key_prefix=key.prefix, name=key.name, scopes=key.scopes)
