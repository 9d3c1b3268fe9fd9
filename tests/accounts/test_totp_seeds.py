"""TOTP seeds are sealed at rest with a key from outside the main database: a copy of
the database gives no second factor (issue 11, item 7)."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigie.accounts.permissions import Role
from vigie.accounts.totp_seeds import PREFIX
from vigie.lib.crypto import DecryptionError


def _stored_key(device: TOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_the_seed_is_stored_sealed_and_still_checks_codes(make_staff) -> None:
    admin = make_staff(Role.ADMIN)
    device = TOTPDevice.objects.get(user=admin)
    stored = _stored_key(device)
    assert stored.startswith(PREFIX)
    seed = device.bin_key
    assert len(seed) == 20
    assert seed.hex() not in stored.lower()
    fresh = TOTPDevice.objects.get(pk=device.pk)
    assert fresh.verify_token(_code(fresh))
    assert "secret=" in fresh.config_url


def test_a_sealed_seed_copied_onto_another_account_does_not_open(make_staff) -> None:
    mine = TOTPDevice.objects.get(user=make_staff(Role.ADMIN))
    victim = TOTPDevice.objects.get(user=make_staff(Role.PRIVACY_LEAD))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE otp_totp_totpdevice SET key = %s WHERE id = %s", [_stored_key(mine), victim.pk]
        )
    victim.refresh_from_db()
    with pytest.raises(DecryptionError):
        victim.bin_key  # noqa: B018


def test_the_migration_seals_seeds_written_in_clear(make_staff) -> None:
    device = TOTPDevice.objects.get(user=make_staff(Role.ADMIN))
    seed = device.bin_key
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE otp_totp_totpdevice SET key = %s WHERE id = %s", [seed.hex(), device.pk]
        )
    migration = import_module("vigie.accounts.migrations.0004_seal_totp_seeds")
    migration.seal_all(apps, connection.schema_editor())
    assert _stored_key(device).startswith(PREFIX)
    device.refresh_from_db()
    assert device.bin_key == seed
