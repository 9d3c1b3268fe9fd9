"""The ``mailto:`` part of ``List-Unsubscribe`` (RFC 2369, RFC 8058 §3.2, R39).

Every marketing e-mail offers ``<mailto:MAILBOX?subject=TOKEN>`` beside the one-click
link (``mail.compose.list_unsubscribe``). A mail client that uses it sends a message
whose subject is the signed token; the privacy mailbox is read by ``mail.inbound``,
which offers each message to this handler. Whoever sends it (a forwarding address, a
shared mailbox): the signed token names the person and the purpose, exactly as the
https link does, and it is the same service with the method ``mailto``. Idempotent: a
second identical message changes nothing and records nothing (``services.unsubscribe``).
"""

from __future__ import annotations

from urllib.parse import unquote

from vigie.consent.models import Method
from vigie.consent.services import unsubscribe
from vigie.lib.tokens import BadToken
from vigie.mail.inbound import InboundMail

LABEL = "consent:mailto-unsubscribe"


def token_of(subject: str) -> str:
    """The subject without any whitespace (a folded header), percent-decoded when a
    mail client left the ``mailto:`` URL's encoding in place."""
    token = "".join(subject.split())
    return unquote(token) if "%" in token else token


def unsubscribe_by_mail(mail: InboundMail) -> bool:
    """Consume a message whose subject is a valid unsubscribe token; leave any other."""
    token = token_of(mail.subject)
    if not token:
        return False
    try:
        unsubscribe(token, channel=f"mailto (inbound message {mail.id})", method=Method.MAILTO)
    except BadToken:
        return False
    return True
