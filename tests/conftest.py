"""Personas and helpers shared by every test."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigie.accounts.models import User
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor

STRONG_PASSWORD = "Correct-Horse-Battery-9"


@receiver(connection_created)
def _allow_test_flush(sender: object, connection: Any, **kwargs: Any) -> None:
    """PostgreSQL refuses TRUNCATE on the audit tables unless the session says so;
    the test suite empties its database between transactional tests."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET vigie.allow_truncate = 'on'")


def _empty_the_audit_anchors() -> None:
    """On a connection of its own: the test's guard may still forbid the key store on
    the shared one while the fixtures are torn down."""
    from django.db import connections, router

    from vigie.audit.models import Anchor

    assert Anchor._meta.db_table == "audit_anchor"
    connection = connections.create_connection(router.db_for_write(Anchor))
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE audit_anchor")  # DELETE is refused by its trigger
            else:
                cursor.execute("DELETE FROM audit_anchor")
    finally:
        connection.close()


@pytest.fixture(autouse=True)
def _no_anchor_outlives_its_log(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test empties the databases it declares when it ends; but a thread
    it starts (a live server, a concurrency test) may reach the key store without the
    test's guard and anchor a chain there. That anchor would outlive the emptied log and
    make the next test's log look cut back. Emptied after every transactional test."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if not transactional:
        return
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        _empty_the_audit_anchors()


@pytest.fixture
def make_staff(db: None) -> Callable[..., User]:
    """Create an account with a role, its undertakings recorded, and TOTP if asked."""
    counter = iter(range(1, 10_000))

    def make(role: str = Role.NONE, *, totp: bool | None = None, username: str = "") -> User:
        n = next(counter)
        user = User.objects.create_user(
            username=username or f"{role}-{n}",
            email=f"{role}-{n}@semi.example",
            password=STRONG_PASSWORD,
            role=role,
            confidentiality_signed_at=dt.date(2026, 1, 5),
            gdpr_training_at=dt.date(2026, 1, 6),
        )
        if totp if totp is not None else user.requires_totp:
            TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        return user

    return make


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    """A client signed in as ``user``, second factor passed when the user has one."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return sign_in


@pytest.fixture
def admin(make_staff: Callable[..., User]) -> User:
    return make_staff(Role.ADMIN, username="admin")


@pytest.fixture
def privacy_lead(make_staff: Callable[..., User]) -> User:
    return make_staff(Role.PRIVACY_LEAD, username="privacy_lead")


@pytest.fixture
def technician(make_staff: Callable[..., User]) -> User:
    return make_staff(Role.TECHNICIAN, username="technician")


@pytest.fixture
def auditor(make_staff: Callable[..., User]) -> User:
    return make_staff(Role.AUDITOR, username="auditor")


@pytest.fixture
def outsider(make_staff: Callable[..., User]) -> User:
    """An account that exists but holds no role."""
    return make_staff(Role.NONE, username="outsider")


@pytest.fixture
def cli_actor() -> Actor:
    return Actor.cli("test")


ROOT = Path(__file__).resolve().parents[1]


def run_vigie(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the real `vigie` command in its own process, with only the given VIGIE_* settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIE_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "vigie", *args],
        cwd=ROOT,
        env={**clean, **env},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
