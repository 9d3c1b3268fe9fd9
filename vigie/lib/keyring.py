"""Master keys (wrapping the per-person data keys) and the blind-index key.

Master keys come from ``VIGIE_MASTER_KEY`` (base64, comma-separated, the first is
the current one) or, when unset, from the key file ``var/master_keys`` (one base64
key per line, newest first), created with one key on first use. Each key is known
by a short id (the first 8 bytes of its SHA-256), stored beside every wrapped data
key, so that after a rotation old and new keys can both unwrap until every data
key has been re-wrapped (``vigie keys rotate``): no downtime.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from vigie.lib.crypto import KEY_BYTES, new_data_key


class KeyringError(RuntimeError):
    """The key material is missing or malformed; the message says which."""


@dataclass(frozen=True)
class MasterKey:
    id: str
    secret: bytes


def _master(encoded: str, origin: str) -> MasterKey:
    try:
        secret = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{origin}: a master key is not valid base64") from None
    if len(secret) != KEY_BYTES:
        raise KeyringError(f"{origin}: a master key must be {KEY_BYTES} bytes (base64 of 32 bytes)")
    return MasterKey(hashlib.sha256(secret).hexdigest()[:16], secret)


def key_file() -> Path:
    return Path(settings.VAR_DIR) / "master_keys"


def _from_file(path: Path) -> list[MasterKey]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        encoded = base64.b64encode(new_data_key()).decode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(encoded + "\n")
    lines = [line for line in path.read_text(encoding="ascii").splitlines() if line.strip()]
    if not lines:
        raise KeyringError(f"{path} holds no master key")
    return [_master(line, str(path)) for line in lines]


def master_keys() -> list[MasterKey]:
    """Every known master key, the current one first."""
    if settings.MASTER_KEYS:
        return [_master(k, "VIGIE_MASTER_KEY") for k in settings.MASTER_KEYS]
    return _from_file(key_file())


def current_master() -> MasterKey:
    return master_keys()[0]


def find_master(key_id: str) -> MasterKey:
    # Read the key material again each time: another process may have rotated it.
    for key in master_keys():
        if key.id == key_id:
            return key
    raise KeyringError(f"master key {key_id} is not in the keyring (retired or lost)")


def add_master_key() -> MasterKey:
    """Put a new current key at the head of the key file (file mode only)."""
    if settings.MASTER_KEYS:
        raise KeyringError(
            "master keys come from VIGIE_MASTER_KEY: put the new key first in that variable "
            "(base64 of 32 random bytes), restart, then run `vigie keys rotate`"
        )
    path = key_file()
    existing = _from_file(path)
    encoded = base64.b64encode(new_data_key()).decode()
    old = [base64.b64encode(k.secret).decode() for k in existing]
    tmp = path.with_suffix(".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("\n".join([encoded, *old]) + "\n")
    tmp.replace(path)
    return _master(encoded, str(path))


def retire_master_keys(keep: set[str]) -> list[str]:
    """Drop from the key file every key whose id is not in ``keep``; return the dropped ids."""
    if settings.MASTER_KEYS:
        raise KeyringError("master keys come from VIGIE_MASTER_KEY: remove old ones from it")
    keys = _from_file(key_file())
    kept = [keys[0]] + [k for k in keys[1:] if k.id in keep]
    dropped = [k.id for k in keys if k not in kept]
    path = key_file()
    tmp = path.with_suffix(".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("\n".join(base64.b64encode(k.secret).decode() for k in kept) + "\n")
    tmp.replace(path)
    return dropped


def index_key() -> bytes:
    return settings.INDEX_KEY.encode()


def derive_key(purpose: str) -> bytes:
    """A 32-byte key for ``purpose``, derived (HKDF-SHA-256) from the blind-index key.

    Derived rather than reused: a value hashed for one purpose (an erased column
    of an external source) cannot be matched against the blind indexes of another.
    It is as stable as the index key, so hashed values stay joinable over time.
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode())
    return hkdf.derive(index_key())
