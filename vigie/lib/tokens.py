"""Signed, opaque links for e-mails: one-click unsubscribe and the preference centre.

A token carries only the person's random id and the purpose, signed with the secret
key (HMAC, django.core.signing): no address in clear, and it cannot be forged or
altered. Tokens stay valid 25 months, beyond the 24 the issue asks for, so a link
in an old e-mail still works (RFC 8058 expects long-lived links).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from vigie.lib.purposes import current_purpose

# The salt keeps its original name: changing it would void every link already sent.
SALT = "vigie.consent.unsubscribe"
MAX_AGE_SECONDS = 25 * 31 * 24 * 3600


@dataclass(frozen=True)
class LinkToken:
    person_id: uuid.UUID
    purpose: str  # a consent purpose, or "all" for the preference centre / global objection


class BadToken(ValueError):
    """Forged, altered, expired or malformed."""


def make_token(person_id: uuid.UUID, purpose: str) -> str:
    return signing.dumps([person_id.hex, purpose], salt=SALT, compress=True)


def read_token(token: str) -> LinkToken:
    try:
        person_hex, purpose = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
        # A link sent before a purpose key was renamed names the former key.
        return LinkToken(uuid.UUID(hex=person_hex), current_purpose(str(purpose)))
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken("this link is not valid") from None


def unsubscribe_url(person_id: uuid.UUID, purpose: str) -> str:
    """The https link of List-Unsubscribe and of the visible unsubscribe link."""
    return settings.SITE_URL.rstrip("/") + reverse(
        "consent:unsubscribe", args=[make_token(person_id, purpose)]
    )
