from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vigie.accounts.permissions import Permission


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the back-office menu may show to the signed-in account."""
    user = getattr(request, "user", None)
    perms = frozenset(getattr(user, "vigie_permissions", frozenset()))
    return {"vigie_perms": {p.name: (p in perms) for p in Permission}}
