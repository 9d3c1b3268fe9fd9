"""Hand one message to the SMTP relay (``SMTP_*`` settings), telling apart the
failures that leave no doubt from the one moment where the message may have been
accepted although we did not hear so.

A server accepts a message only with its reply to the end of DATA (RFC 5321
§4.1.1.4). So ``before_transfer`` is called — and records that fact — just before
the content goes out; any definite reply (``Rejected``) means "not accepted", and
only a connection lost after that point leaves the outcome unknown.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable

from django.conf import settings

_ADDRESS = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")


class Unavailable(Exception):
    """The relay could not be reached or refused us before the message: try later."""


class Rejected(Exception):
    """The relay answered MAIL, RCPT or DATA with an error: not accepted."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600


class Interrupted(Exception):
    """The connection failed after the content started to go: delivery unknown."""


def redact(text: str, keep: str = "") -> str:
    """Server replies often quote the address; the outbox keeps none (R30).

    ``keep`` spares one id-like value, such as the message's own Message-ID.
    """
    spared = keep.strip("<>")
    return _ADDRESS.sub(lambda m: m[0] if m[0] == spared else "<address>", text)[:1000]


def _reply(response: bytes | str) -> str:
    raw = response.decode("utf-8", "replace") if isinstance(response, bytes) else response
    return redact(" ".join(raw.split()))


def _connect() -> smtplib.SMTP:
    host = getattr(settings, "SMTP_HOST", "127.0.0.1")
    port = int(getattr(settings, "SMTP_PORT", 25))
    timeout = float(getattr(settings, "SMTP_TIMEOUT_SECONDS", 30))
    tls = str(getattr(settings, "SMTP_TLS", "none")).lower()
    context = ssl.create_default_context()
    if tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    smtp.ehlo()
    if tls == "starttls":
        smtp.starttls(context=context)
        smtp.ehlo()
    user = getattr(settings, "SMTP_USER", "")
    if user:
        smtp.login(user, getattr(settings, "SMTP_PASSWORD", ""))
    return smtp


def needs_smtputf8(address: str) -> bool:
    """An address whose local part is not ASCII can only travel with SMTPUTF8 (RFC 6531);
    a non-ASCII domain alone is written in its IDNA (punycode) form instead."""
    return not address.rpartition("@")[0].isascii()


def ascii_domain(address: str) -> str:
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def send(raw: bytes, sender: str, recipient: str, before_transfer: Callable[[], None]) -> None:
    """Deliver ``raw`` to one recipient; raise Unavailable, Rejected or Interrupted."""
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        # Connection, TLS or login trouble is about our setup, not this message.
        raise Unavailable(_reply(str(error))) from None
    transferring = False
    options: list[str] = []
    if needs_smtputf8(recipient) or needs_smtputf8(sender):
        if not smtp.has_extn("smtputf8"):
            smtp.close()
            # The address itself cannot be written for this server: no retry helps.
            raise Rejected(
                553, "the address needs SMTPUTF8 (RFC 6531); the relay does not offer it"
            )
        options = ["SMTPUTF8"]
    else:
        recipient, sender = ascii_domain(recipient), ascii_domain(sender)
    try:
        code, reply = smtp.mail(sender, options)
        if code != 250:
            # A refused sender is a relay or setup matter: retried, never final.
            raise Unavailable(f"MAIL FROM: {code} {_reply(reply)}")
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            raise Rejected(code, f"RCPT TO: {_reply(reply)}")
        before_transfer()
        transferring = True
        smtp.data(raw)
    except smtplib.SMTPResponseException as error:
        raise Rejected(error.smtp_code, f"DATA: {_reply(error.smtp_error)}") from None
    except (OSError, smtplib.SMTPException) as error:
        if transferring:
            raise Interrupted(_reply(str(error) or type(error).__name__)) from None
        raise Unavailable(_reply(str(error) or type(error).__name__)) from None
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
