"""Every view declares who may reach it: public, any signed-in account, or a permission.

The declaration is an attribute on the view (``vigie_access``); a test walks the
URL conf and fails on any view without one. ``requires`` also enforces the second
factor (R27): an account that must use TOTP, or has one, sees nothing of the
back-office before it has passed it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from vigie.accounts.models import User
from vigie.accounts.permissions import Permission

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def public(view: View) -> View:
    """Reachable by anyone, signed in or not (portal pages, login)."""
    view.vigie_access = PUBLIC  # type: ignore[attr-defined]
    return view


def second_factor_pending(request: HttpRequest) -> bool:
    from vigie.accounts.services import has_confirmed_totp

    user = request.user
    if not isinstance(user, User) or user.is_verified():  # type: ignore[attr-defined]
        return False
    return user.requires_totp or has_confirmed_totp(user)


def authenticated(view: View) -> View:
    """Reachable once the password is checked: the second-factor steps themselves."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.vigie_access = AUTHENTICATED  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def requires(permission: Permission) -> Callable[[View], View]:
    """Signed in, second factor passed, and the role grants ``permission``; else 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not isinstance(user, User) or not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if second_factor_pending(request):
                target = (
                    reverse("accounts:otp") + "?" + urlencode({"next": request.get_full_path()})
                )
                return redirect(target)
            if not user.has_vigie_permission(permission):
                raise PermissionDenied(permission.value)
            return view(request, *args, **kwargs)

        wrapper.vigie_access = permission  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
