"""Sign-in: Argon2id hashes, lockout after 5 failures, TOTP for admin and privacy lead (R27)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import STRONG_PASSWORD
from vigie.accounts.models import User
from vigie.accounts.permissions import Role
from vigie.accounts.services import create_staff
from vigie.audit.models import Event

LOGIN = "/backoffice/login/"


def _post_login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_it_stores_passwords_as_argon2id(db, settings, cli_actor) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = create_staff(
        cli_actor, username="zoe", email="zoe@semi.example", password=STRONG_PASSWORD
    )
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(STRONG_PASSWORD)


def test_it_refuses_a_weak_password_at_account_creation(db, cli_actor) -> None:
    from vigie.accounts.services import AccountError

    with pytest.raises(AccountError, match="12"):
        create_staff(cli_actor, username="weak", email="w@semi.example", password="Azerty12")
    assert not User.objects.filter(username="weak").exists()


def test_a_sales_account_signs_in_with_its_password(client: Client, make_staff) -> None:
    user = make_staff(Role.SALES)
    response = _post_login(client, user.username, STRONG_PASSWORD)
    assert response.status_code == 302
    home = client.get(reverse("web:backoffice-home"))
    assert home.status_code == 200
    assert Event.objects.filter(action="accounts:user:login", object_id=str(user.pk)).exists()


def test_the_sixth_wrong_password_is_locked_out(client: Client, make_staff) -> None:
    user = make_staff(Role.SALES)
    for _ in range(5):
        response = _post_login(client, user.username, "Wrong-password-123")
        assert response.status_code in (200, 429)
    # Even the right password is refused now: the account is locked.
    response = _post_login(client, user.username, STRONG_PASSWORD)
    assert response.status_code == 429
    assert "verrouillé" in response.content.decode()
    assert client.get(reverse("web:backoffice-home")).status_code == 302


def test_four_failures_do_not_lock(client: Client, make_staff) -> None:
    user = make_staff(Role.SALES)
    for _ in range(4):
        _post_login(client, user.username, "Wrong-password-123")
    assert _post_login(client, user.username, STRONG_PASSWORD).status_code == 302


def test_an_admin_without_totp_cannot_reach_the_back_office(client: Client, make_staff) -> None:
    admin = make_staff(Role.ADMIN, totp=False)
    assert _post_login(client, admin.username, STRONG_PASSWORD).status_code == 302
    for url in [
        reverse("web:backoffice-home"),
        reverse("accounts:staff-list"),
        reverse("audit:log"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp") + "?next=")
    # The second-factor step sends an admin without a device to its set-up.
    assert client.get(reverse("accounts:otp"))["Location"] == reverse("accounts:otp-setup")


def test_an_admin_sets_up_totp_then_reaches_the_back_office(client: Client, make_staff) -> None:
    admin = make_staff(Role.ADMIN, totp=False)
    _post_login(client, admin.username, STRONG_PASSWORD)
    page = client.get(reverse("accounts:otp-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    bad = client.post(reverse("accounts:otp-setup"), {"token": "000000"})
    assert bad.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    # django-otp throttles a device after a failure: the next try comes later.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        device.refresh_from_db()
        ok = client.post(reverse("accounts:otp-setup"), {"token": _current_code(device)})
    assert ok.status_code == 302
    assert client.get(reverse("web:backoffice-home")).status_code == 200
    assert Event.objects.filter(action="accounts:totp:enrol", object_id=str(admin.pk)).exists()


def test_a_privacy_lead_with_totp_must_enter_a_valid_code(client: Client, privacy_lead) -> None:
    _post_login(client, privacy_lead.username, STRONG_PASSWORD)
    assert client.get(reverse("web:backoffice-home"))["Location"].startswith(
        reverse("accounts:otp")
    )
    wrong = client.post(reverse("accounts:otp"), {"token": "123456"})
    assert wrong.status_code == 200
    assert client.get(reverse("web:backoffice-home")).status_code == 302
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        device = TOTPDevice.objects.get(user=privacy_lead)
        right = client.post(reverse("accounts:otp"), {"token": _current_code(device)})
    assert right.status_code == 302
    assert client.get(reverse("web:backoffice-home")).status_code == 200


def test_a_password_alone_cannot_add_a_second_device(client: Client, privacy_lead) -> None:
    _post_login(client, privacy_lead.username, STRONG_PASSWORD)
    response = client.get(reverse("accounts:otp-setup"))
    assert response["Location"] == reverse("accounts:otp")
    assert TOTPDevice.objects.filter(user=privacy_lead).count() == 1


def test_sign_out_ends_the_session(client: Client, make_staff) -> None:
    user = make_staff(Role.SALES)
    _post_login(client, user.username, STRONG_PASSWORD)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("web:backoffice-home")).status_code == 302


def test_the_second_factor_never_redirects_off_site(client: Client, privacy_lead) -> None:
    _post_login(client, privacy_lead.username, STRONG_PASSWORD)
    device = TOTPDevice.objects.get(user=privacy_lead)
    targets = ["https://evil.example/phish", "//evil.example", "/backoffice/audit/"]
    for step, target in enumerate(targets, start=1):
        client.logout()
        _post_login(client, privacy_lead.username, STRONG_PASSWORD)
        # A code is accepted once: each try happens in a later 30-second window.
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=step)):
            device.refresh_from_db()
            response = client.post(
                reverse("accounts:otp") + "?next=" + target, {"token": _current_code(device)}
            )
        expected = target if target.startswith("/backoffice/") else reverse("web:backoffice-home")
        assert response["Location"] == expected


def test_the_page_asked_for_is_reached_after_the_second_factor(
    client: Client, privacy_lead
) -> None:
    _post_login(client, privacy_lead.username, STRONG_PASSWORD)
    response = client.get(reverse("audit:log"))
    assert response["Location"] == reverse("accounts:otp") + "?next=%2Fbackoffice%2Faudit%2F"


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(
    client: Client, make_staff, settings
) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    victim = make_staff(Role.SALES)
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "someone-else", "password": "Wrong-password-123"},
            HTTP_X_FORWARDED_FOR="203.0.113.66, 10.0.0.1",
        )
    # Another client behind the same proxy is not locked out by the first one's failures.
    response = client.post(
        LOGIN,
        {"username": victim.username, "password": STRONG_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.1",
    )
    assert response.status_code == 302
    event = Event.objects.get(action="accounts:user:login")
    assert event.ip == "198.51.100.7"


def test_failures_from_one_address_do_not_lock_the_account_out_from_another(
    client: Client, make_staff
) -> None:
    # A stranger who knows a colleague's login tries passwords from outside…
    colleague = make_staff(Role.SALES)
    for _ in range(6):
        client.post(
            LOGIN,
            {"username": colleague.username, "password": "Wrong-password-123"},
            REMOTE_ADDR="203.0.113.66",
        )
    locked = client.post(
        LOGIN,
        {"username": colleague.username, "password": STRONG_PASSWORD},
        REMOTE_ADDR="203.0.113.66",
    )
    assert locked.status_code == 429
    # …and the colleague, at their own desk, still signs in (lockout per user and IP).
    response = Client().post(
        LOGIN,
        {"username": colleague.username, "password": STRONG_PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
