"""A real SMTP server (aiosmtpd) capturing what Vigie sends, a DKIM key made for the
test, a register naming the sender, a person to write to, and the consent domain's
real audience gate with the person's consent recorded."""

from __future__ import annotations

import base64
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from tests.mail.imap_server import ImapServer, TestMailbox, start_server
from tests.policy.conftest import draft, published, register  # noqa: F401 (fixtures)
from vigie.audit.actor import Actor
from vigie.consent import services as consent
from vigie.consent.gate import marketing_gate
from vigie.consent.models import Method, SuppressionReason
from vigie.consent.suppression import suppress
from vigie.lib.purposes import Purpose
from vigie.mail import addressing
from vigie.people.models import Person
from vigie.people.services import create_person, open_person

ADDRESS = "Jeanne.Dupont@Exemple.fr"
SITE = "https://vigie.example"
SELECTOR = "vigie2026"
DOMAIN = "semi-informatique.com"


@dataclass
class Captured:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes


@dataclass
class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts."""

    port: int
    messages: list[Captured] = field(default_factory=list)
    #: When set, RCPT TO is answered with this reply (e.g. a 550).
    rcpt_reply: str | None = None
    #: Whether the server offers SMTPUTF8 (RFC 6531) for non-ASCII addresses.
    smtputf8: bool = False
    _controller: Any = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            Captured(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 2.0.0 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def _sender(register: dict[str, Any]) -> dict[str, Any]:  # noqa: F811 (fixture)
    """Every mail test runs with a register loaded: it names the sender (R37)."""
    return register


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any) -> None:
    # The deliberately bad templates of these tests live beside them.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [Path(__file__).parent / "templates"]}]
    settings.SITE_URL = SITE
    # No override: the register's senders are used.
    settings.MAIL_FROM = ""
    settings.MAIL_UNSUBSCRIBE_MAILBOX = ""
    settings.DKIM_DOMAIN = ""
    settings.DKIM_PRIVATE_KEY_PATH = ""
    # Nothing listens here unless a test starts the server.
    settings.SMTP_HOST = "127.0.0.1"
    settings.SMTP_PORT = _free_port()
    settings.SMTP_TLS = "none"
    settings.SMTP_TIMEOUT_SECONDS = 5


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpSink]:
    sink = SmtpSink(port=settings.SMTP_PORT)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def dkim_dns(settings: Any, tmp_path: Path) -> Callable[..., bytes | None]:
    """Configure a fresh RSA key; return a ``dnsfunc`` serving its public record."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.DKIM_PRIVATE_KEY_PATH = str(path)
    settings.DKIM_SELECTOR = SELECTOR
    settings.DKIM_DOMAIN = DOMAIN
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return dnsfunc


@pytest.fixture
def person(db: None) -> Person:
    return create_person(
        Actor.cli("test"),
        email=ADDRESS,
        first_name="Jeanne",
        last_name="Dupont",
        subject_types=["newsletter_subscriber"],
    )


class Audience:
    """The consent domain's real gate (registered by ``ConsentConfig.ready``), watched:
    the person consented by phone to every purpose, so marketing is allowed until a
    test makes them object or be suppressed."""

    def __init__(self) -> None:
        self.calls: list[tuple[uuid.UUID, str]] = []
        self.actor = Actor.cli("test")

    def allow(self, person: Person) -> None:
        for purpose in Purpose.values:
            consent.record_consent(
                self.actor, person, purpose, wording="J'accepte.", method=Method.PHONE
            )

    def refuse(self, person: Person, reason: str) -> None:
        if reason == "OBJECTED":
            consent.object_to_marketing(self.actor, person, method=Method.PHONE)
        elif reason == "SUPPRESSED":
            suppress(
                open_person(person).email, "all", SuppressionReason.UNSUBSCRIBED, timezone.now()
            )
        else:
            raise ValueError(f"no way to make the real gate say {reason!r}")

    def __call__(self, person_ids: Any, purpose: str) -> dict[uuid.UUID, tuple[bool, str]]:
        self.calls += [(pk, purpose) for pk in person_ids]
        return marketing_gate(person_ids, purpose)


@pytest.fixture
def audience(person: Person, monkeypatch: pytest.MonkeyPatch) -> Audience:
    gate = Audience()
    gate.allow(person)
    # The real gate, only watched: what it answers is consent's own decision.
    monkeypatch.setattr(addressing, "_gate", gate)
    return gate


# -- The privacy mailbox: a real dovecot on 127.0.0.1 (tests/mail/imap_server.py) -------------


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server: ImapServer, settings: Any) -> TestMailbox:
    """A fresh, empty mailbox on the test server, and Vigie configured to read it."""
    user = f"rgpd-{uuid.uuid4().hex[:10]}"
    password = imap_server.password
    settings.IMAP_HOST = imap_server.host
    settings.IMAP_PORT = imap_server.port
    settings.IMAP_SSL = "none"
    settings.IMAP_USER = user
    settings.IMAP_PASSWORD = password
    settings.IMAP_PASSWORD_FILE = ""
    settings.IMAP_FOLDER = "INBOX"
    settings.IMAP_TIMEOUT_SECONDS = 5
    settings.IMAP_POLL_SECONDS = 60
    return TestMailbox(imap_server, user, password)


def mail_bytes(
    *,
    sender: str = "jeanne.dupont@exemple.fr",
    subject: str = "Demande d'accès à mes données",
    text: str = "Bonjour, je souhaite recevoir une copie de mes données.",
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    message_id: str = "",
) -> bytes:
    """A message as a mail client would send it."""
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    message = EmailMessage()
    message["From"] = sender
    message["To"] = "info.rgpd@semi-informatique.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="exemple.fr")
    message.set_content(text)
    for name, content_type, content in attachments:
        main, sub = content_type.split("/", 1)
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


@pytest.fixture(scope="session")
def imap_tls_server() -> Iterator[ImapServer]:
    """The same, speaking TLS (implicit on ``tls_port``, STARTTLS on ``port``) with a
    certificate from a test authority (``ca_file``) that no system trusts."""
    server = start_server(tls=True)
    yield server
    server.stop()
