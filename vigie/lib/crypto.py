"""Field encryption with per-person data keys, key wrapping and blind indexes (R30).

Every person's personal fields are sealed with AES-256-GCM under that person's own
random data key. The data key is stored only wrapped (AES-GCM under a master key)
and only in the key store, a database separate from the one holding the data:
destroying it makes every copy of the person's fields unreadable, backups
included (crypto-shredding), while everyone else stays readable.

The associated data (``aad``) binds a ciphertext to its place (model, field,
person id): a sealed value copied onto another person or field does not open.
Look-ups use a keyed blind index (HMAC-SHA256 of the normalised value), so an
e-mail address can be found without being stored in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(ValueError):
    """The value cannot be opened: wrong key, shredded key, or tampered data."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: bytes, plaintext: bytes, aad: str) -> bytes:
    """``version || nonce || ciphertext+tag``; a fresh random nonce each time."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad.encode())


def open_sealed(key: bytes, blob: bytes, aad: str) -> bytes:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != VERSION:
        raise DecryptionError("not a sealed value of a known version")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad.encode())
    except InvalidTag:
        raise DecryptionError("wrong key or tampered value") from None


def seal_text(key: bytes, text: str, aad: str) -> bytes:
    return seal(key, text.encode("utf-8"), aad)


def open_text(key: bytes, blob: bytes, aad: str) -> str:
    return open_sealed(key, blob, aad).decode("utf-8")


def normalise_email(address: str) -> str:
    """The form blind indexes and suppression hashes use: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", address).strip().lower()


def blind_index(index_key: bytes, value: str) -> str:
    """Keyed hash for equality look-ups; the key never leaves the settings."""
    return hmac.new(index_key, value.encode("utf-8"), hashlib.sha256).hexdigest()
