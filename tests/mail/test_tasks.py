"""`vigie worker` delivers the outbox; a job run twice sends one message."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_message
from vigie.mail.tasks import deliver_message, sweep_outbox_task

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


def test_the_outbox_sweep_runs_as_a_job(smtp_server, person, audience) -> None:
    with transaction.atomic():
        queue_message(Actor.cli("test"), person, "newsletter", kind="marketing", purpose="offres")
        sweep_outbox_task.enqueue()
    call_command("worker", "--batch")
    assert Message.objects.get().status == Status.SENT
    assert len(smtp_server.messages) == 1
