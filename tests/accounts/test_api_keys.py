"""API keys: scoped, shown once, stored hashed, revocable (R28)."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from vigie.accounts.models import ApiKey
from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import (
    AccountError,
    authenticate_api_key,
    create_api_key,
    revoke_api_key,
)

WHOAMI = "/api/v1/whoami"


def test_the_key_is_stored_hashed_and_works_once_shown(
    db, make_staff, cli_actor, client: Client
) -> None:
    owner = make_staff(Role.SALES)
    key, secret = create_api_key(
        cli_actor, owner, name="mailer", scopes=[Permission.API_IDENTITY_VIEW]
    )
    stored = ApiKey.objects.get(pk=key.pk)
    secret_part = secret.split("_", 2)[2]
    assert secret_part not in str(stored.__dict__)
    assert stored.secret_hash == hashlib.sha256(secret_part.encode()).hexdigest()
    response = client.get(WHOAMI, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json() == {
        "key_prefix": key.prefix,
        "name": "mailer",
        "scopes": ["api:identity:view"],
    }
    assert client.get(WHOAMI, HTTP_X_API_KEY=secret).status_code == 200


def test_a_revoked_key_is_refused(db, make_staff, cli_actor, client: Client) -> None:
    owner = make_staff(Role.SALES)
    key, secret = create_api_key(
        cli_actor, owner, name="mailer", scopes=[Permission.API_IDENTITY_VIEW]
    )
    revoke_api_key(cli_actor, key)
    response = client.get(WHOAMI, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_deactivated_users_key_is_refused_even_if_not_revoked(
    db, make_staff, cli_actor, client
) -> None:
    owner = make_staff(Role.SALES)
    _key, secret = create_api_key(cli_actor, owner, name="m", scopes=[Permission.API_IDENTITY_VIEW])
    # A deactivation made outside the service (e.g. directly in the database)
    # must not leave a working key behind.
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    assert authenticate_api_key(secret) is None
    assert client.get(WHOAMI, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_forged_or_malformed_key_is_refused(db, make_staff, cli_actor, client) -> None:
    owner = make_staff(Role.SALES)
    _key, secret = create_api_key(cli_actor, owner, name="m", scopes=[Permission.API_IDENTITY_VIEW])
    for token in [secret[:-1] + ("A" if secret[-1] != "A" else "B"), "vigie_nope", "garbage", ""]:
        assert client.get(WHOAMI, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_key_cannot_be_scoped_beyond_its_owners_role(db, make_staff, cli_actor) -> None:
    owner = make_staff(Role.SALES)
    with pytest.raises(AccountError, match="accounts:user:manage"):
        create_api_key(cli_actor, owner, name="x", scopes=[Permission.ACCOUNTS_USER_MANAGE])
    with pytest.raises(AccountError, match=r"inconnue|Unknown"):
        create_api_key(cli_actor, owner, name="x", scopes=["made:up:scope"])
    assert not ApiKey.objects.exists()


def test_a_key_without_the_routes_scope_gets_403(db, make_staff, cli_actor, client) -> None:
    owner = make_staff(Role.AUDITOR)
    _key, secret = create_api_key(cli_actor, owner, name="x", scopes=[Permission.AUDIT_LOG_VIEW])
    response = client.get(WHOAMI, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": "This API key does not have the scope api:identity:view.",
        "details": [],
    }


def test_the_back_office_shows_a_new_key_once(signed_in, admin, make_staff) -> None:
    sales = make_staff(Role.SALES)
    client = signed_in(admin)
    response = client.post(
        f"/backoffice/staff/{sales.pk}/api-keys/", {"name": "crm", "scopes": ["api:identity:view"]}
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(owner=sales)
    assert f"vigie_{key.prefix}_" in response.content.decode()
    again = client.get(f"/backoffice/staff/{sales.pk}/").content.decode()
    assert f"vigie_{key.prefix}_" not in again


def test_a_privacy_lead_cannot_mint_keys_for_someone_else(signed_in, privacy_lead, admin) -> None:
    response = signed_in(privacy_lead).post(
        f"/backoffice/staff/{admin.pk}/api-keys/", {"name": "x", "scopes": ["accounts:user:manage"]}
    )
    assert response.status_code == 403
    assert not ApiKey.objects.exists()


def test_nobody_grants_a_key_a_scope_they_do_not_hold(db, privacy_lead, admin) -> None:
    from vigie.audit.actor import Actor

    with pytest.raises(AccountError, match="accounts:user:manage"):
        create_api_key(
            Actor.for_user(privacy_lead), admin, name="x", scopes=[Permission.ACCOUNTS_USER_MANAGE]
        )
    key, _secret = create_api_key(
        Actor.for_user(admin), admin, name="x", scopes=[Permission.ACCOUNTS_USER_MANAGE]
    )
    assert key.scopes == ["accounts:user:manage"]


def test_showing_a_new_key_page_journals_the_read(signed_in, admin, make_staff) -> None:
    from vigie.audit.models import Event

    sales = make_staff(Role.SALES)
    signed_in(admin).post(
        f"/backoffice/staff/{sales.pk}/api-keys/", {"name": "crm", "scopes": ["api:identity:view"]}
    )
    assert Event.objects.filter(action="personal_data:read", object_id=str(sales.pk)).count() == 1


def test_a_privacy_lead_revoking_a_colleagues_key_leaves_an_event_naming_both(
    make_staff, privacy_lead, signed_in, cli_actor
) -> None:
    from vigie.audit.models import Event

    owner = make_staff(Role.SALES)
    key, _secret = create_api_key(
        cli_actor, owner, name="mailer", scopes=[Permission.API_IDENTITY_VIEW]
    )
    client = signed_in(privacy_lead)
    response = client.post(f"/backoffice/api-keys/{key.pk}/revoke/")
    assert response.status_code == 302
    event = Event.objects.get(action="accounts:apikey:revoke")
    assert (event.actor_type, event.actor_id) == ("user", str(privacy_lead.pk))
    assert event.object_id == str(key.pk)
    assert event.extra["owner"] == str(owner.pk)
    assert event.extra["owner"] != event.actor_id
    log = client.get("/backoffice/audit/").content.decode()
    assert owner.username in log and privacy_lead.username in log
