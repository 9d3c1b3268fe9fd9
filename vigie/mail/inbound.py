"""The privacy mailbox (``info.rgpd@``), read over IMAP: every message stored once,
sealed, then offered to the domains' handlers (R46, R78).

**Which messages.** Vigie reads the messages whose UID is above the highest it has
stored for the folder's current UIDVALIDITY, not the ``UNSEEN`` ones: the mailbox is
also a person's, and a message someone opened in a mail client before the poll
(``\\Seen`` set by them) would never be read by a search on ``UNSEEN``. A UID is never
reused while UIDVALIDITY stays (RFC 3501 §2.3.1.1), so "above the highest stored" is
exactly "not yet stored", whatever anyone did to the flags.

**Never read twice, never lost.** Each message is stored in its own transaction, with
the unique ``(mailbox, uidvalidity, uid)``; only after that commit is it flagged
``\\Seen`` (and ``$VigieStored``) on the server, and ``flagged_at`` recorded:

- killed while fetching: nothing of that message is committed and nothing was flagged
  (fetched with ``BODY.PEEK``); the next poll fetches it again;
- killed after the commit, before the flag: the next poll finds ``flagged_at`` empty and
  flags it; the message is above no new UID, and were it fetched again (a lease taken
  over while a slow poll still ran) the unique constraint stores nothing.

If the server renumbers the folder (a new UIDVALIDITY: the folder was recreated or
restored), messages already stored are recognised by a keyed hash of their Message-ID
and only flagged, not stored again.

**Handlers.** A domain registers at start-up a handler for the messages it can deal
with itself (consent: the ``mailto:`` unsubscribe of ``List-Unsubscribe``). Each new
message is offered to them in order, inside its storing transaction (a savepoint): the
first that consumes it marks it ``handled`` and its sealed content is dropped (the
handler's domain keeps the proof); a message nobody consumes waits for a person in the
triage queue (``mail.triage``). A handler that raises leaves the message ``new``: it is
offered again at the next poll, and goes to triage after ``MAX_HANDLER_ATTEMPTS``.

**One poll at a time.** A lease on the mailbox's ``MailboxPoll`` row (process and time,
renewed after each message): a second poll finds it held and does nothing. A lease
whose process has died on this host, or older than ``LEASE``, is taken over.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.lib import crypto, keyring
from vigie.mail import imap
from vigie.mail.actions import MailAction
from vigie.mail.delivery import dead_claimants, worker_identity
from vigie.mail.models import InboundAttachment, InboundMessage, InboundState, MailboxPoll

log = logging.getLogger("vigie.mail.inbound")

_KEY_PURPOSE = "mail-inbound"
#: A poll not heard of for this long is taken for dead and its lease taken over.
LEASE = timedelta(minutes=15)
MAX_HANDLER_ATTEMPTS = 3


def _key() -> bytes:
    return keyring.derive_key(_KEY_PURPOSE)


def aad(message_id: uuid.UUID, field_name: str) -> str:
    """Binds a sealed value to its row and field: copied elsewhere, it does not open."""
    return f"mail.inboundmessage:{message_id}:{field_name}"


def seal_text(message_id: uuid.UUID, field_name: str, text: str) -> bytes:
    return crypto.seal_text(_key(), text, aad(message_id, field_name))


def open_text(message_id: uuid.UUID, field_name: str, blob: bytes | memoryview | None) -> str:
    if blob is None:
        return ""
    return crypto.open_text(_key(), bytes(blob), aad(message_id, field_name))


def seal_bytes(message_id: uuid.UUID, field_name: str, content: bytes) -> bytes:
    return crypto.seal(_key(), content, aad(message_id, field_name))


def open_bytes(message_id: uuid.UUID, field_name: str, blob: bytes | memoryview) -> bytes:
    return crypto.open_sealed(_key(), bytes(blob), aad(message_id, field_name))


def sender_index(address: str) -> str:
    return crypto.blind_index(keyring.index_key(), crypto.normalise_email(address))


def _message_id_hash(message_id: str) -> str:
    if not message_id:
        return ""
    return crypto.blind_index(keyring.derive_key("mail-inbound-message-id"), message_id.strip())


# -- Handlers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundMail:
    """A stored message as a handler sees it: opened, in memory only."""

    id: uuid.UUID
    received_at: datetime
    sender: str
    subject: str
    text: str
    #: (name, content type, size) of each attachment.
    attachments: tuple[tuple[str, str, int], ...] = ()


#: Returns True when it consumed the message (it did what the message asks).
InboundHandler = Callable[[InboundMail], bool]


@dataclass(frozen=True)
class _Registered:
    label: str
    handler: InboundHandler
    keep_content: bool


_handlers: list[_Registered] = []


def register_inbound_handler(
    label: str, handler: InboundHandler, *, keep_content: bool = False
) -> None:
    """Offer every new message to ``handler`` (after those registered before it).

    It runs inside the message's storing transaction: its writes commit with the
    message, or not at all. It must be idempotent (the same request sent twice is two
    messages). ``keep_content``: keep the sealed content of what it consumed; by default
    it is dropped, the handler's own records being the proof. Registering the same
    label again replaces that handler (a reloaded app)."""
    entry = _Registered(label, handler, keep_content)
    for index, existing in enumerate(_handlers):
        if existing.label == label:
            _handlers[index] = entry
            return
    _handlers.append(entry)


def inbound_handlers() -> list[str]:
    return [entry.label for entry in _handlers]


# -- The poll ----------------------------------------------------------------------------------


@dataclass
class PollReport:
    mailbox: str = ""
    stored: int = 0
    handled: dict[str, int] = field(default_factory=dict)
    triage: int = 0
    #: Already stored (a second reading, a renumbered folder): flagged, not stored again.
    already_stored: int = 0
    flagged: int = 0
    #: Another poll holds the mailbox: this one did nothing.
    busy: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "stored": self.stored,
            "handled": sum(self.handled.values()),
            "triage": self.triage,
            "already_stored": self.already_stored,
            "flagged": self.flagged,
            "busy": self.busy,
        }


def _system() -> Actor:
    return Actor.system("privacy mailbox")


def poll_mailbox(actor: Actor | None = None) -> PollReport:
    """Read the privacy mailbox once: store what is new, offer it to the handlers, flag
    it on the server. Raises ``imap.InboundDisabled`` when no server is configured and
    ``imap.MailboxUnavailable`` when it cannot be read (nothing half-done: each message
    stored is complete and committed)."""
    actor = actor or _system()
    cfg = imap.config()
    report = PollReport(mailbox=cfg.identity)
    me = worker_identity()
    if not _claim(cfg.identity, me):
        report.busy = True
        return report
    try:
        session = imap.connect(cfg)
        try:
            _poll(session, cfg.identity, me, actor, report)
        finally:
            imap.close(session)
    except Exception as error:
        _release(cfg.identity, me, error=error)
        raise
    _release(cfg.identity, me)
    return report


def _poll(session: imap.Session, mailbox: str, me: str, actor: Actor, report: PollReport) -> None:
    validity = session.uidvalidity
    previous = MailboxPoll.objects.filter(mailbox=mailbox).values_list("uidvalidity", flat=True)[0]
    if previous is not None and previous != validity:
        log.warning(
            "mailbox %s: UIDVALIDITY changed (%s → %s): the folder was recreated; messages "
            "already stored are recognised by their Message-ID",
            mailbox,
            previous,
            validity,
        )
    MailboxPoll.objects.filter(mailbox=mailbox).update(uidvalidity=validity)
    mine = InboundMessage.objects.filter(mailbox=mailbox, uidvalidity=validity)
    # 1. Flag what a stopped poll stored but did not flag.
    unflagged = list(mine.filter(flagged_at__isnull=True).values_list("uid", flat=True))
    _flag(session, mailbox, validity, unflagged, report)
    # 2. Offer again what a failing handler left new.
    for message in InboundMessage.objects.filter(mailbox=mailbox, state=InboundState.NEW):
        with transaction.atomic():
            _offer(actor, message, report)
    # 3. Store what is new, one message per transaction, each flagged once committed.
    last = mine.aggregate(last=Max("uid"))["last"] or 0
    for fetched in session.fetch(session.uids_after(last)):
        created = _store(actor, mailbox, validity, fetched, report)
        if created:
            report.stored += 1
        else:
            report.already_stored += 1
        # Only now, the row committed: tell the server.
        _flag(session, mailbox, validity, [fetched.uid], report)
        _renew(mailbox, me)


def _flag(
    session: imap.Session, mailbox: str, validity: int, uids: list[int], report: PollReport
) -> None:
    if not uids:
        return
    if not session.flag_stored(uids):
        # Stored all the same: the UID, not the flag, says what Vigie has read. The next
        # poll tries to flag it again.
        log.warning(
            "mailbox %s: the server refused to flag %d stored message(s)", mailbox, len(uids)
        )
        return
    InboundMessage.objects.filter(
        mailbox=mailbox, uidvalidity=validity, uid__in=uids, flagged_at__isnull=True
    ).update(flagged_at=timezone.now())
    report.flagged += len(uids)


def _store(
    actor: Actor, mailbox: str, validity: int, fetched: imap.Fetched, report: PollReport
) -> bool:
    """Store one message and offer it to the handlers, in one transaction; False when it
    was stored before (same UID, or same Message-ID under a former UIDVALIDITY)."""
    id_hash = _message_id_hash(fetched.message_id)
    if id_hash and (
        InboundMessage.objects.filter(mailbox=mailbox, message_id_hash=id_hash)
        .exclude(uidvalidity=validity)
        .exists()
    ):
        # Recorded under the new number so it is flagged, and never fetched again.
        return _record_renumbered(mailbox, validity, fetched, id_hash)
    pk = uuid.uuid4()
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                id=pk,
                mailbox=mailbox,
                uidvalidity=validity,
                uid=fetched.uid,
                received_at=fetched.received_at,
                sent_at=fetched.sent_at,
                message_id_hash=id_hash,
                sender_sealed=seal_text(pk, "sender", fetched.sender),
                sender_index=sender_index(fetched.sender) if fetched.sender else "",
                subject_sealed=seal_text(pk, "subject", fetched.subject),
                body_sealed=seal_text(pk, "body", fetched.text),
                size=min(fetched.size, 2**31 - 1),
            )
            InboundAttachment.objects.bulk_create(
                InboundAttachment(
                    message=message,
                    position=position,
                    name_sealed=seal_text(pk, f"attachment:{position}:name", item.name),
                    content_type=item.content_type[:200],
                    size=len(item.content),
                    content_sealed=seal_bytes(pk, f"attachment:{position}:content", item.content),
                )
                for position, item in enumerate(fetched.attachments)
            )
            record_event(
                actor,
                MailAction.INBOUND_STORE,
                message,
                extra={
                    "mailbox": mailbox,
                    "uidvalidity": validity,
                    "uid": fetched.uid,
                    "attachments": len(fetched.attachments),
                    "size": message.size,
                },
            )
            _offer(actor, message, report, fetched)
    except IntegrityError:
        # Stored by another reading of the same message (a poll whose lease was taken
        # over while it still ran): the unique UID says so.
        if InboundMessage.objects.filter(
            mailbox=mailbox, uidvalidity=validity, uid=fetched.uid
        ).exists():
            return False
        raise
    return True


def _record_renumbered(mailbox: str, validity: int, fetched: imap.Fetched, id_hash: str) -> bool:
    log.info("mailbox %s: UID %s was stored before under another UIDVALIDITY", mailbox, fetched.uid)
    try:
        with transaction.atomic():
            InboundMessage.objects.create(
                mailbox=mailbox,
                uidvalidity=validity,
                uid=fetched.uid,
                received_at=fetched.received_at,
                message_id_hash=id_hash,
                state=InboundState.HANDLED,
                handled_by="mail:already-stored",
                handled_at=timezone.now(),
                content_dropped_at=timezone.now(),
            )
    except IntegrityError:
        pass
    return False


def _opened(message: InboundMessage, fetched: imap.Fetched | None) -> InboundMail:
    if fetched is not None:
        return InboundMail(
            message.pk,
            message.received_at,
            fetched.sender,
            fetched.subject,
            fetched.text,
            tuple((a.name, a.content_type, len(a.content)) for a in fetched.attachments),
        )
    pk = message.pk
    return InboundMail(
        pk,
        message.received_at,
        open_text(pk, "sender", message.sender_sealed),
        open_text(pk, "subject", message.subject_sealed),
        open_text(pk, "body", message.body_sealed),
        tuple(
            (open_text(pk, f"attachment:{a.position}:name", a.name_sealed), a.content_type, a.size)
            for a in message.attachments.order_by("position")
        ),
    )


def _offer(
    actor: Actor, message: InboundMessage, report: PollReport, fetched: imap.Fetched | None = None
) -> None:
    """Offer ``message`` to each handler in turn, inside the caller's transaction."""
    mail = _opened(message, fetched)
    for entry in _handlers:
        try:
            with transaction.atomic():
                consumed = entry.handler(mail)
        except Exception as error:
            # Its writes are rolled back with the savepoint; the message stays new and is
            # offered again at the next poll. The kind only: the text may quote the message.
            log.error(
                "inbound message %s: handler %s raised %s",
                message.pk,
                entry.label,
                type(error).__name__,
            )
            _handler_failed(actor, message, entry.label, report)
            return
        if consumed:
            _mark_handled(actor, message, entry, report)
            return
    _queue_for_triage(actor, message, report)


def _handler_failed(actor: Actor, message: InboundMessage, label: str, report: PollReport) -> None:
    attempts = message.handler_attempts + 1
    InboundMessage.objects.filter(pk=message.pk).update(handler_attempts=attempts)
    message.handler_attempts = attempts
    if attempts >= MAX_HANDLER_ATTEMPTS:
        _queue_for_triage(actor, message, report, failed_handler=label)


def _mark_handled(
    actor: Actor, message: InboundMessage, entry: _Registered, report: PollReport
) -> None:
    now = timezone.now()
    changes: dict[str, object] = {
        "state": InboundState.HANDLED,
        "handled_by": entry.label,
        "handled_at": now,
    }
    if not entry.keep_content:
        # The handler's domain keeps the proof (the consent ledger records the
        # withdrawal, its method and time); the message itself is no longer needed, and
        # its subject may be a bearer token (an unsubscribe link's).
        changes.update(
            sender_sealed=None,
            subject_sealed=None,
            body_sealed=None,
            sender_index="",
            content_dropped_at=now,
        )
        InboundAttachment.objects.filter(message_id=message.pk).delete()
    InboundMessage.objects.filter(pk=message.pk).update(**changes)
    record_event(
        actor,
        MailAction.INBOUND_HANDLE,
        message,
        extra={"handler": entry.label, "content_kept": entry.keep_content},
    )
    report.handled[entry.label] = report.handled.get(entry.label, 0) + 1


def _queue_for_triage(
    actor: Actor, message: InboundMessage, report: PollReport, *, failed_handler: str = ""
) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(state=InboundState.TRIAGE)
    extra: dict[str, object] = {}
    if failed_handler:
        extra["failed_handler"] = failed_handler
    record_event(actor, MailAction.INBOUND_QUEUE, message, extra=extra)
    report.triage += 1


# -- The lease: one poll at a time ------------------------------------------------------------


def _claim(mailbox: str, me: str) -> bool:
    now = timezone.now()
    MailboxPoll.objects.get_or_create(mailbox=mailbox)
    holder = MailboxPoll.objects.filter(mailbox=mailbox).values_list("polling_by", flat=True)[0]
    free = Q(polling_by="") | Q(polling_since__isnull=True) | Q(polling_since__lt=now - LEASE)
    if holder and holder in dead_claimants([holder]):
        free |= Q(polling_by=holder)
    return bool(
        MailboxPoll.objects.filter(free, mailbox=mailbox).update(
            polling_by=me, polling_since=now, last_poll_at=now
        )
    )


def _renew(mailbox: str, me: str) -> None:
    MailboxPoll.objects.filter(mailbox=mailbox, polling_by=me).update(polling_since=timezone.now())


def _release(mailbox: str, me: str, *, error: BaseException | None = None) -> None:
    changes: dict[str, object] = {"polling_by": "", "polling_since": None}
    if error is None:
        changes.update(last_success_at=timezone.now(), last_error="")
    else:
        changes["last_error"] = type(error).__name__[:200]
    MailboxPoll.objects.filter(mailbox=mailbox, polling_by=me).update(**changes)
