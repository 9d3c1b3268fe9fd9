"""Who acts: a staff user, an API key, the system (a task) or the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class Actor:
    kind: str  # "user", "api_key", "system", "cli"
    id: str = ""
    ip: str | None = None
    user: Any = None  # the staff User when kind == "user", for permission checks

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls("system", name)

    @classmethod
    def cli(cls, name: str = "vigie") -> Actor:
        return cls("cli", name)

    @classmethod
    def for_user(cls, user: Any, ip: str | None = None) -> Actor:
        return cls("user", str(user.pk), ip, user)

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        ip = client_ip(request)
        api_key = getattr(request, "api_key", None)
        if api_key is not None:
            return cls("api_key", str(api_key.prefix), ip, api_key.owner)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return cls.for_user(user, ip)
        return cls("anonymous", "", ip)


def client_ip(request: HttpRequest) -> str | None:
    """The client address, trusting X-Forwarded-For only behind configured proxies."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None
