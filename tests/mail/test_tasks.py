"""`vigie worker` delivers the outbox; a job run twice sends one message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.jobs.services import daily_tasks, minute_tasks, run_minute_sweeps
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_message
from vigie.mail.tasks import deliver_message

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


def test_the_worker_delivers_a_queued_message_once_even_when_its_job_runs_twice(
    smtp_server, person, audience
) -> None:
    with transaction.atomic():
        message = queue_message(
            Actor.cli("test"), person, "newsletter", kind="marketing", purpose="newsletter"
        )
    call_command("worker", "--batch")
    assert len(smtp_server.messages) == 1

    # The same job enqueued again (a replayed campaign step, a second worker).
    with transaction.atomic():
        deliver_message.enqueue(str(message.pk))
        deliver_message.enqueue(str(message.pk))
    call_command("worker", "--batch")
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    jobs = DBTaskResult.objects.filter(task_path="vigie.mail.tasks.deliver_message")
    assert set(jobs.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert [job.return_value for job in jobs] == ["sent", "sent", "sent"]
    assert Event.objects.filter(action="mail:message:sent").count() == 1


def test_every_worker_sweeps_the_outbox_each_minute_not_once_a_day(
    smtp_server, person, audience
) -> None:
    assert "vigie.mail.tasks.sweep_outbox_task" in [t.module_path for t in minute_tasks()]
    assert "vigie.mail.tasks.sweep_outbox_task" not in [t.module_path for t in daily_tasks()]
    with transaction.atomic():
        message = queue_message(
            Actor.cli("test"), person, "newsletter", kind="marketing", purpose="offres"
        )
    # A worker claimed it and stopped before any data went out; its job is gone.
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=timezone.now() - dt.timedelta(minutes=20)
    )
    DBTaskResult.objects.all().delete()
    # Two workers' schedulers, the same minute: one requeue, one job.
    assert "vigie.mail.tasks.sweep_outbox_task" in run_minute_sweeps()
    run_minute_sweeps()
    assert DBTaskResult.objects.filter(task_path="vigie.mail.tasks.deliver_message").count() == 1
    call_command("worker", "--batch")
    assert Message.objects.get().status == Status.SENT
    assert len(smtp_server.messages) == 1


def test_a_failing_minute_sweep_is_logged_and_does_not_stop_the_worker(monkeypatch) -> None:
    from vigie.mail import delivery

    def broken(**kwargs: object) -> dict[str, int]:
        raise RuntimeError("database gone")

    monkeypatch.setattr(delivery, "sweep_outbox", broken)
    # Logged, not raised: the worker keeps running, and so do the other sweeps.
    assert "vigie.mail.tasks.sweep_outbox_task" not in run_minute_sweeps()


def _dead_worker() -> str:
    """The claim mark (host:pid) of a worker process that has ended, as after kill -9."""
    import socket
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}"


def _left_sending(message: Message, *, by: str, transfer_started: bool) -> None:
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING,
        attempts=1,
        claimed_at=now - dt.timedelta(minutes=1),
        claimed_by=by,
        transfer_started_at=now - dt.timedelta(seconds=50) if transfer_started else None,
    )
    DBTaskResult.objects.all().delete()


def test_a_worker_starting_sends_a_message_a_killed_worker_had_not_begun_sending(
    smtp_server, person, audience
) -> None:
    with transaction.atomic():
        message = queue_message(
            Actor.cli("test"), person, "newsletter", kind="marketing", purpose="offres"
        )
    # Killed a minute ago, well within the sending timeout, before any data went out.
    _left_sending(message, by=_dead_worker(), transfer_started=False)
    call_command("worker", "--batch")
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(smtp_server.messages) == 1


def test_a_worker_starting_does_not_resend_what_a_killed_worker_may_have_delivered(
    smtp_server, person, audience
) -> None:
    with transaction.atomic():
        message = queue_message(
            Actor.cli("test"), person, "newsletter", kind="marketing", purpose="offres"
        )
    _left_sending(message, by=_dead_worker(), transfer_started=True)
    call_command("worker", "--batch")
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.delivery_uncertain
    assert smtp_server.messages == []


def test_a_message_claimed_by_a_live_worker_is_left_to_it(smtp_server, person, audience) -> None:
    import os
    import socket

    with transaction.atomic():
        message = queue_message(
            Actor.cli("test"), person, "newsletter", kind="marketing", purpose="offres"
        )
    # This very process (alive) claimed it a minute ago: not the sweep's.
    _left_sending(message, by=f"{socket.gethostname()}:{os.getppid()}", transfer_started=False)
    run_minute_sweeps()
    message.refresh_from_db()
    assert message.status == Status.SENDING
    assert smtp_server.messages == []
