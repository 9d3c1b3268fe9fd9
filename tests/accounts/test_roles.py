"""Roles only after the undertakings; deactivation ends sessions and keys (R28)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.conftest import STRONG_PASSWORD
from vigie.accounts.models import ApiKey, User
from vigie.accounts.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    role_reaches_personal_data,
)
from vigie.accounts.services import (
    AccountError,
    create_api_key,
    create_staff,
    deactivate_user,
    record_undertakings,
    set_role,
)
from vigie.audit.models import Event


def test_every_role_of_the_issue_exists() -> None:
    assert set(Role.values) == {
        "none",
        "admin",
        "privacy_lead",
        "sales",
        "technician",
        "accounting",
        "archive_legal",
        "auditor",
    }
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_the_auditor_is_read_only() -> None:
    writes = {p for p in ROLE_PERMISSIONS[Role.AUDITOR] if p.value.rsplit(":", 1)[1] != "view"}
    # Verifying the chain and exporting the register only read.
    assert writes <= {Permission.AUDIT_LOG_VERIFY, Permission.REGISTER_EXPORT}


def test_a_new_account_without_training_cannot_be_given_a_role(db, cli_actor) -> None:
    user = create_staff(
        cli_actor,
        username="new",
        email="new@semi.example",
        password=STRONG_PASSWORD,
        confidentiality_signed_at=dt.date(2026, 1, 2),
    )
    for role in Role.values:
        if role == Role.NONE:
            continue
        assert role_reaches_personal_data(role)
        with pytest.raises(AccountError, match=r"formation|training"):
            set_role(cli_actor, user, role)
    user.refresh_from_db()
    assert user.role == Role.NONE


def test_the_role_is_granted_once_both_dates_are_recorded(db, cli_actor) -> None:
    user = create_staff(cli_actor, username="new", email="n@semi.example", password=STRONG_PASSWORD)
    record_undertakings(
        cli_actor,
        user,
        confidentiality_signed_at=dt.date(2026, 1, 2),
        gdpr_training_at=dt.date(2026, 1, 3),
    )
    set_role(cli_actor, user, Role.TECHNICIAN)
    user.refresh_from_db()
    assert user.role == Role.TECHNICIAN
    actions = list(Event.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert actions == [
        "accounts:user:create",
        "accounts:user:undertakings",
        "accounts:user:role_change",
    ]


def test_clearing_a_date_withdraws_a_personal_data_role(db, cli_actor, make_staff) -> None:
    user = make_staff(Role.SALES)
    record_undertakings(
        cli_actor,
        user,
        confidentiality_signed_at=user.confidentiality_signed_at,
        gdpr_training_at=None,
    )
    user.refresh_from_db()
    assert user.role == Role.NONE


def test_creating_with_a_role_but_without_dates_is_refused_and_writes_nothing(
    db, cli_actor
) -> None:
    with pytest.raises(AccountError):
        create_staff(
            cli_actor,
            username="x",
            email="x@semi.example",
            password=STRONG_PASSWORD,
            role=Role.SALES,
        )
    assert not User.objects.filter(username="x").exists()
    assert not Event.objects.exists()


def test_deactivating_ends_sessions_and_revokes_api_keys(
    client: Client, make_staff, admin, cli_actor
) -> None:
    sales = make_staff(Role.SALES)
    client.post("/backoffice/login/", {"username": sales.username, "password": STRONG_PASSWORD})
    assert client.get(reverse("web:backoffice-home")).status_code == 200
    key, secret = create_api_key(
        cli_actor, sales, name="crm", scopes=[Permission.API_IDENTITY_VIEW]
    )
    sessions_before = Session.objects.count()
    assert sessions_before == 1

    deactivate_user(cli_actor, sales)

    assert Session.objects.count() == 0
    assert client.get(reverse("web:backoffice-home")).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client.get("/api/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    event = Event.objects.get(action="accounts:user:deactivate")
    assert event.extra == {"api_keys_revoked": 1, "sessions_ended": 1}


def test_the_admin_deactivates_an_account_from_the_back_office(
    signed_in, admin, make_staff
) -> None:
    sales = make_staff(Role.SALES)
    client = signed_in(admin)
    response = client.post(reverse("accounts:staff-deactivate", args=[sales.pk]))
    assert response.status_code == 302
    sales.refresh_from_db()
    assert not sales.is_active and sales.deactivated_at is not None


def test_the_back_office_refuses_a_role_without_undertakings(signed_in, admin, cli_actor) -> None:
    bare = create_staff(
        cli_actor, username="bare", email="b@semi.example", password=STRONG_PASSWORD
    )
    response = signed_in(admin).post(
        reverse("accounts:staff-role", args=[bare.pk]), {"role": "sales"}
    )
    assert response.status_code == 400
    assert "formation RGPD" in response.content.decode()
    bare.refresh_from_db()
    assert bare.role == Role.NONE


def test_a_technician_cannot_manage_accounts(signed_in, technician, make_staff) -> None:
    other = make_staff(Role.SALES)
    client = signed_in(technician)
    assert client.get(reverse("accounts:staff-list")).status_code == 403
    assert client.post(reverse("accounts:staff-deactivate", args=[other.pk])).status_code == 403
    other.refresh_from_db()
    assert other.is_active
    assert not ApiKey.objects.exists()


def test_undertakings_cannot_be_dated_in_the_future(db, cli_actor) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(AccountError, match=r"future|futur"):
        create_staff(
            cli_actor,
            username="early",
            email="e@semi.example",
            password=STRONG_PASSWORD,
            role=Role.SALES,
            confidentiality_signed_at=tomorrow,
            gdpr_training_at=tomorrow,
        )
    assert not User.objects.filter(username="early").exists()
