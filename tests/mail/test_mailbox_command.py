"""`vigie mailbox poll`, and a real `vigie worker` killed (SIGKILL) in the middle of
reading the mailbox: restarted, it stores every message exactly once (R78)."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import ROOT, run_vigie
from tests.mail.conftest import mail_bytes
from tests.mail.imap_server import free_port
from vigie.lib.tokens import make_token
from vigie.mail.models import InboundMessage

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


def test_poll_prints_what_it_stored_handled_and_left_to_sort(person, audience, mailbox) -> None:
    mailbox.append(mail_bytes())
    mailbox.append(mail_bytes(subject=make_token(person.pk, "newsletter")))
    out = io.StringIO()
    call_command("mailbox", "poll", stdout=out)
    text = out.getvalue()
    assert "stored:          2" in text
    assert "handled:         1 (consent:mailto-unsubscribe 1)" in text
    assert "left to sort:    1" in text
    out = io.StringIO()
    call_command("mailbox", "poll", stdout=out)
    assert "stored:          0" in out.getvalue()


def test_poll_beside_a_running_reading_does_nothing_and_says_so(mailbox) -> None:
    import socket

    from django.utils import timezone

    from vigie.mail.models import MailboxPoll

    mailbox.append(mail_bytes())
    MailboxPoll.objects.create(
        mailbox=f"{mailbox.user}@{mailbox.server.host}/INBOX",
        polling_by=f"{socket.gethostname()}:{os.getppid()}",
        polling_since=timezone.now(),
    )
    out = io.StringIO()
    call_command("mailbox", "poll", stdout=out)
    assert "another poll is reading it now; nothing done." in out.getvalue()
    assert InboundMessage.objects.count() == 0


def test_poll_fails_with_a_clear_message_when_the_server_refuses(mailbox, settings) -> None:
    settings.IMAP_PORT = free_port()
    with pytest.raises(
        CommandError, match=r"could not be read: IMAP server 127\.0\.0\.1:\d+ refused"
    ):
        call_command("mailbox", "poll")
    assert InboundMessage.objects.count() == 0


def test_poll_without_a_server_says_what_to_set(settings) -> None:
    settings.IMAP_HOST = ""
    with pytest.raises(CommandError, match="VIGIE_IMAP_HOST"):
        call_command("mailbox", "poll")


def test_the_installed_command_exits_non_zero_on_a_refused_connection(tmp_path) -> None:
    env = {
        "VIGIE_VAR_DIR": str(tmp_path),
        "VIGIE_DATABASE_URL": f"sqlite:///{tmp_path / 'vigie.sqlite3'}",
        "VIGIE_IMAP_HOST": "127.0.0.1",
        "VIGIE_IMAP_PORT": str(free_port()),
        "VIGIE_IMAP_SSL": "none",
        "VIGIE_IMAP_USER": "rgpd",
    }
    assert run_vigie("migrate", env=env).returncode == 0
    result = run_vigie("mailbox", "poll", env=env)
    assert result.returncode != 0
    assert "refused the connection" in result.stderr
    assert "Traceback" not in result.stderr


def _count(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        try:
            return int(connection.execute("SELECT count(*) FROM mail_inboundmessage").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def test_a_worker_killed_mid_poll_then_restarted_stores_each_message_once(
    mailbox, tmp_path
) -> None:
    total = 60
    uids = [mailbox.append(mail_bytes(subject=f"Demande n° {n}")) for n in range(total)]
    db = tmp_path / "vigie.sqlite3"
    env = {
        "VIGIE_VAR_DIR": str(tmp_path),
        "VIGIE_DATABASE_URL": f"sqlite:///{db}",
        "VIGIE_KEYS_DATABASE_URL": f"sqlite:///{tmp_path / 'keys.sqlite3'}",
        "VIGIE_IMAP_HOST": mailbox.server.host,
        "VIGIE_IMAP_PORT": str(mailbox.server.port),
        "VIGIE_IMAP_SSL": "none",
        "VIGIE_IMAP_USER": mailbox.user,
        "VIGIE_IMAP_PASSWORD": mailbox.password,
    }
    for database in ("default", "keys"):
        migrated = run_vigie("migrate", "--database", database, env=env)
        assert migrated.returncode == 0, migrated.stderr
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIE_", "DJANGO_"))}
    worker = subprocess.Popen(
        [sys.executable, "-m", "vigie", "worker", "--interval", "0.1"],
        cwd=ROOT,
        env={**clean, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _count(db) < 2 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.01)
        # Killed as by the OOM killer or a power cut: no clean-up runs.
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    stored_before = _count(db)
    assert 2 <= stored_before < total, "the worker was not stopped in the middle of a poll"
    # Never flagged before stored: every message marked read on the server is in the DB.
    with sqlite3.connect(db) as connection:
        in_db = {uid for (uid,) in connection.execute("SELECT uid FROM mail_inboundmessage")}
    seen = {uid for uid, flags in mailbox.flags().items() if "\\Seen" in flags}
    assert seen <= in_db

    # Restarted: its minute sweep finds the reading's process gone and reads again.
    restarted = run_vigie("worker", "--batch", env=env)
    assert restarted.returncode == 0, restarted.stderr
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT uid, state, flagged_at IS NOT NULL FROM mail_inboundmessage ORDER BY uid"
        ).fetchall()
        stored_events = connection.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'mail:inbound:store'"
        ).fetchone()[0]
    assert [uid for uid, _state, _flagged in rows] == uids
    assert {state for _uid, state, _flagged in rows} == {"triage"}
    assert all(flagged for _uid, _state, flagged in rows)
    assert stored_events == total
    assert all("\\Seen" in flags for flags in mailbox.flags().values())
