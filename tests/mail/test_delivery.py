"""Delivery through a real SMTP server: one-click headers, DKIM, audience at send time,
retries with back-off, and never a second copy."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from typing import Any
from urllib.parse import quote

import dkim
import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from tests.mail.conftest import ADDRESS, SITE
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.lib.tokens import LinkToken, read_token
from vigie.mail import delivery
from vigie.mail.models import Message, Status
from vigie.mail.rendering import RIGHT_TO_OBJECT
from vigie.mail.services import UnconfirmedRetry, queue_message, requeue_message
from vigie.mail.tasks import deliver_message
from vigie.people.services import shred_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ACTOR = Actor.cli("test")


def _newsletter(person: Any, language: str = "fr") -> Message:
    return queue_message(
        ACTOR, person, "newsletter", kind="marketing", purpose="newsletter", language=language
    )


def _notice(person: Any) -> Message:
    return queue_message(ACTOR, person, "policy_change", kind="service", context={"version": 1})


def _run(message: Message) -> str:
    result = deliver_message.call(str(message.pk))
    message.refresh_from_db()
    return result


def _list_unsubscribe(parsed: Any) -> tuple[str, str]:
    match = re.fullmatch(r"<(https://[^>]+)>, <(mailto:[^>]+)>", str(parsed["List-Unsubscribe"]))
    assert match, parsed["List-Unsubscribe"]
    return match[1], match[2]


def _signature_tags(raw: bytes) -> dict[str, str]:
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    value = re.sub(r"\s+", "", str(parsed["DKIM-Signature"]))
    return dict(tag.split("=", 1) for tag in value.split(";") if tag)


def test_a_captured_marketing_message_has_both_one_click_headers_under_a_valid_dkim_signature(
    smtp_server, dkim_dns, person, audience
) -> None:
    message = _newsletter(person)
    assert _run(message) == Status.SENT

    [captured] = smtp_server.messages
    assert captured.rcpt_tos == [ADDRESS]
    assert captured.mail_from == "ne-pas-repondre@semi-informatique.com"
    # On the wire the header is the plain URLs (RFC 2369), not an RFC 2047 encoded word:
    # mail clients read it as is.
    assert f"\nList-Unsubscribe: <{SITE}/u/".encode() in captured.raw
    one_click = re.search(rb"\nList-Unsubscribe: [^\r\n]*", captured.raw)
    assert one_click is not None and b"=?" not in one_click[0]
    parsed = email.message_from_bytes(captured.raw, policy=email.policy.default)
    https, mailto = _list_unsubscribe(parsed)
    token = https.removeprefix(f"{SITE}/u/")
    assert mailto == f"mailto:desabonnement@semi-informatique.com?subject={quote(token, safe='')}"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The token is opaque: it names the person by a random id, not by address.
    assert ADDRESS.lower() not in parsed["List-Unsubscribe"].lower()
    assert read_token(token) == LinkToken(person.pk, "newsletter")

    assert dkim.verify(captured.raw, dnsfunc=dkim_dns)
    tags = _signature_tags(captured.raw)
    signed = tags["h"].lower().split(":")
    for header in ("from", "to", "subject", "date", "message-id"):
        assert header in signed
    assert signed.count("list-unsubscribe") == 2  # covered, and over-signed
    assert signed.count("list-unsubscribe-post") == 2
    assert (tags["d"], tags["s"], tags["c"]) == (
        "semi-informatique.com",
        "vigie2026",
        "relaxed/relaxed",
    )

    assert parsed["Message-ID"] == message.message_id
    assert message.sent_at is not None and message.attempts == 1
    sent = Event.objects.get(action="mail:message:sent")
    assert sent.extra["message_id"] == message.message_id


def test_the_signature_breaks_if_the_unsubscribe_headers_are_changed_or_added(
    smtp_server, dkim_dns, person, audience
) -> None:
    _run(_newsletter(person))
    raw = smtp_server.messages[0].raw
    assert dkim.verify(raw, dnsfunc=dkim_dns)
    redirected = raw.replace(b"https://vigie.example/u/", b"https://evil.example/u/")
    assert redirected != raw
    assert not dkim.verify(redirected, dnsfunc=dkim_dns)
    head, _sep, body = raw.partition(b"\r\n\r\n")
    added = head + b"\r\nList-Unsubscribe: <https://evil.example/u/x>\r\n\r\n" + body
    assert not dkim.verify(added, dnsfunc=dkim_dns)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_marketing_message_has_text_and_html_parts_with_the_r37_elements(
    smtp_server, person, audience, language: str
) -> None:
    _run(_newsletter(person, language))
    parsed = email.message_from_bytes(smtp_server.messages[0].raw, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert "DKIM-Signature" not in parsed  # no key configured: no signature
    text_part, html_part = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    link, _mailto = _list_unsubscribe(parsed)
    assert read_token(link.removeprefix(f"{SITE}/u/")).person_id == person.pk
    for body in (text, html):
        assert "SEMI INFORMATIQUE" in body
        assert "825 Rue André Ampère, 13290 Aix-en-Provence" in body
        assert link in body
        assert RIGHT_TO_OBJECT[language] in body.replace("&#x27;", "'")
        assert "Jeanne" in body


def test_service_mail_reaches_a_person_who_objected_while_marketing_is_refused(
    smtp_server, person, audience, published
) -> None:
    published("Nouvelle finalité")
    audience.refuse(person, "OBJECTED")
    marketing = _newsletter(person)
    notice = _notice(person)
    assert _run(notice) == Status.SENT
    assert (marketing.status, marketing.last_error) == (Status.REFUSED, "OBJECTED")
    [captured] = smtp_server.messages
    parsed = email.message_from_bytes(captured.raw, policy=email.policy.default)
    assert parsed["Subject"] == (
        "Modification de notre politique de protection des données personnelles"
    )
    assert "List-Unsubscribe" not in parsed
    assert captured.rcpt_tos == [ADDRESS]


def test_the_audience_rule_is_checked_again_at_send_time(smtp_server, person, audience) -> None:
    message = _newsletter(person)
    # The person objects between the campaign and the worker's turn.
    audience.refuse(person, "SUPPRESSED")
    assert _run(message) == Status.REFUSED
    assert message.last_error == "SUPPRESSED"
    assert smtp_server.messages == []
    assert audience.calls == [(person.pk, "newsletter"), (person.pk, "newsletter")]
    assert Event.objects.get(action="mail:message:refused").extra["reason"] == "SUPPRESSED"


def test_an_smtp_failure_is_retried_with_exponential_back_off(
    settings, person, audience, smtp_server
) -> None:
    message = _newsletter(person)
    smtp_server.stop()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _run(message) == "retry"
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.next_attempt_at == start + dt.timedelta(seconds=60)
    assert message.last_error
    retry_job = DBTaskResult.objects.exclude(run_after=get_date_max()).get()
    assert retry_job.run_after == message.next_attempt_at
    # Too early: the task does nothing.
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert _run(message) == "not due"
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert _run(message) == "retry"
    assert message.attempts == 2
    assert message.next_attempt_at == start + dt.timedelta(seconds=61 + 120)

    smtp_server.start()
    with time_machine.travel(start + dt.timedelta(seconds=200), tick=False):
        assert _run(message) == Status.SENT
    assert message.attempts == 3
    assert len(smtp_server.messages) == 1
    assert Event.objects.filter(action="mail:message:retry").count() == 2


def test_it_gives_up_after_the_last_attempt(settings, person, audience) -> None:
    settings.MAIL_MAX_ATTEMPTS = 2
    message = _newsletter(person)
    assert _run(message) == "retry"
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert _run(message) == Status.FAILED
    assert message.last_error.startswith("gave up after 2 attempts")


def test_a_permanent_rejection_fails_and_the_outbox_keeps_no_address(
    smtp_server, person, audience
) -> None:
    smtp_server.rcpt_reply = "550 5.1.1 <{address}>: Recipient address rejected"
    message = _newsletter(person)
    assert _run(message) == Status.FAILED
    assert message.last_error == ("550 RCPT TO: 5.1.1 <<address>>: Recipient address rejected")
    assert "exemple.fr" not in repr(Message.objects.values().get()).lower()
    assert "exemple.fr" not in repr(list(Event.objects.values("extra"))).lower()


def test_a_message_to_a_shredded_person_is_refused(smtp_server, person) -> None:
    message = _notice(person)
    shred_person(ACTOR, person)
    assert _run(message) == Status.REFUSED
    assert message.last_error == "PERSON_ERASED"
    assert smtp_server.messages == []


def test_a_worker_that_stopped_before_the_transfer_is_simply_retried(
    smtp_server, person, audience
) -> None:
    message = _newsletter(person)
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert _run(message) == Status.SENT
    assert len(smtp_server.messages) == 1
    assert message.attempts == 2


def test_a_claim_that_is_still_fresh_is_left_to_its_worker(smtp_server, person, audience) -> None:
    message = _newsletter(person)
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=timezone.now()
    )
    assert _run(message) == "in progress"
    assert smtp_server.messages == []


class Crash(BaseException):
    """The worker process dies: nothing after this line runs."""


def test_a_crash_between_send_and_record_never_sends_twice(
    smtp_server, person, audience, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _newsletter(person)

    def die(message: Message) -> str:
        raise Crash

    with monkeypatch.context() as patch, pytest.raises(Crash):
        patch.setattr(delivery, "_record_sent", die)
        _run(message)
    message.refresh_from_db()
    assert message.status == Status.SENDING
    assert message.transfer_started_at is not None
    assert len(smtp_server.messages) == 1

    # The same task again, at once (duplicate job) and after the claim timed out.
    assert _run(message) == "in progress"
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        assert _run(message) == Status.FAILED
        assert _run(message) == Status.FAILED
    assert len(smtp_server.messages) == 1
    assert message.last_error.startswith("UNCERTAIN_DELIVERY")
    assert message.message_id in message.last_error

    # Sent again only once someone says they checked the server's log.
    with pytest.raises(UnconfirmedRetry, match="may already have been delivered"):
        requeue_message(ACTOR, message)
    assert Message.objects.get(pk=message.pk).status == Status.FAILED
    requeue_message(ACTOR, message, checked_server_log=True)
    assert Event.objects.get(action="mail:message:requeue").extra["checked_server_log"] is True
    assert _run(message) == Status.SENT
    assert len(smtp_server.messages) == 2


def test_the_sweep_reconciles_rows_left_sending_and_requeues_lost_retries(
    smtp_server, person, audience
) -> None:
    stale, lost = _newsletter(person), _newsletter(person)
    long_ago = timezone.now() - dt.timedelta(hours=2)
    Message.objects.filter(pk=stale.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=long_ago
    )
    Message.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    DBTaskResult.objects.all().delete()
    assert delivery.sweep_outbox() == {"reconciled": 1, "requeued": 1}
    # The sweep sends nothing itself: both rows are queued again, each with its job.
    stale.refresh_from_db()
    assert stale.status == Status.QUEUED
    jobs = sorted(job.args_kwargs["args"][0] for job in DBTaskResult.objects.all())
    assert jobs == sorted([str(stale.pk), str(lost.pk)])
    assert smtp_server.messages == []
    # A second sweep, at once or by another worker, finds nothing more to do.
    assert delivery.sweep_outbox() == {"reconciled": 0, "requeued": 0}
    assert DBTaskResult.objects.count() == 2
    assert delivery.deliver(stale.pk) == Status.SENT


def test_a_notice_that_cannot_be_rendered_fails_instead_of_staying_half_sent(
    smtp_server, person
) -> None:
    message = _notice(person)  # refers to policy v1, which was never published
    assert _run(message) == Status.FAILED
    assert message.last_error.startswith("RENDER: policy version 1 is not published")
    assert smtp_server.messages == []


def test_an_unreadable_dkim_key_holds_the_message_back_for_a_retry(
    settings, smtp_server, person, audience, tmp_path
) -> None:
    settings.DKIM_PRIVATE_KEY_PATH = str(tmp_path / "missing.pem")
    settings.DKIM_SELECTOR, settings.DKIM_DOMAIN = "vigie2026", "semi-informatique.com"
    message = _newsletter(person)
    assert _run(message) == "retry"
    assert message.last_error.startswith("DKIM key")
    assert smtp_server.messages == []
