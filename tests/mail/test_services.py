"""queue_message, the audience rule and requeue_message."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from tests.mail.conftest import ADDRESS
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.mail import addressing
from vigie.mail.addressing import To
from vigie.mail.models import Message, Status
from vigie.mail.services import InvalidMessage, queue_message, requeue_message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ACTOR = Actor.cli("test")


def test_a_message_and_its_delivery_job_are_created_together(person, audience) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_message(ACTOR, person, "newsletter", kind="marketing", purpose="newsletter")
        raise RuntimeError("the campaign fails")
    assert Message.objects.count() == 0
    assert DBTaskResult.objects.count() == 0

    message = queue_message(ACTOR, person, "newsletter", kind="marketing", purpose="newsletter")
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["args"] == [str(message.pk)]
    assert job.task_path == "vigie.mail.tasks.deliver_message"
    assert message.status == Status.QUEUED
    assert message.message_id == f"<{message.pk.hex}@semi-informatique.com>"
    event = Event.objects.get(action="mail:message:queue")
    assert event.object_id == str(message.pk)
    assert event.extra["person"] == str(person.pk)


def test_marketing_the_audience_rule_refuses_is_recorded_as_refused_and_never_enqueued(
    person, audience
) -> None:
    audience.refuse(person, "OBJECTED")
    message = queue_message(ACTOR, person, "newsletter", kind="marketing", purpose="offres")
    assert (message.status, message.last_error) == (Status.REFUSED, "OBJECTED")
    assert audience.calls == [(person.pk, "offres")]
    assert DBTaskResult.objects.count() == 0
    assert Event.objects.get(action="mail:message:refused").extra["reason"] == "OBJECTED"


@pytest.mark.parametrize(
    ("context", "error"),
    [
        ({"contact": ADDRESS}, "looks like an e-mail address"),
        ({"first_name": "Jeanne"}, "would store personal data"),
        ({"refs": [{"Email": "x"}]}, "would store personal data"),
        ({"amount": 1.5}, "only strings"),
    ],
)
def test_a_context_that_would_store_personal_data_is_refused(
    person, context: dict[str, Any], error: str
) -> None:
    with pytest.raises(InvalidMessage, match=error):
        queue_message(ACTOR, person, "policy_change", kind="service", context=context)
    assert Message.objects.count() == 0


def test_kind_purpose_language_and_template_must_agree(person, audience) -> None:
    with pytest.raises(InvalidMessage, match="needs a purpose"):
        queue_message(ACTOR, person, "newsletter", kind="marketing")
    with pytest.raises(InvalidMessage, match="has no marketing purpose"):
        queue_message(ACTOR, person, "policy_change", kind="service", purpose="newsletter")
    with pytest.raises(InvalidMessage, match="is a marketing template"):
        queue_message(ACTOR, person, "newsletter", kind="service")
    with pytest.raises(InvalidMessage, match="unsupported language"):
        queue_message(ACTOR, person, "policy_change", kind="service", language="de")
    with pytest.raises(InvalidMessage, match="unknown kind"):
        queue_message(ACTOR, person, "policy_change", kind="promo")
    assert Message.objects.count() == 0


def test_without_a_registered_marketing_gate_no_marketing_goes_out(
    person, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the consent app had not registered its gate at start-up.
    monkeypatch.setattr(addressing, "_gate", None)
    assert addressing.marketing_allowed(person.pk, "newsletter") == (
        False,
        "AUDIENCE_CHECK_UNAVAILABLE",
    )
    message = queue_message(ACTOR, person, "newsletter", kind="marketing", purpose="newsletter")
    assert message.status == Status.REFUSED
    assert message.last_error == "AUDIENCE_CHECK_UNAVAILABLE"


def test_only_a_failed_message_can_be_sent_again(person) -> None:
    message = queue_message(ACTOR, person, "policy_change", kind="service", context={"version": 1})
    with pytest.raises(InvalidMessage):
        requeue_message(ACTOR, message)
    Message.objects.filter(pk=message.pk).update(status=Status.FAILED, attempts=8)
    again = requeue_message(ACTOR, message)
    assert (again.status, again.attempts) == (Status.QUEUED, 0)
    assert DBTaskResult.objects.count() == 2
    assert Event.objects.filter(action="mail:message:requeue").count() == 1


def test_the_outbox_table_holds_no_address_or_name_in_clear(person, audience) -> None:
    queue_message(ACTOR, person, "newsletter", kind="marketing", purpose="newsletter")
    queue_message(ACTOR, person, "policy_change", kind="service", context={"version": 2})
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    assert len(rows) == 2
    dump = repr(rows).lower()
    for secret in (ADDRESS.lower(), "exemple.fr", "jeanne", "dupont"):
        assert secret not in dump


def test_the_registered_gate_is_the_consent_domains_audience_check(person) -> None:
    # No consent recorded for this newsletter subscriber: the real check says no,
    # with one of its own reasons (not "unavailable").
    allowed, reason = addressing.marketing_allowed(person.pk, "newsletter")
    assert allowed is False
    assert reason not in ("", "AUDIENCE_CHECK_UNAVAILABLE")


def test_marketing_goes_only_to_a_person(db, audience) -> None:
    from vigie.people.models import Organisation

    client = Organisation.objects.create(name="Client SA", kind="client_company")
    for to in (client, To.recipient("datacenter")):
        with pytest.raises(InvalidMessage, match="only to a person"):
            queue_message(ACTOR, to, "newsletter", kind="marketing", purpose="newsletter")
    assert Message.objects.count() == 0


def test_every_shipped_template_declares_its_kind() -> None:
    """An undeclared template could be queued as marketing or service at will."""
    from pathlib import Path

    from vigie.mail.rendering import CATALOGUE

    folder = Path(__file__).resolve().parents[2] / "vigie" / "mail" / "templates" / "mail"
    shipped = {p.name.split(".")[0] for p in folder.glob("*.txt") if not p.name.startswith("_")}
    assert shipped == set(CATALOGUE)
