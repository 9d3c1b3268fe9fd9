"""Sessions stored under a hash of their key: a copy of the database opens no session.

Django's database sessions keep the cookie's value itself as the row's primary key, so
whoever reads the table (a dump, a backup, a read-only SQL access) can paste it into a
cookie and be signed in. Here the row is stored under the SHA-256 of the key (cut to
the column's 40 characters, 160 bits): the cookie still carries the random key (32
characters, about 165 bits), every look-up hashes it, and a stored value sent back as
a cookie is hashed again and finds nothing. No secret is needed: the key is random,
so its hash cannot be reversed or guessed.

Chosen over signed-cookie sessions because the session stays on the server: signing
out, a deactivation (R28) or a password change end it at once, where a signed cookie
would stay valid until it expires.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.sessions.backends import db
from django.utils import timezone


def stored_session_key(session_key: str) -> str:
    """The form a session key takes in the database (``Session`` and ``StaffSession``)."""
    return hashlib.sha256(b"vigie-session\n" + session_key.encode()).hexdigest()[:40]


class SessionStore(db.SessionStore):
    """Database sessions whose rows are keyed by :func:`stored_session_key`."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:
            return None
        try:
            return self.model.objects.get(
                session_key=stored_session_key(key), expire_date__gt=timezone.now()
            )
        except self.model.DoesNotExist:
            self._session_key = None
            return None

    async def _aget_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:
            return None
        try:
            return await self.model.objects.aget(
                session_key=stored_session_key(key), expire_date__gt=timezone.now()
            )
        except self.model.DoesNotExist:
            self._session_key = None
            return None

    def exists(self, session_key: str) -> bool:
        return super().exists(stored_session_key(session_key))

    async def aexists(self, session_key: str) -> bool:
        return await super().aexists(stored_session_key(session_key))

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance = super().create_model_instance(data)
        instance.session_key = stored_session_key(instance.session_key)
        return instance

    async def acreate_model_instance(self, data: dict[str, Any]) -> Any:
        instance = await super().acreate_model_instance(data)
        instance.session_key = stored_session_key(instance.session_key)
        return instance

    def delete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is not None:
            super().delete(stored_session_key(key))

    async def adelete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is not None:
            await super().adelete(stored_session_key(key))
