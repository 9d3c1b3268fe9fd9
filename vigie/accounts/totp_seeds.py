"""TOTP seeds sealed at rest with a key from outside the main database (Art. 32).

django-otp stores each device's secret (``TOTPDevice.key``) as hex: a copy of the
database would give its holder every second factor. Here the seed is sealed
(AES-256-GCM, vigie/lib/crypto.py) under a key derived from the keyring's index key
(``VIGIE_INDEX_KEY`` or ``var/index_key``, never in the database), bound to the
device's account, so a sealed seed copied onto another account does not open.

django-otp's model is not ours to change, so the sealing sits at its two seams: a
``pre_save`` signal seals a clear seed before it is written, and the ``bin_key``
property, through which django-otp reads the seed to check a code or draw the QR
code, opens it. A seed still in clear (written before this) is read as before until
the migration ``accounts.0004_seal_totp_seeds`` seals it.
"""

from __future__ import annotations

import base64
from binascii import unhexlify
from typing import Any

from django.db.models.signals import pre_save
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigie.lib.crypto import open_sealed, seal
from vigie.lib.keyring import derive_key

PREFIX = "sealed1:"


def _aad(user_id: Any) -> str:
    return f"otp_totp.totpdevice.key:{user_id}"


def seal_seed(hex_seed: str, user_id: Any) -> str:
    blob = seal(derive_key("totp-seed"), unhexlify(hex_seed.encode()), _aad(user_id))
    return PREFIX + base64.urlsafe_b64encode(blob).decode().rstrip("=")


def open_seed(stored: str, user_id: Any) -> bytes:
    """The seed's bytes; raises ``DecryptionError`` for a seed sealed for someone else."""
    if not stored.startswith(PREFIX):
        return unhexlify(stored.encode())
    body = stored[len(PREFIX) :]
    blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return open_sealed(derive_key("totp-seed"), blob, _aad(user_id))


def _bin_key(device: TOTPDevice) -> bytes:
    return open_seed(device.key, device.user_id)


def _seal_before_save(sender: type, instance: TOTPDevice, **kwargs: Any) -> None:
    if instance.key and not instance.key.startswith(PREFIX):
        instance.key = seal_seed(instance.key, instance.user_id)


def install() -> None:
    """Called once from ``AccountsConfig.ready``."""
    TOTPDevice.bin_key = property(_bin_key)
    pre_save.connect(_seal_before_save, sender=TOTPDevice, dispatch_uid="vigie-seal-totp-seed")
