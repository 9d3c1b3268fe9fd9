"""`vigie worker` reads the privacy mailbox every VIGIE_IMAP_POLL_SECONDS: one queued
reading at a time, the next queued by the last, a lost one queued again by the
minute sweep, a reading that cannot reach the server failed cleanly and tried again."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.mail.conftest import mail_bytes
from tests.mail.imap_server import free_port
from vigie.jobs.services import minute_tasks, run_minute_sweeps
from vigie.mail.models import InboundMessage, MailboxPoll
from vigie.mail.polling import keep_mailbox_polled

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

POLL = "vigie.mail.tasks.poll_mailbox_task"


def _polls() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=POLL).order_by("enqueued_at"))


def test_the_minute_sweep_queues_one_reading_however_many_workers_sweep(mailbox) -> None:
    assert "vigie.mail.tasks.keep_mailbox_polled_task" in [t.module_path for t in minute_tasks()]
    run_minute_sweeps()
    run_minute_sweeps()
    assert keep_mailbox_polled() == "queued"
    assert len(_polls()) == 1
    assert MailboxPoll.objects.get().task_id == str(_polls()[0].id)


def test_a_reading_stores_the_mail_and_queues_the_next_one_poll_seconds_later(
    mailbox, settings
) -> None:
    settings.IMAP_POLL_SECONDS = 90
    mailbox.append(mail_bytes())
    keep_mailbox_polled()
    before = timezone.now()
    call_command("worker", "--batch")

    assert InboundMessage.objects.count() == 1
    first, following = _polls()
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value["stored"] == 1
    assert following.status == TaskResultStatus.READY
    assert following.run_after >= before + dt.timedelta(seconds=90)
    state = MailboxPoll.objects.get()
    assert state.task_id == str(following.id) and state.last_success_at is not None
    # The next one is not due: a second batch runs nothing, and the sweep sees it waiting.
    call_command("worker", "--batch")
    assert len(_polls()) == 2
    assert keep_mailbox_polled() == "queued"


def test_a_reading_lost_with_its_job_is_queued_again_when_due(mailbox) -> None:
    keep_mailbox_polled()
    call_command("worker", "--batch")
    DBTaskResult.objects.all().delete()  # the queue was purged
    # Not due yet: the sweep queues it for its due time, not at once.
    assert keep_mailbox_polled() == "enqueued"
    [waiting] = _polls()
    assert waiting.run_after == MailboxPoll.objects.get().next_poll_at


def test_a_reading_whose_worker_was_killed_is_queued_again(mailbox) -> None:
    import os
    import socket
    import subprocess
    import sys

    keep_mailbox_polled()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    # Its worker took it and died (kill -9) while holding the mailbox.
    DBTaskResult.objects.filter(task_path=POLL).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    MailboxPoll.objects.update(
        polling_by=f"{socket.gethostname()}:{gone.pid}", polling_since=timezone.now()
    )
    assert keep_mailbox_polled() == "enqueued"
    # While a live process holds it, it is left alone.
    MailboxPoll.objects.update(polling_by=f"{socket.gethostname()}:{os.getppid()}")
    DBTaskResult.objects.filter(task_path=POLL).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    assert keep_mailbox_polled() == "queued"


def test_a_refused_connection_fails_the_job_cleanly_and_the_next_one_tries_again(
    mailbox, settings, caplog
) -> None:
    mailbox.append(mail_bytes())
    right_port = settings.IMAP_PORT
    settings.IMAP_PORT = free_port()
    keep_mailbox_polled()
    with caplog.at_level(logging.ERROR, logger="vigie.mail.inbound"):
        call_command("worker", "--batch")
    failed, following = _polls()
    assert failed.status == TaskResultStatus.FAILED
    assert "refused the connection" in failed.traceback
    assert following.status == TaskResultStatus.READY
    assert any("privacy mailbox not read" in r.getMessage() for r in caplog.records)
    assert InboundMessage.objects.count() == 0
    assert MailboxPoll.objects.filter(polling_by="").count() == 1

    # The server answers again; the next reading (made due now) stores the message.
    settings.IMAP_PORT = right_port
    DBTaskResult.objects.filter(pk=following.pk).update(run_after=timezone.now())
    call_command("worker", "--batch")
    assert InboundMessage.objects.count() == 1
    assert MailboxPoll.objects.get().last_error == ""


def test_with_no_imap_host_the_worker_reads_nothing(settings) -> None:
    settings.IMAP_HOST = ""
    assert keep_mailbox_polled() == "disabled"
    run_minute_sweeps()
    assert _polls() == []
    assert MailboxPoll.objects.count() == 0
