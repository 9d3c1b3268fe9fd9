"""A private dovecot IMAP server on 127.0.0.1 for the inbound-mailbox tests.

Debian's ``dovecot-imapd`` (``make test`` installs it: Makefile ``TEST_DEB``), started
as its own process with its own configuration in a temporary directory: no root
needed, no system service touched. Run as root (CI), dovecot refuses to run its login
and mail processes as root, so they run as the package's own ``dovenull`` and
``dovecot`` users, who are given the directory. Each test gets a fresh mail user
(the passwd file is read again when it changes), so one server serves the session.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = no
auth_debug = no
mail_debug = no
verbose_proctitle = no
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{base}/mail/%u/Maildir
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={base}/mail/%u
}}
{tls}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accounts() -> tuple[str, str, str, str]:
    """(internal user, its group, login user, mail user): the current user's own when
    not root; the package's unprivileged users when root (dovecot refuses root)."""
    if os.geteuid() != 0:
        name = pwd.getpwuid(os.geteuid()).pw_name
        import grp

        group = grp.getgrgid(os.getegid()).gr_name
        return name, group, name, name
    return "dovecot", "dovecot", "dovenull", "dovecot"


@dataclass
class ImapServer:
    host: str
    port: int
    base: Path
    process: subprocess.Popen[bytes] | None = None
    password: str = ""
    #: With TLS: the implicit-TLS port (``port`` then offers STARTTLS) and the file of
    #: the test authority that signed the server's certificate.
    tls_port: int = 0
    ca_file: Path | None = None

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 10.0) -> str:
        """The log once it holds ``text``: dovecot writes a closed connection's lines
        after the client has gone, so a test reading at once can be ahead of it."""
        deadline = time.monotonic() + timeout
        while text not in (log := self.log()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return log

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.base, ignore_errors=True)


def _certificates(base: Path) -> tuple[Path, Path, Path]:
    """A test authority and a certificate it signed for 127.0.0.1: (CA, cert, key)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Vigie test authority")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = (base / "ca.pem", base / "cert.pem", base / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def start_server(*, tls: bool = False) -> ImapServer:
    if not Path(DOVECOT).exists():
        raise RuntimeError(
            "dovecot is not installed: run `scripts/system-deps.sh dovecot-imapd` "
            "(make test installs it)"
        )
    # Not under pytest's tmp_path: its parent is private to this user (0700), and as
    # root the dovecot users must reach the mail directory.
    base = Path(tempfile.mkdtemp(prefix="vigie-dovecot-"))
    base.chmod(0o755)
    internal, group, login, mail_user = _accounts()
    entry = pwd.getpwnam(mail_user)
    for sub in ("run", "state", "mail"):
        (base / sub).mkdir()
    if os.geteuid() == 0:
        os.chown(base / "mail", entry.pw_uid, entry.pw_gid)
    port = free_port()
    tls_port = free_port() if tls else 0
    password = secrets.token_hex(12)
    ca_file = None
    tls_lines = "ssl = no"
    if tls:
        ca_file, cert, key = _certificates(base)
        tls_lines = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
    config = base / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            base=base,
            port=port,
            tls_port=tls_port,
            tls=tls_lines,
            password=password,
            internal=internal,
            internal_group=group,
            login=login,
            mail_uid=entry.pw_uid,
            mail_gid=entry.pw_gid,
        ),
        encoding="utf-8",
    )
    server = ImapServer(
        "127.0.0.1", port, base, password=password, tls_port=tls_port, ca_file=ca_file
    )
    server.process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return server
        except OSError:
            time.sleep(0.05)
    log = server.log()
    server.stop()
    raise RuntimeError(f"dovecot did not start on 127.0.0.1:{port}:\n{log}")


class TestMailbox:
    """One user's INBOX on the test server, seen through plain imaplib (not the code
    under test): drop messages in, read their flags."""

    __test__ = False  # not a test class for pytest

    def __init__(self, server: ImapServer, user: str, password: str) -> None:
        self.server, self.user, self.password = server, user, password

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.server.host, self.server.port, timeout=10)
        client.login(self.user, self.password)
        client.select("INBOX")
        return client

    def append(self, raw: bytes, flags: str = "") -> int:
        """Drop a message in (IMAP APPEND); its UID."""
        client = self._client()
        try:
            typ, data = client.append("INBOX", f"({flags})" if flags else None, None, raw)
            assert typ == "OK", data
            # [APPENDUID <uidvalidity> <uid>] (RFC 4315, dovecot answers it)
            text = data[0].decode()
            return int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1])
        finally:
            client.logout()

    def flags(self) -> dict[int, set[str]]:
        """Each message's flags, by UID."""
        client = self._client()
        try:
            typ, data = client.uid("FETCH", "1:*", "(UID FLAGS)")
            assert typ == "OK", data
            found: dict[int, set[str]] = {}
            for line in data:
                if not isinstance(line, bytes):
                    continue
                text = line.decode()
                uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
                inside = text.split("FLAGS (", 1)[1].split(")", 1)[0]
                found[uid] = set(inside.split()) - {"\\Recent"}
            return found
        finally:
            client.logout()

    def uidvalidity(self) -> int:
        client = self._client()
        try:
            return int(client.response("UIDVALIDITY")[1][0])
        finally:
            client.logout()
