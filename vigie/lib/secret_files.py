"""Secrets that must exist but must never be committed: read them, or create them once.

A secret given in the environment wins. Otherwise it is read from a file under the
var directory, created on first use with mode 0600 so that a second start of the
same installation reuses it (sessions, signed links and the audit chain survive).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def read_or_create_secret(path: Path, *, nbytes: int = 48) -> str:
    """Return the secret stored in ``path``, creating it atomically when missing."""
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    # O_EXCL makes two processes starting at once agree on one secret: the loser
    # of the race reads what the winner wrote.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(100):
            value = path.read_text(encoding="ascii").strip()
            if value:
                return value
            time.sleep(0.01)
        raise RuntimeError(f"{path} exists but stays empty") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
