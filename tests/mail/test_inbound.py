"""The privacy mailbox read from a real IMAP server (dovecot on 127.0.0.1): each
message stored once, sealed, flagged on the server only after it is stored, and
nothing lost or doubled when a poll stops half-way (R46, R78)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

import pytest
from django.db import connection
from django.utils import timezone

from tests.mail.conftest import mail_bytes
from tests.mail.imap_server import free_port
from vigie.audit.models import Event
from vigie.mail import imap, inbound
from vigie.mail.inbound import poll_mailbox
from vigie.mail.models import InboundAttachment, InboundMessage, InboundState, MailboxPoll

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

SEEN = {"\\Seen", "$VigieStored"}


def _raw_columns(table: str, columns: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608 - test's own names
        return list(cursor.fetchall())


def _as_bytes(value: object) -> bytes:
    if value is None:
        return b""
    if isinstance(value, memoryview):
        return value.tobytes()
    return value if isinstance(value, bytes) else str(value).encode()


def test_a_message_dropped_in_the_mailbox_is_stored_once_sealed_then_flagged(mailbox) -> None:
    uid = mailbox.append(mail_bytes())
    assert mailbox.flags()[uid] == set()

    report = poll_mailbox()

    assert (report.stored, report.triage) == (1, 1)
    message = InboundMessage.objects.get()
    assert (message.uid, message.state, message.handled_by) == (uid, InboundState.TRIAGE, "")
    assert message.uidvalidity == mailbox.uidvalidity()
    # The server's arrival time (INTERNALDATE), right whatever the machine's time zone.
    assert abs(message.received_at - timezone.now()) < dt.timedelta(minutes=1)
    assert message.sent_at is not None
    assert abs(message.sent_at - timezone.now()) < dt.timedelta(minutes=1)
    assert message.flagged_at is not None
    assert mailbox.flags()[uid] == SEEN
    # Nothing readable in the row: sender, subject and text are sealed.
    for row in _raw_columns("mail_inboundmessage", "sender_sealed, subject_sealed, body_sealed"):
        blob = b"".join(_as_bytes(v) for v in row)
        assert b"jeanne" not in blob.lower()
        assert "accès".encode() not in blob and b"copie" not in blob
    assert Event.objects.filter(action="mail:inbound:store").count() == 1
    assert Event.objects.filter(action="mail:inbound:queue").count() == 1

    again = poll_mailbox()
    assert (again.stored, again.already_stored) == (0, 0)
    assert InboundMessage.objects.count() == 1
    assert Event.objects.filter(action="mail:inbound:store").count() == 1


def test_a_message_someone_already_read_in_a_mail_client_is_still_stored(mailbox) -> None:
    # Why Vigie reads by UID and not UNSEEN: a colleague opened it first.
    uid = mailbox.append(mail_bytes(), flags="\\Seen")
    report = poll_mailbox()
    assert report.stored == 1
    assert InboundMessage.objects.get().uid == uid


def test_only_new_messages_are_fetched_at_each_poll(mailbox) -> None:
    first = mailbox.append(mail_bytes(subject="un"))
    poll_mailbox()
    second = mailbox.append(mail_bytes(subject="deux"))
    report = poll_mailbox()
    assert report.stored == 1
    assert sorted(InboundMessage.objects.values_list("uid", flat=True)) == [first, second]


def test_a_poll_stopped_after_storing_but_before_flagging_stores_nothing_twice(
    mailbox, monkeypatch
) -> None:
    uid = mailbox.append(mail_bytes())

    def dies(self, uids):
        raise ConnectionResetError("killed between the commit and the flag")

    monkeypatch.setattr(imap.Session, "flag_stored", dies)
    with pytest.raises(ConnectionResetError):
        poll_mailbox()
    # Stored and committed, not flagged: the server still shows it unread.
    message = InboundMessage.objects.get()
    assert message.flagged_at is None
    assert mailbox.flags()[uid] == set()
    # The lease went with the failed poll: the next one may run at once.
    assert MailboxPoll.objects.get().polling_by == ""

    monkeypatch.undo()
    report = poll_mailbox()
    assert (report.stored, report.flagged) == (0, 1)
    assert InboundMessage.objects.count() == 1
    assert InboundMessage.objects.get().flagged_at is not None
    assert mailbox.flags()[uid] == SEEN


def test_a_poll_stopped_while_fetching_loses_nothing(mailbox, monkeypatch) -> None:
    uids = [mailbox.append(mail_bytes(subject=f"n° {n}")) for n in range(3)]
    real_read = imap._read
    calls = []

    def dies_on_the_second(uid, message, arrival):
        calls.append(uid)
        if len(calls) == 2:
            raise ConnectionResetError("killed mid-fetch")
        return real_read(uid, message, arrival)

    monkeypatch.setattr(imap, "_read", dies_on_the_second)
    with pytest.raises(ConnectionResetError):
        poll_mailbox()
    assert list(InboundMessage.objects.values_list("uid", flat=True)) == [uids[0]]
    flags = mailbox.flags()
    # Fetched with BODY.PEEK: the one being read when it stopped is not marked read.
    assert (flags[uids[0]], flags[uids[1]], flags[uids[2]]) == (SEEN, set(), set())

    monkeypatch.undo()
    report = poll_mailbox()
    assert report.stored == 2
    assert sorted(InboundMessage.objects.values_list("uid", flat=True)) == uids
    assert all(f == SEEN for f in mailbox.flags().values())


def test_attachments_are_stored_sealed(mailbox) -> None:
    pdf = b"%PDF-1.4 piece-d-identite-JEANNE-DUPONT"
    mailbox.append(mail_bytes(attachments=(("CNI Jeanne Dupont.pdf", "application/pdf", pdf),)))
    poll_mailbox()
    attachment = InboundAttachment.objects.get()
    assert (attachment.content_type, attachment.size, attachment.position) == (
        "application/pdf",
        len(pdf),
        0,
    )
    for row in _raw_columns("mail_inboundattachment", "name_sealed, content_sealed"):
        blob = b"".join(_as_bytes(v) for v in row)
        assert b"JEANNE" not in blob and b"Jeanne" not in blob and b"PDF" not in blob
    name, kind, content = (
        inbound.open_text(attachment.message_id, "attachment:0:name", attachment.name_sealed),
        attachment.content_type,
        inbound.open_bytes(
            attachment.message_id, "attachment:0:content", attachment.content_sealed
        ),
    )
    assert (name, kind, content) == ("CNI Jeanne Dupont.pdf", "application/pdf", pdf)


def test_a_sealed_value_moved_to_another_message_does_not_open(mailbox) -> None:
    from vigie.lib.crypto import DecryptionError

    mailbox.append(mail_bytes(subject="premier"))
    mailbox.append(mail_bytes(subject="second"))
    poll_mailbox()
    first, second = InboundMessage.objects.order_by("uid")
    with pytest.raises(DecryptionError):
        inbound.open_text(second.pk, "subject", first.subject_sealed)


def test_a_refused_connection_is_a_clear_error_and_leaves_nothing_half_done(
    mailbox, settings, caplog
) -> None:
    mailbox.append(mail_bytes())
    settings.IMAP_PORT = free_port()  # nothing listens there
    with pytest.raises(imap.MailboxUnavailable, match="refused the connection"):
        poll_mailbox()
    assert InboundMessage.objects.count() == 0
    state = MailboxPoll.objects.get()
    assert (state.polling_by, state.last_error) == ("", "MailboxUnavailable")
    assert state.last_success_at is None

    # The server is back (the right port): the next poll reads everything.
    settings.IMAP_PORT = mailbox.server.port
    with caplog.at_level(logging.INFO):
        assert poll_mailbox().stored == 1
    assert MailboxPoll.objects.get().last_error == ""


def test_a_refused_login_says_so_without_the_password(mailbox, settings) -> None:
    settings.IMAP_PASSWORD = "pas-le-bon-mot-de-passe"
    with pytest.raises(imap.MailboxUnavailable) as caught:
        poll_mailbox()
    assert "refused the login" in str(caught.value)
    assert "pas-le-bon" not in str(caught.value)


def test_the_password_may_come_from_a_file(mailbox, settings, tmp_path) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text(mailbox.password + "\n", encoding="utf-8")
    settings.IMAP_PASSWORD = ""
    settings.IMAP_PASSWORD_FILE = str(secret)
    mailbox.append(mail_bytes())
    assert poll_mailbox().stored == 1


def test_with_no_imap_host_nothing_is_read(settings) -> None:
    settings.IMAP_HOST = ""
    with pytest.raises(imap.InboundDisabled):
        poll_mailbox()


def test_a_second_poll_while_one_runs_does_nothing(mailbox) -> None:
    mailbox.append(mail_bytes())
    poll_mailbox()
    mailbox.append(mail_bytes(subject="pendant"))
    # A live process on this host (this test's parent) holds the lease.
    MailboxPoll.objects.update(
        polling_by=f"{socket.gethostname()}:{os.getppid()}",
        polling_since=InboundMessage.objects.get().stored_at,
    )

    MailboxPoll.objects.update(polling_since=timezone.now())
    report = poll_mailbox()
    assert report.busy and report.stored == 0
    assert InboundMessage.objects.count() == 1


def test_the_lease_of_a_killed_poll_is_taken_over(mailbox) -> None:
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    mailbox.append(mail_bytes())
    poll_mailbox()  # creates the row
    MailboxPoll.objects.update(
        polling_by=f"{socket.gethostname()}:{gone.pid}", polling_since=timezone.now()
    )
    mailbox.append(mail_bytes(subject="après"))
    assert poll_mailbox().stored == 1


def test_a_message_stored_under_a_former_uidvalidity_is_not_stored_again(mailbox) -> None:
    mailbox.append(mail_bytes(message_id="<unique-1@exemple.fr>"))
    poll_mailbox()
    # As if the folder had been recreated since: what is stored is under another number.
    InboundMessage.objects.update(uidvalidity=1, flagged_at=None)
    report = poll_mailbox()
    assert (report.stored, report.already_stored) == (0, 1)
    assert InboundMessage.objects.filter(subject_sealed__isnull=False).count() == 1
    assert InboundMessage.objects.filter(handled_by="mail:already-stored").count() == 1


def test_an_html_only_message_keeps_its_text(mailbox) -> None:
    raw = (
        b"From: jeanne.dupont@exemple.fr\r\nSubject: =?utf-8?q?Acc=C3=A8s?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><body><p>Je demande <b>l'effacement</b> de mes donn\xc3\xa9es.</p></body></html>"
    )
    mailbox.append(raw)
    poll_mailbox()
    message = InboundMessage.objects.get()
    assert inbound.open_text(message.pk, "subject", message.subject_sealed) == "Accès"
    text = inbound.open_text(message.pk, "body", message.body_sealed)
    assert "Je demande l'effacement de mes données." in text and "<b>" not in text


def test_a_malformed_message_is_stored_and_does_not_hold_back_the_next(mailbox) -> None:
    # No From, no Date, a broken MIME structure, bytes that are not UTF-8.
    broken = mailbox.append(
        b'Subject: \xff\xfe cass\xe9\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n'
        b"--x\r\nContent-Type: text/plain; charset=unknown-8bit\r\n\r\n\xe9t\xe9\r\n"
    )
    after = mailbox.append(mail_bytes(subject="suivant"))
    assert poll_mailbox().stored == 2
    first = InboundMessage.objects.get(uid=broken)
    assert first.sent_at is None and first.sender_index == ""
    assert inbound.open_text(first.pk, "sender", first.sender_sealed) == ""
    assert InboundMessage.objects.filter(uid=after).exists()
    assert all(f == SEEN for f in mailbox.flags().values())


def test_flagging_never_expunges_what_a_person_marked_deleted(mailbox) -> None:
    kept = mailbox.append(mail_bytes(subject="à garder"), flags="\\Deleted")
    poll_mailbox()
    # Still on the server (imap-tools' flag() would have run EXPUNGE), stored, flagged.
    assert mailbox.flags()[kept] == SEEN | {"\\Deleted"}
    assert InboundMessage.objects.get().uid == kept
