"""The controller's identity is the register's (issue 9): its fields are checked, and
``current_controller`` follows the current revision."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from vigie.audit.actor import Actor
from vigie.lib.controller import current_controller
from vigie.register.document import validate_document
from vigie.register.services import apply_document


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("privacy_contact", "pas une adresse", "controller.privacy_contact"),
        ("senders", {"service": "ne-pas-repondre"}, "controller.senders.service"),
        ("senders", {"reply_to": "x@y.example"}, "controller.senders.service"),
        (
            "senders",
            {"service": "a@b.example", "reply_to": "Nom <x@y.example>"},
            "controller.senders.reply_to",
        ),
        ("senders", {"service": "a@b.example", "bcc": "x@y.example"}, "controller.senders.bcc"),
        ("email", "info.rgpd", "controller.email"),
    ],
)
def test_a_bad_address_in_the_controller_is_reported_at_its_path(
    register_doc: dict[str, Any], field: str, value: Any, path: str
) -> None:
    register_doc["controller"][field] = value
    assert path in {e.path for e in validate_document(register_doc)}


def test_senders_privacy_contact_and_logo_are_optional(register_doc: dict[str, Any]) -> None:
    for field in ("senders", "privacy_contact", "logo"):
        register_doc["controller"].pop(field, None)
    assert validate_document(register_doc) == []


def test_the_identity_follows_the_current_revision(
    db: None, register_doc: dict[str, Any], cli_actor: Actor
) -> None:
    assert current_controller() is None
    apply_document(cli_actor, copy.deepcopy(register_doc))
    first = current_controller()
    assert first is not None
    assert (first.name, first.privacy_contact) == (
        "SEMI INFORMATIQUE",
        "info.rgpd@semi-informatique.com",
    )
    assert first.sender(marketing=True) == (
        "SEMI INFORMATIQUE <ne-pas-repondre@semi-informatique.com>"
    )
    assert first.authority is not None and first.authority.name == "CNIL"
    changed = copy.deepcopy(register_doc)
    changed["controller"].update(name="Atelier Numérique Dupont", privacy_contact="")
    changed["controller"].pop("senders")
    apply_document(cli_actor, changed)
    second = current_controller()
    assert second is not None and second.name == "Atelier Numérique Dupont"
    # No privacy contact of its own: the controller's address.
    assert second.privacy_contact == "info.rgpd@semi-informatique.com"
    # No sender named: mail will refuse rather than invent one.
    assert second.sender(marketing=False) == ""
