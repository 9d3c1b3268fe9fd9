"""Rights cases: the shipped register loaded (it names the CNIL), a person on file, a
real SMTP server to read the letters in, and the staff personas."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.mail.conftest import SmtpSink, _free_port, imap_server, mailbox  # noqa: F401 (fixtures: the privacy mailbox)
from vigie.audit.actor import Actor
from vigie.mail.delivery import deliver
from vigie.mail.models import Message, Status
from vigie.people.models import Person
from vigie.people.services import create_person
from vigie.register.services import load_file

SEMI = Path(__file__).parents[2] / "policies" / "semi-informatique.yaml"
ON_FILE = "claire.martin@client.example"


@pytest.fixture
def shipped_register(cli_actor: Actor) -> None:
    load_file(cli_actor, SEMI)


@pytest.fixture(autouse=True)
def _mail(settings: Any, shipped_register: None) -> None:
    settings.SITE_URL = "https://vigie.example"
    settings.SMTP_HOST = "127.0.0.1"
    settings.SMTP_PORT = _free_port()
    settings.SMTP_TLS = "none"
    settings.SMTP_TIMEOUT_SECONDS = 5
    settings.DKIM_DOMAIN = ""
    settings.DKIM_PRIVATE_KEY_PATH = ""


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpSink]:
    sink = SmtpSink(port=settings.SMTP_PORT)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def claire(cli_actor: Actor) -> Person:
    return create_person(
        cli_actor,
        email=ON_FILE,
        first_name="Claire",
        last_name="Martin",
        subject_types=["client_contact_B2B"],
    )


def deliver_all() -> None:
    """What the worker does: every queued message handed to the SMTP server."""
    for pk in Message.objects.filter(status=Status.QUEUED).values_list("pk", flat=True):
        deliver(pk)


def received(sink: SmtpSink) -> list[tuple[str, str, str]]:
    """(to, subject, text body) of each message the server accepted."""
    out = []
    for captured in sink.messages:
        parsed = email.message_from_bytes(captured.raw, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        out.append(
            (captured.rcpt_tos[0], str(parsed["Subject"]), body.get_content() if body else "")
        )
    return out


def run_portal_jobs() -> int:
    """What the worker does with the portal's hand-offs: the request form's scheduled
    calls and the sign-in links' jobs, run here; return how many ran."""
    from django_tasks_db.models import DBTaskResult

    from vigie.jobs.models import ScheduledCall
    from vigie.jobs.tasks import run_scheduled_call
    from vigie.rights.portal import complete_portal_request
    from vigie.rights.space import send_sign_in_link

    runner = f"{run_scheduled_call.func.__module__}.{run_scheduled_call.func.__qualname__}"
    requests = set(
        ScheduledCall.objects.filter(task_path=complete_portal_request.module_path).values_list(
            "pk", flat=True
        )
    )
    ran = 0
    for job in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        args = job.args_kwargs["args"]
        if job.task_path == runner and args[0] in requests:
            run_scheduled_call.call(args[0])
        elif job.task_path == send_sign_in_link.module_path:
            send_sign_in_link.call(*args)
        else:
            continue
        job.status = "SUCCESSFUL"
        job.save(update_fields=["status"])
        ran += 1
    return ran


def strip_csrf(body: bytes) -> str:
    """A page's HTML without its CSRF token (the one part that differs per client)."""
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())
