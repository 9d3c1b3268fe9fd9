"""The IMAP edge of the inbound mailbox: connect with imap-tools, list what is new,
fetch it without marking it read, flag it once stored.

Nothing here writes to the database: ``mail.inbound`` decides what is stored and
when the server is told. Messages are fetched with ``BODY.PEEK[]`` (``mark_seen=False``):
fetching alone never sets ``\\Seen``, so a poll killed half-way leaves the server as it
was for every message not yet stored.
"""

from __future__ import annotations

import contextlib
import imaplib
import itertools
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from django.conf import settings
from imap_tools import A, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import ImapToolsError

#: Set on the server beside ``\\Seen`` once a message is stored, where the server keeps
#: keywords (PERMANENTFLAGS ``\\*``): a person reading the mailbox in a mail client sees
#: what Vigie took, and marking it unread does not make Vigie take it again.
STORED_KEYWORD = "$VigieStored"
#: Messages fetched per FETCH command: few round trips, and at most this many messages
#: (attachments included) in memory at once.
FETCH_CHUNK = 10
#: UIDs per STORE command: a command line stays well under servers' limits.
STORE_CHUNK = 200


class MailboxUnavailable(RuntimeError):
    """The mailbox could not be read (connection refused, login refused, timeout…);
    the message says what, never a password."""


class InboundDisabled(RuntimeError):
    """No IMAP server is configured (``VIGIE_IMAP_HOST`` empty)."""


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    security: str
    user: str
    folder: str
    timeout: int

    @property
    def identity(self) -> str:
        """Which mailbox: the same user and folder on the same server is the same one
        (whatever the port or the TLS mode used to reach it)."""
        return f"{self.user}@{self.host}/{self.folder}"[:300]


def configured() -> bool:
    return bool(settings.IMAP_HOST)


def config() -> ImapConfig:
    if not settings.IMAP_HOST:
        raise InboundDisabled("VIGIE_IMAP_HOST is empty: the privacy mailbox is not read")
    security = settings.IMAP_SSL
    port = settings.IMAP_PORT or (993 if security == "ssl" else 143)
    return ImapConfig(
        host=settings.IMAP_HOST,
        port=port,
        security=security,
        user=settings.IMAP_USER,
        folder=settings.IMAP_FOLDER or "INBOX",
        timeout=settings.IMAP_TIMEOUT_SECONDS,
    )


def _password() -> str:
    if settings.IMAP_PASSWORD:
        return str(settings.IMAP_PASSWORD)
    if settings.IMAP_PASSWORD_FILE:
        path = Path(settings.IMAP_PASSWORD_FILE)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise MailboxUnavailable(
                f"cannot read VIGIE_IMAP_PASSWORD_FILE {path}: {error.strerror}"
            ) from None
        return lines[0] if lines else ""
    return ""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Fetched:
    """One message as read from the server (in memory only, until sealed)."""

    uid: int
    received_at: datetime
    sent_at: datetime | None
    message_id: str
    sender: str
    subject: str
    text: str
    size: int
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


class Session:
    """An open, logged-in connection with the folder selected."""

    def __init__(self, box: BaseMailBox, folder: str) -> None:
        self.box = box
        self.folder = folder
        self.uidvalidity = 0
        self.keywords = False

    def select(self) -> None:
        self.box.folder.set(self.folder)
        client = self.box.client
        validity = client.response("UIDVALIDITY")[1]
        flags = client.response("PERMANENTFLAGS")[1]
        if not validity or validity[0] is None:
            # Every IMAP4rev1 server sends it on SELECT (RFC 3501 §6.3.1); ask if it did not.
            status = self.box.folder.status(self.folder, ["UIDVALIDITY"])
            self.uidvalidity = int(status["UIDVALIDITY"])
        else:
            self.uidvalidity = int(validity[0])
        self.keywords = any(b"\\*" in (item or b"") for item in flags)

    def uids_after(self, last_uid: int) -> list[int]:
        """The UIDs above ``last_uid``, ascending. ``UID n:*`` always answers at least
        the highest message (RFC 3501: ``*`` is the highest UID, and a range is taken in
        either order), hence the filter."""
        found = self.box.uids(A(uid=f"{last_uid + 1}:*"))
        return sorted(uid for uid in (int(u) for u in found) if uid > last_uid)

    def uids_with(self, uids: list[int], keyword: str) -> set[int]:
        if not uids:
            return set()
        found = self.box.uids(A(uid=",".join(map(str, uids)), keyword=keyword))
        return {int(u) for u in found}

    def fetch(self, uids: list[int]) -> Iterator[Fetched]:
        """Fetch ``uids`` in order, ``FETCH_CHUNK`` at a time, without setting ``\\Seen``."""
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            arrivals = self._internal_dates(chunk)
            messages = {
                int(m.uid or 0): m
                for m in self.box.fetch(
                    uid_list=[str(u) for u in chunk], mark_seen=False, bulk=len(chunk) + 1
                )
            }
            for uid in chunk:
                message = messages.get(uid)
                if message is not None:  # expunged meanwhile: nothing to store
                    yield _read(uid, message, arrivals.get(uid))

    def _internal_dates(self, uids: list[int]) -> dict[int, datetime]:
        """INTERNALDATE: when the server received the message (R46: the arrival date)."""
        typ, data = self.box.client.uid("FETCH", ",".join(map(str, uids)), "(UID INTERNALDATE)")
        found: dict[int, datetime] = {}
        if typ != "OK":
            return found
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            arrival = _internal_date(line)
            uid = _uid_of(line)
            if arrival is not None and uid is not None:
                found[uid] = arrival
        return found

    def flag_stored(self, uids: list[int]) -> bool:
        """``\\Seen`` (and the keyword) on each of ``uids``; False when the server
        refuses (a read-only folder). A plain UID STORE: imap-tools' ``flag`` would also
        EXPUNGE, deleting for good what a person had marked deleted."""
        flags = ["\\Seen", STORED_KEYWORD] if self.keywords else ["\\Seen"]
        done = True
        for start in range(0, len(uids), STORE_CHUNK):
            uid_list = ",".join(str(u) for u in uids[start : start + STORE_CHUNK])
            typ, _data = self.box.client.uid("STORE", uid_list, "+FLAGS", f"({' '.join(flags)})")
            done = done and typ == "OK"
        return done


_INTERNALDATE = re.compile(
    rb'INTERNALDATE "\s*(\d{1,2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4})"'
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _internal_date(line: bytes) -> datetime | None:
    """The INTERNALDATE with its own offset, in UTC. (``imaplib.Internaldate2tuple``
    gives the machine's local time as a bare tuple: its offset would be lost.)"""
    match = _INTERNALDATE.search(line)
    if match is None:
        return None
    day, month, rest = match[1].decode().split("-", 2)
    year, clock, offset = rest.split(" ")
    if month.title() not in _MONTHS:
        return None
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    sign = 1 if offset[0] == "+" else -1
    shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
    local = datetime(
        int(year),
        _MONTHS.index(month.title()) + 1,
        int(day),
        hours,
        minutes,
        seconds,
        tzinfo=timezone(shift),
    )
    return local.astimezone(UTC)


def _uid_of(line: bytes) -> int | None:
    words = line.replace(b"(", b" ").replace(b")", b" ").split()
    for before, value in itertools.pairwise(words):
        if before.upper() == b"UID" and value.isdigit():
            return int(value)
    return None


def _read(uid: int, message: MailMessage, arrival: datetime | None) -> Fetched:
    """What Vigie keeps of a message. Python's parser is lenient: a malformed message
    still gives what can be read of it, never an exception that would block the ones
    after it."""
    sent_at: datetime | None = message.date
    if sent_at is not None and (sent_at.tzinfo is None or sent_at.year < 1980):
        # imap-tools gives 1900-01-01 for a missing or unreadable Date header.
        sent_at = None
    text = message.text or _html_as_text(message.html)
    attachments = tuple(
        Attachment(a.filename or "", a.content_type or "application/octet-stream", a.payload)
        for a in message.attachments
    )
    return Fetched(
        uid=uid,
        received_at=arrival or datetime.now(UTC),
        sent_at=sent_at,
        message_id=(message.headers.get("message-id") or ("",))[0].strip(),
        sender=parseaddr(message.from_)[1],
        subject=message.subject or "",
        text=text,
        size=message.size_rfc822 or len(message.obj.as_bytes()),
        attachments=attachments,
    )


def _html_as_text(html: str) -> str:
    if not html:
        return ""
    from vigie.mail.html_text import read_html

    return read_html(html).text


def connect(cfg: ImapConfig) -> Session:
    """Connect, log in and select the folder; ``MailboxUnavailable`` with a clear
    message otherwise (the connection is closed again)."""
    where = f"{cfg.host}:{cfg.port}"
    box: BaseMailBox
    # The certificate and the host name are checked against the system's authorities:
    # imaplib's own default context checks neither, and the password would go to
    # whoever sits in the middle.
    context = ssl.create_default_context()
    try:
        if cfg.security == "ssl":
            box = MailBox(cfg.host, cfg.port, timeout=cfg.timeout, ssl_context=context)
        elif cfg.security == "starttls":
            box = MailBoxStartTls(cfg.host, cfg.port, timeout=cfg.timeout, ssl_context=context)
        else:
            box = MailBoxUnencrypted(cfg.host, cfg.port, timeout=cfg.timeout)
    except ConnectionRefusedError:
        raise MailboxUnavailable(f"IMAP server {where} refused the connection") from None
    except TimeoutError:
        raise MailboxUnavailable(f"IMAP server {where} did not answer in time") from None
    except ssl.SSLCertVerificationError as error:
        raise MailboxUnavailable(
            f"the certificate of IMAP server {where} is not trusted ({error.verify_message})"
        ) from None
    except ssl.SSLError as error:
        raise MailboxUnavailable(f"TLS with IMAP server {where} failed ({error.reason})") from None
    except (OSError, imaplib.IMAP4.error, ImapToolsError) as error:
        raise MailboxUnavailable(
            f"cannot connect to IMAP server {where} ({_kind(error)})"
        ) from None
    session = Session(box, cfg.folder)
    try:
        box.login(cfg.user, _password(), initial_folder=None)
    except (OSError, imaplib.IMAP4.error, ImapToolsError):
        close(session)
        raise MailboxUnavailable(
            f"IMAP server {where} refused the login of {cfg.user!r} (check VIGIE_IMAP_USER "
            "and the password)"
        ) from None
    try:
        session.select()
    except (OSError, imaplib.IMAP4.error, ImapToolsError) as error:
        close(session)
        raise MailboxUnavailable(
            f"cannot open folder {cfg.folder!r} on {where} ({_kind(error)})"
        ) from None
    return session


def close(session: Session) -> None:
    # A connection already gone needs no goodbye.
    with contextlib.suppress(Exception):
        session.box.logout()
        return
    with contextlib.suppress(Exception):
        session.box.client.shutdown()


def _kind(error: Any) -> str:
    return type(error).__name__
