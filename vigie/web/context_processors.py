from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from vigie.accounts.permissions import Permission
from vigie.lib.controller import current_controller


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the back-office menu may show to the signed-in account."""
    user = getattr(request, "user", None)
    perms = frozenset(getattr(user, "vigie_permissions", frozenset()))
    return {"vigie_perms": {p.name: (p in perms) for p in Permission}}


def controller(request: HttpRequest) -> dict[str, Any]:
    """The company running Vigie, from the register (``None`` before one is loaded):
    portal header and footer, page titles. Read only if a template asks for it."""
    return {"controller": SimpleLazyObject(current_controller)}
