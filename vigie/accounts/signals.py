"""Remember each staff session (so deactivation can end it) and audit logins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from vigie.accounts.models import StaffSession
from vigie.accounts.sessions import stored_session_key
from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import record_event


@receiver(user_logged_in)
def remember_session(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request.session.session_key is None:
        request.session.save()
    # Stored as the session row is (vigie/accounts/sessions.py), never as the cookie.
    key = stored_session_key(str(request.session.session_key))
    StaffSession.objects.get_or_create(session_key=key, defaults={"user": user})
    record_event(Actor.for_user(user, Actor.from_request(request).ip), Action.USER_LOGIN, user)


@receiver(user_logged_out)
def forget_session(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    if request.session.session_key is not None:
        key = stored_session_key(request.session.session_key)
        StaffSession.objects.filter(session_key=key).delete()
    record_event(Actor.for_user(user, Actor.from_request(request).ip), Action.USER_LOGOUT, user)
