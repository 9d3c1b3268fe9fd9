"""Build the raw message: text and HTML alternatives, RFC 8058 one-click headers on
every marketing message, and a DKIM signature covering them when a key is set (R38).

The From, Reply-To and unsubscribe mailbox are the register's (``controller.senders``,
read through ``vigie.lib.controller``). The From of each kind of mail may be set by
``VIGIE_MAIL_FROM_MARKETING`` and ``VIGIE_MAIL_FROM_SERVICE``; settings also override
the envelope sender and the DKIM domain, for deliverability, and have no company
default. The privacy address (``controller.senders.reply_to``, else the privacy
contact) is the Reply-To of rights letters only (``rendering.RIGHTS_LETTERS``):
replies to marketing or to a confirmation never land in the privacy mailbox.

RFC 8058 §4 asks that the signature cover ``List-Unsubscribe`` and
``List-Unsubscribe-Post``, so that nobody on the way can point the one-click POST
somewhere else. The two headers are also "over-signed" (named once more in ``h=``
than they occur, RFC 6376 §8.15): a header added later breaks the signature.
"""

from __future__ import annotations

import email.policy
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import dkim
from django.conf import settings
from django.utils import timezone

from vigie.lib.controller import Controller, current_controller
from vigie.lib.tokens import BadToken, make_token, read_token, unsubscribe_url
from vigie.mail.rendering import Rendered

ONE_CLICK = "List-Unsubscribe=One-Click"

_SIGNED = (b"from", b"reply-to", b"to", b"subject", b"date", b"message-id", b"mime-version")
_LIST_HEADERS = (b"list-unsubscribe", b"list-unsubscribe-post")
# Named a second time: a copy added on the way would no longer verify.
_OVERSIGNED = (b"from", b"subject")

# Lines folded at 78 characters as RFC 5322 recommends; the long https link stays
# one word (only white space is a folding point), which DKIM's relaxed header
# canonicalisation then unfolds identically on both sides.
# Lines up to the RFC 5322 limit: with the default 78 the long unsubscribe URL would
# be folded into an RFC 2047 encoded word, which mail clients do not read as a URL.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


class DkimKeyUnavailable(RuntimeError):
    """A DKIM key is configured but cannot be read."""


class NoSender(RuntimeError):
    """The register names no sender: mail is refused rather than sent under a made-up one."""


@dataclass(frozen=True)
class DkimKey:
    selector: str
    domain: str
    private_key: bytes


@dataclass(frozen=True)
class Senders:
    """The header and envelope addresses of one message."""

    from_header: str
    envelope: str
    reply_to: str
    unsubscribe_mailbox: str


def _from_setting(value: str, controller: Controller) -> str:
    """A ``VIGIE_MAIL_FROM_MARKETING`` or ``VIGIE_MAIL_FROM_SERVICE`` value as a From
    header: a bare address is shown with the register's company name."""
    name, address = parseaddr(value)
    return formataddr((name or controller.name, address))


def senders(
    controller: Controller | None, *, marketing: bool, rights_letter: bool = False
) -> Senders:
    """The From of the message's kind (``VIGIE_MAIL_FROM_MARKETING`` or
    ``VIGIE_MAIL_FROM_SERVICE``, else the register's senders); ``VIGIE_MAIL_FROM`` and
    ``VIGIE_MAIL_UNSUBSCRIBE_MAILBOX`` override only the envelope sender and the mailto
    mailbox when set. Only a rights letter has the privacy address as Reply-To, and a
    marketing message is never from it (``NoSender``: held, to be sent again once set)."""
    if controller is None:
        raise NoSender("NO_SENDER: no register is loaded")
    setting = str(
        getattr(settings, "MAIL_FROM_MARKETING" if marketing else "MAIL_FROM_SERVICE", "") or ""
    )
    header = _from_setting(setting, controller) if setting else controller.sender(marketing)
    if not header:
        raise NoSender("NO_SENDER: the register's controller.senders.service is not set")
    privacy = {a.lower() for a in (controller.privacy_contact, controller.reply_to) if a}
    if marketing and parseaddr(header)[1].lower() in privacy:
        # Replies to marketing must not land in the privacy mailbox: held, not sent.
        raise NoSender(
            f"NO_SENDER: the marketing sender {parseaddr(header)[1]} is the privacy mailbox; "
            "set VIGIE_MAIL_FROM_MARKETING or the register's controller.senders.marketing"
        )
    envelope = parseaddr(str(getattr(settings, "MAIL_FROM", "") or ""))[1] or parseaddr(header)[1]
    mailbox = (
        str(getattr(settings, "MAIL_UNSUBSCRIBE_MAILBOX", "") or "")
        or controller.unsubscribe_mailbox
    )
    reply_to = (controller.reply_to or controller.privacy_contact) if rights_letter else ""
    return Senders(header, envelope, reply_to, mailbox)


def message_id_domain() -> str:
    """The domain of Message-IDs: the sender's, else the site's (never personal data)."""
    override = parseaddr(
        str(getattr(settings, "MAIL_FROM", "") or getattr(settings, "MAIL_FROM_SERVICE", "") or "")
    )[1]
    controller = current_controller() if not override else None
    address = override or (controller.service_from if controller else "")
    domain = address.rpartition("@")[2]
    if not domain:
        domain = urlsplit(str(getattr(settings, "SITE_URL", ""))).hostname or ""
    return domain or "localhost"


def new_message_id(message_pk: uuid.UUID, domain: str | None = None) -> str:
    """The outbox row's id at the sender's domain: no personal data, and unique."""
    return f"<{message_pk.hex}@{domain or message_id_domain()}>"


def dkim_key(envelope_domain: str = "") -> DkimKey | None:
    """The configured key, or None when signing is off (no key or selector). The
    signing domain is ``VIGIE_DKIM_DOMAIN``, else the sender's."""
    path = getattr(settings, "DKIM_PRIVATE_KEY_PATH", "")
    selector = getattr(settings, "DKIM_SELECTOR", "")
    domain = getattr(settings, "DKIM_DOMAIN", "") or envelope_domain
    if not (path and selector and domain):
        return None
    try:
        return DkimKey(str(selector), str(domain), Path(path).read_bytes())
    except OSError as error:
        raise DkimKeyUnavailable(f"DKIM key {path}: {error.strerror}") from None


def unsubscribe_link(person_id: uuid.UUID, purpose: str) -> tuple[str, str]:
    """The https link (consent's own URL) and its token, for body and headers alike.

    Built once per message: tokens carry a timestamp, so two calls a second apart
    would give two different (equally valid) links.
    """
    url = unsubscribe_url(person_id, purpose)
    token = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    try:
        read_token(token)
    except BadToken:
        # The URL does not end with the token: the mailto subject gets its own.
        token = make_token(person_id, purpose)
    return url, token


def list_unsubscribe(https_url: str, token: str, mailbox: str = "") -> str:
    """RFC 2369/8058: the https link first (one-click POST), then a mailto fallback
    when the register names an unsubscribe mailbox."""
    if not mailbox:
        return f"<{https_url}>"
    return f"<{https_url}>, <mailto:{mailbox}?subject={quote(token, safe='')}>"


def compose(
    *,
    to: str,
    message_id: str,
    rendered: Rendered,
    sender: Senders,
    unsubscribe: tuple[str, str] | None = None,
) -> bytes:
    """The bytes to hand to the SMTP server, signed when a DKIM key is configured.

    ``unsubscribe`` is the (https link, token) pair of a marketing message.
    """
    # An address with a non-ASCII local part travels with SMTPUTF8: its headers are
    # then UTF-8 as they are (RFC 6532), not encoded words.
    message = EmailMessage(policy=_POLICY if to.isascii() else _POLICY.clone(utf8=True))
    message["From"] = sender.from_header
    message["To"] = to
    if sender.reply_to:
        message["Reply-To"] = sender.reply_to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id
    if unsubscribe is not None:
        message["List-Unsubscribe"] = list_unsubscribe(*unsubscribe, sender.unsubscribe_mailbox)
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    raw = message.as_bytes()
    key = dkim_key(parseaddr(sender.from_header)[1].rpartition("@")[2])
    if key is None:
        return raw
    headers: tuple[bytes, ...] = _SIGNED + _OVERSIGNED
    if unsubscribe is not None:
        headers += _LIST_HEADERS + _LIST_HEADERS
    signature = dkim.sign(
        raw,
        key.selector.encode(),
        key.domain.encode(),
        key.private_key,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=list(headers),
    )
    return bytes(signature) + raw
