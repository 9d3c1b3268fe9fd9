"""DKIM key pairs and the DNS record that publishes them (RFC 6376, R38).

``vigie dkim keygen`` makes a key for production, and ``vigie demo`` one under
``var/`` for its own mail. The private key is written once, readable by its owner
only (mode 0600, created with that mode: never world-readable even for a moment),
and never overwritten: replacing a published key silently would break every
signature in flight. The public half goes to DNS as a TXT record at
``<selector>._domainkey.<domain>``; its value is split into strings of at most 255
characters, as a TXT record requires (RFC 1035 §3.3.14), which DNS joins again.

Keys are RSA (2048 bits by default, RFC 8301 asks for at least 1024 and recommends
2048), made with ``cryptography`` — the library dkimpy signs with needs only the PEM.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048
MIN_BITS = 1024
# RFC 8301 §3.2: verifiers must validate keys of 1024 to 4096 bits, no more.
MAX_BITS = 4096
_TXT_CHUNK = 255
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


class DkimKeyError(ValueError):
    """The key cannot be made or read as asked; the message says why."""


@dataclass(frozen=True)
class DnsRecord:
    """The TXT record publishing a DKIM public key."""

    name: str
    value: str

    def zone_line(self) -> str:
        """The record as a zone-file line, its value split into 255-character strings."""
        chunks = [self.value[i : i + _TXT_CHUNK] for i in range(0, len(self.value), _TXT_CHUNK)]
        quoted = " ".join(f'"{chunk}"' for chunk in chunks)
        return f"{self.name}. IN TXT ( {quoted} )"


def check_name(selector: str, domain: str) -> None:
    """Refuse a selector or domain that cannot be a DNS name."""
    if not selector or not all(_LABEL.match(p) for p in selector.split(".")):
        raise DkimKeyError(f"not a valid DKIM selector: {selector!r}")
    labels = domain.rstrip(".").split(".")
    if len(labels) < 2 or not all(_LABEL.match(p) for p in labels):
        raise DkimKeyError(f"not a valid domain: {domain!r}")


def _write_new(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DkimKeyError(f"{path.parent}: {error.strerror}") from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise DkimKeyError(f"{path} already exists: it is not overwritten") from None
    except OSError as error:
        raise DkimKeyError(f"{path}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise DkimKeyError(f"{path}: {error.strerror}") from None
    # The umask may have removed bits, never added them: make the mode exact.
    path.chmod(0o600)


def generate_key(path: Path, *, bits: int = KEY_BITS) -> bytes:
    """Write a new private key (PEM, PKCS#8) to ``path`` with mode 0600; never overwrites."""
    if bits < MIN_BITS:
        raise DkimKeyError(f"a DKIM key needs at least {MIN_BITS} bits (RFC 8301)")
    if bits > MAX_BITS:
        raise DkimKeyError(
            f"a DKIM key has at most {MAX_BITS} bits: receivers need not verify larger ones "
            "(RFC 8301)"
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_new(path, pem)
    return pem


def ensure_key(path: Path, *, bits: int = KEY_BITS) -> tuple[bytes, bool]:
    """The key at ``path``, made once (idempotent): (PEM, whether it was made now).

    An existing key is kept as it is, its mode tightened to 0600 if it was looser."""
    if path.exists():
        pem = path.read_bytes()
        public_record(pem)  # a file that is not a key is an error, not reused
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return pem, False
    return generate_key(path, bits=bits), True


def public_record(private_pem: bytes) -> str:
    """The ``v=DKIM1; k=rsa; p=…`` value of the key's public half."""
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError):
        raise DkimKeyError("not a PEM private key without a passphrase") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DkimKeyError("only RSA DKIM keys are supported")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()


def dns_record(private_pem: bytes, selector: str, domain: str) -> DnsRecord:
    """The TXT record to publish for this key at ``<selector>._domainkey.<domain>``."""
    check_name(selector, domain)
    return DnsRecord(f"{selector}._domainkey.{domain.rstrip('.')}", public_record(private_pem))
