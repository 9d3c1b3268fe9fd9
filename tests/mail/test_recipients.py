"""Mail to organisations and register recipients, the bulk path, the sender taken from
the register, and one message of each kind through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.mail.conftest import ADDRESS
from tests.policy.conftest import change_register  # noqa: F401 (fixture)
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.lib import controller as controller_module
from vigie.lib.tokens import make_token, read_token
from vigie.mail.addressing import To
from vigie.mail.models import Message, Status
from vigie.mail.rendering import RIGHTS_LETTERS
from vigie.mail.services import DELIVERY_CHUNK, queue_message, queue_messages, requeue_message
from vigie.mail.tasks import deliver_message, deliver_messages
from vigie.people.models import Organisation
from vigie.people.organisations import open_organisation_contact, set_organisation_contact
from vigie.people.services import create_person
from vigie.register.services import load_file

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ACTOR = Actor.cli("test")
DUPONT = Path(__file__).parents[1] / "register" / "atelier-numerique-dupont.yaml"
CLIENT_CONTACT = "securite@client-durand.example"


@pytest.fixture
def dupont(cli_actor: Actor) -> None:
    """Another company's register, loaded over the test one: mail follows the current."""
    load_file(cli_actor, DUPONT)


@pytest.fixture
def organisation(db: None) -> Organisation:
    client = Organisation.objects.create(name="Cabinet Durand", kind="client_company")
    set_organisation_contact(ACTOR, client, CLIENT_CONTACT)
    return client


def _run(message: Message) -> str:
    result = deliver_message.call(str(message.pk))
    message.refresh_from_db()
    return result


def _parsed(raw: bytes) -> Any:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_an_organisation_contact_is_sealed_and_opened_only_to_send(organisation) -> None:
    table = connection.ops.quote_name(Organisation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        dump = repr(cursor.fetchall()).lower()
    assert "client-durand" not in dump
    organisation.refresh_from_db()
    assert open_organisation_contact(organisation) == CLIENT_CONTACT
    event = Event.objects.get(action="people:organisation:contact")
    assert CLIENT_CONTACT not in repr(event.extra)


def test_a_notice_reaches_an_organisations_contact(smtp_server, organisation, dupont) -> None:
    message = queue_message(ACTOR, organisation, "policy_change", kind="service", context={})
    assert (message.person_id, message.organisation_id) == (None, organisation.pk)
    assert Event.objects.get(action="mail:message:queue").extra["organisation"] == str(
        organisation.pk
    )
    # The version is unpublished: the notice cannot be rendered, which says so.
    assert _run(message) == Status.FAILED and message.last_error.startswith("RENDER")
    message = queue_message(ACTOR, organisation, "plain_notice", kind="service")
    assert _run(message) == Status.SENT
    [captured] = smtp_server.messages
    assert captured.rcpt_tos == [CLIENT_CONTACT]
    assert captured.mail_from == "notifications@atelier-dupont.example"


def test_a_notice_reaches_a_register_recipients_privacy_contact(smtp_server, dupont) -> None:
    message = queue_message(ACTOR, To.recipient("datacenter"), "plain_notice", kind="service")
    assert message.recipient_key == "datacenter"
    assert _run(message) == Status.SENT
    [captured] = smtp_server.messages
    # The privacy_contact of the recipient "datacenter" in the current register.
    assert captured.rcpt_tos == ["dpo@hebergeur.example"]


def test_unreachable_recipients_are_refused_with_a_reason(smtp_server, db) -> None:
    nobody = queue_message(ACTOR, To.recipient("gone"), "plain_notice", kind="service")
    assert _run(nobody) == Status.REFUSED
    assert nobody.last_error == "RECIPIENT_NOT_IN_REGISTER"
    silent = Organisation.objects.create(name="Sans contact", kind="supplier")
    message = queue_message(ACTOR, silent, "plain_notice", kind="service")
    assert _run(message) == Status.REFUSED
    assert message.last_error == "NO_ADDRESS"
    assert smtp_server.messages == []


def test_without_a_register_mail_is_held_back_then_sent_once_one_is_loaded(
    smtp_server, person, monkeypatch: pytest.MonkeyPatch, dupont
) -> None:
    message = queue_message(ACTOR, person, "plain_notice", kind="service")
    provider = controller_module._provider
    monkeypatch.setattr(controller_module, "_provider", lambda: None)
    assert _run(message) == Status.FAILED
    assert message.last_error == "NO_SENDER: no register is loaded"
    assert smtp_server.messages == []
    monkeypatch.setattr(controller_module, "_provider", provider)
    requeue_message(ACTOR, message)
    assert _run(message) == Status.SENT
    assert len(smtp_server.messages) == 1


def test_many_messages_are_queued_in_one_transaction_with_one_audit_event(
    organisation, django_assert_max_num_queries
) -> None:
    people = [
        create_person(
            ACTOR,
            email=f"contact{n}@client.example",
            first_name="Contact",
            last_name=str(n),
            subject_types=["client_contact_B2B"],
        )
        for n in range(DELIVERY_CHUNK + 20)
    ]
    recipients: list[Any] = [*people, organisation, To.recipient("datacenter")]
    events_before = Event.objects.count()
    # No query per recipient: one register read, the inserts (batched: SQLite binds at
    # most 999 parameters per statement, about 60 rows), one audit event, one delivery
    # job per chunk of DELIVERY_CHUNK.
    with django_assert_max_num_queries(10 + len(recipients) // 40):
        messages = queue_messages(ACTOR, recipients, "plain_notice", kind="service")
    assert len(messages) == Message.objects.count() == len(recipients)
    assert Event.objects.count() == events_before + 1
    event = Event.objects.get(action="mail:batch:queue")
    assert event.extra["count"] == len(recipients)
    assert event.extra["recipients"] == {
        "person": len(people),
        "organisation": 1,
        "recipient": 1,
    }
    assert "@" not in repr(event.extra)
    jobs = DBTaskResult.objects.filter(task_path="vigie.mail.tasks.deliver_messages")
    assert jobs.count() == 2
    assert sorted(len(job.args_kwargs["args"][0]) for job in jobs) == [
        len(recipients) - DELIVERY_CHUNK,
        DELIVERY_CHUNK,
    ]


def test_a_bulk_campaign_asks_the_gate_once_and_keeps_the_refusals(person, audience) -> None:
    stranger = create_person(
        ACTOR, email="inconnu@exemple.fr", first_name="In", last_name="Connu", subject_types=[]
    )
    messages = queue_messages(
        ACTOR, [person, stranger], "newsletter", kind="marketing", purpose="newsletter"
    )
    assert [m.status for m in messages] == [Status.QUEUED, Status.REFUSED]
    # No consent from the stranger: the real gate's own reason.
    assert messages[1].last_error == "NO_LEGAL_BASIS"
    assert audience.calls == [(person.pk, "newsletter"), (stranger.pk, "newsletter")]
    [job] = DBTaskResult.objects.filter(task_path="vigie.mail.tasks.deliver_messages")
    assert job.args_kwargs["args"] == [[str(messages[0].pk)]]


def test_a_link_sent_with_the_former_purpose_key_still_works(person) -> None:
    from django.core import signing

    from vigie.lib.tokens import SALT

    # What a link sent before the rename carried (issue 9: offres_semi → offres).
    old = signing.dumps([person.pk.hex, "offres_semi"], salt=SALT, compress=True)
    assert read_token(old).purpose == "offres"
    assert read_token(make_token(person.pk, "offres")).purpose == "offres"


def test_one_message_of_each_kind_goes_out_under_the_registers_identity(
    smtp_server, person, audience, organisation, dupont, cli_actor, published
) -> None:
    version = published("Nouveau sous-traitant")
    # A real double opt-in request: its confirmation names the purpose asked for.
    from vigie.consent.models import ConsentEvent
    from vigie.consent.services import start_double_opt_in, subject_actor

    newcomer = create_person(ACTOR, email="nouveau@exemple.fr", subject_types=["prospect_B2C"])
    start_double_opt_in(subject_actor(), newcomer, "newsletter", wording="J'accepte.")
    pending = ConsentEvent.objects.get(person=newcomer, kind="pending").pk
    sent = [
        queue_message(ACTOR, person, "newsletter", kind="marketing", purpose="newsletter"),
        queue_message(ACTOR, person, "policy_change", kind="service", context={"version": 1}),
        queue_message(
            ACTOR,
            person,
            "newsletter_confirmation",
            kind="service",
            # The pending event's id: the link is made at render time (consent).
            context={"pending": pending},
            language="en",
        ),
        queue_message(ACTOR, person, "plain_notice", kind="service"),
        queue_message(
            ACTOR,
            organisation,
            "policy_change",
            kind="service",
            context={"version": version.number},
        ),
        queue_message(ACTOR, To.recipient("datacenter"), "plain_notice", kind="service"),
    ]
    deliver_messages.call([str(m.pk) for m in sent])
    assert [Message.objects.get(pk=m.pk).status for m in sent] == [Status.SENT] * len(sent)
    assert len(smtp_server.messages) == len(sent)
    template_of = {m.message_id: m.template for m in sent}
    for captured in smtp_server.messages:
        parsed = _parsed(captured.raw)
        text = parsed.get_body(("plain",)).get_content()
        html = parsed.get_body(("html",)).get_content()
        # The privacy address answers rights letters only, never marketing (issue 10).
        if template_of[parsed["Message-ID"]] in RIGHTS_LETTERS:
            assert parsed["Reply-To"] == "donnees.personnelles@atelier-dupont.example"
        else:
            assert parsed["Reply-To"] is None
        for body in (text, html):
            assert "Atelier Numérique Dupont" in body
            assert "12 Quai des Chartrons, 33000 Bordeaux" in body
            assert "SEMI" not in body and "semi-informatique" not in body
    newsletter = _parsed(smtp_server.messages[0].raw)
    assert newsletter["From"] == "Atelier Numérique Dupont <lettre@atelier-dupont.example>"
    assert smtp_server.messages[0].mail_from == "lettre@atelier-dupont.example"
    assert "mailto:desinscription@atelier-dupont.example" in newsletter["List-Unsubscribe"]
    notice = _parsed(smtp_server.messages[1].raw)
    assert notice["From"] == "Atelier Numérique Dupont <notifications@atelier-dupont.example>"
    assert smtp_server.messages[1].rcpt_tos == [ADDRESS]
    assert smtp_server.messages[4].rcpt_tos == [CLIENT_CONTACT]
    assert smtp_server.messages[5].rcpt_tos == ["dpo@hebergeur.example"]
    # Message-IDs at the register's sender domain (no personal data in them).
    assert all(m.message_id.endswith("@atelier-dupont.example>") for m in sent)


def test_the_envelope_sender_can_be_overridden_for_deliverability_only(
    settings, smtp_server, person, dupont
) -> None:
    settings.MAIL_FROM = "bounces@relais.example"
    message = queue_message(ACTOR, person, "plain_notice", kind="service")
    assert _run(message) == Status.SENT
    [captured] = smtp_server.messages
    assert captured.mail_from == "bounces@relais.example"
    assert _parsed(captured.raw)["From"] == (
        "Atelier Numérique Dupont <notifications@atelier-dupont.example>"
    )
    assert message.message_id == f"<{uuid.UUID(str(message.pk)).hex}@relais.example>"


def test_a_register_without_senders_sends_nothing(
    smtp_server,
    person,
    register,
    change_register,  # noqa: F811 (fixture)
) -> None:
    register["controller"].pop("senders")
    change_register(register)
    message = queue_message(ACTOR, person, "plain_notice", kind="service")
    assert _run(message) == Status.FAILED
    assert message.last_error == "NO_SENDER: the register's controller.senders.service is not set"
    assert smtp_server.messages == []
