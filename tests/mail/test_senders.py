"""Each kind of mail has its own sender (VIGIE_MAIL_FROM_MARKETING,
VIGIE_MAIL_FROM_SERVICE, else the register's controller.senders); the privacy address
is the Reply-To of rights letters only, never of marketing."""

from __future__ import annotations

import email
import email.policy
from email.utils import getaddresses
from typing import Any

import pytest

from tests.policy.conftest import change_register  # noqa: F401 (fixture)
from vigie.audit.actor import Actor
from vigie.lib.controller import current_controller
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_message
from vigie.mail.tasks import deliver_message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ACTOR = Actor.cli("test")


def _sent(smtp_server: Any, message: Message) -> Any:
    deliver_message.call(str(message.pk))
    message.refresh_from_db()
    assert message.status == Status.SENT, message.last_error
    return email.message_from_bytes(smtp_server.messages[-1].raw, policy=email.policy.default)


def _addresses(parsed: Any, header: str) -> set[str]:
    return {address.lower() for _name, address in getaddresses(parsed.get_all(header) or [])}


def _newsletter(person: Any) -> Message:
    return queue_message(ACTOR, person, "newsletter", kind="marketing", purpose="newsletter")


def test_a_marketing_message_is_neither_from_nor_answered_to_the_privacy_mailbox(
    smtp_server, person, audience
) -> None:
    controller = current_controller()
    assert controller is not None
    privacy = {controller.privacy_contact.lower(), controller.reply_to.lower()} - {""}
    parsed = _sent(smtp_server, _newsletter(person))
    assert _addresses(parsed, "From") == {"ne-pas-repondre@semi-informatique.com"}
    assert not (_addresses(parsed, "From") | _addresses(parsed, "Reply-To")) & privacy
    confirmation = queue_message(
        ACTOR, person, "preferences_link", kind="service", context={"person": str(person.pk)}
    )
    assert not _addresses(_sent(smtp_server, confirmation), "Reply-To") & privacy


def test_a_rights_letter_has_the_privacy_address_as_reply_to(
    smtp_server, person, published
) -> None:
    version = published("Nouvelle finalité")
    notice = queue_message(
        ACTOR, person, "policy_change", kind="service", context={"version": version.number}
    )
    parsed = _sent(smtp_server, notice)
    assert _addresses(parsed, "Reply-To") == {"info.rgpd@semi-informatique.com"}


def test_each_kind_uses_the_sender_set_for_it(smtp_server, person, audience, settings) -> None:
    settings.MAIL_FROM_MARKETING = "Lettre SEMI <lettre@semi-informatique.com>"
    settings.MAIL_FROM_SERVICE = "service@semi-informatique.com"
    marketing = _sent(smtp_server, _newsletter(person))
    assert marketing["From"] == "Lettre SEMI <lettre@semi-informatique.com>"
    assert smtp_server.messages[-1].mail_from == "lettre@semi-informatique.com"
    service = queue_message(
        ACTOR, person, "preferences_link", kind="service", context={"person": str(person.pk)}
    )
    parsed = _sent(smtp_server, service)
    assert parsed["From"] == "SEMI INFORMATIQUE <service@semi-informatique.com>"
    assert smtp_server.messages[-1].mail_from == "service@semi-informatique.com"


@pytest.mark.parametrize("setting", ["", "info.rgpd@semi-informatique.com"])
def test_marketing_is_held_rather_than_sent_from_the_privacy_mailbox(
    smtp_server,
    person,
    audience,
    settings,
    register,
    change_register,  # noqa: F811 (fixture)
    setting,
) -> None:
    """Whether set so, or by the register's fallback to the service sender: the message is
    held, failed with a reason that says what to set, and nothing reaches the server."""
    settings.MAIL_FROM_MARKETING = setting
    if not setting:
        register["controller"]["senders"] = {
            "service": "SEMI INFORMATIQUE <info.rgpd@semi-informatique.com>"
        }
        change_register(register)
    message = _newsletter(person)
    deliver_message.call(str(message.pk))
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "privacy" in message.last_error and "MARKETING" in message.last_error
    assert smtp_server.messages == []
