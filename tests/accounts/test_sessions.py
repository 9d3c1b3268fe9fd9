"""A copy of the database opens no session: session rows are stored under a hash of
the cookie's key, and a value read from the tables does not sign anyone in
(issue 11, item 7)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.conftest import STRONG_PASSWORD
from vigie.accounts.models import StaffSession
from vigie.accounts.permissions import Role
from vigie.accounts.services import deactivate_user
from vigie.audit.actor import Actor

HOME = "web:backoffice-home"


def _signed_in_client(user) -> tuple[Client, str]:
    client = Client()
    response = client.post(
        "/backoffice/login/", {"username": user.username, "password": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def _with_cookie(value: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = value
    return client


def test_a_session_key_read_from_the_database_does_not_sign_in(make_staff) -> None:
    client, cookie = _signed_in_client(make_staff(Role.SALES))
    assert client.get(reverse(HOME)).status_code == 200
    stored = list(Session.objects.values_list("session_key", flat=True))
    stored += list(StaffSession.objects.values_list("session_key", flat=True))
    assert stored and cookie not in stored
    for value in stored:
        response = _with_cookie(value).get(reverse(HOME))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    # The cookie itself still works, through the hash.
    assert _with_cookie(cookie).get(reverse(HOME)).status_code == 200


def test_deactivation_and_sign_out_still_end_the_session(make_staff) -> None:
    user = make_staff(Role.SALES)
    _client, cookie = _signed_in_client(user)
    other, _cookie = _signed_in_client(make_staff(Role.SALES))
    other.post(reverse("accounts:logout"))
    assert other.get(reverse(HOME)).status_code == 302
    deactivate_user(Actor.cli("test"), user)
    assert _with_cookie(cookie).get(reverse(HOME)).status_code == 302
    assert not StaffSession.objects.exists()
    assert not Session.objects.filter(session_key__in=[cookie]).exists()
