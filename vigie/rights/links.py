"""Signed links of the rights domain: the identity confirmation link (R48).

The link carries the challenge's id signed with the secret key (django.core.signing):
it cannot be forged, and nothing secret sits in the database or the outbox (the link
is made when the e-mail is rendered). It is good once and until the challenge expires
(both checked on the challenge row).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "vigie.rights.challenge"


def challenge_token(challenge_id: int) -> str:
    return signing.dumps(challenge_id, salt=SALT)


def read_challenge_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return value if isinstance(value, int) else None


def challenge_url(challenge_id: int, language: str = "fr") -> str:
    """The link, in the letter's language: an English letter opens the page in English."""
    url = settings.SITE_URL.rstrip("/") + reverse(
        "rights:confirm", args=[challenge_token(challenge_id)]
    )
    return url + ("?lang=en" if language == "en" else "")
