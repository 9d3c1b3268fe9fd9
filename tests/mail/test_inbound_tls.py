"""The privacy mailbox over TLS, against dovecot with a certificate from a test
authority: implicit TLS and STARTTLS work once the authority is trusted, and a
certificate nobody vouches for is refused before the password is sent."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.mail.conftest import mail_bytes
from tests.mail.imap_server import ImapServer, TestMailbox
from vigie.mail import imap
from vigie.mail.inbound import poll_mailbox
from vigie.mail.models import InboundMessage

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


@pytest.fixture
def tls_mailbox(imap_tls_server: ImapServer, settings: Any) -> TestMailbox:
    user = f"rgpd-{uuid.uuid4().hex[:10]}"
    settings.IMAP_HOST = imap_tls_server.host
    settings.IMAP_USER = user
    settings.IMAP_PASSWORD = imap_tls_server.password
    settings.IMAP_PASSWORD_FILE = ""
    settings.IMAP_FOLDER = "INBOX"
    settings.IMAP_TIMEOUT_SECONDS = 5
    box = TestMailbox(imap_tls_server, user, imap_tls_server.password)
    box.append(mail_bytes())
    return box


@pytest.fixture
def trusted(imap_tls_server: ImapServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test authority as the system's trust store (OpenSSL reads SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_tls_server.ca_file))


def test_implicit_tls_reads_the_mailbox(tls_mailbox, trusted, settings) -> None:
    settings.IMAP_SSL = "ssl"
    settings.IMAP_PORT = tls_mailbox.server.tls_port
    assert poll_mailbox().stored == 1


def test_starttls_reads_the_mailbox(tls_mailbox, trusted, settings) -> None:
    settings.IMAP_SSL = "starttls"
    settings.IMAP_PORT = tls_mailbox.server.port
    assert poll_mailbox().stored == 1


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_certificate_nobody_vouches_for_is_refused(tls_mailbox, settings, security) -> None:
    settings.IMAP_SSL = security
    server = tls_mailbox.server
    settings.IMAP_PORT = server.tls_port if security == "ssl" else server.port
    with pytest.raises(
        imap.MailboxUnavailable, match=r"certificate of IMAP server \S+ is not trusted"
    ):
        poll_mailbox()
    assert InboundMessage.objects.count() == 0
    # Vigie never logged in: the only login is the test's own, dropping the message in.
    assert server.log().count(f"Login: user=<{tls_mailbox.user}>") == 1
    assert "unknown ca" in server.wait_for_log("unknown ca")
