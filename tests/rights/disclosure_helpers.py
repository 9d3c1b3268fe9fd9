"""Shared by the disclosure-log and Art. 19 tests: a register whose two recipients
have a real privacy mailbox, and a person's disclosures to both."""

from __future__ import annotations

import copy
import datetime as dt

from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.register.services import apply_document, current_document

SUBCONTRACTOR = "technical-subcontractors"
COLLECTOR = "debt-collectors"
CONTACTS = {
    SUBCONTRACTOR: "dpo@technicien-partenaire.example",
    COLLECTOR: "rgpd@recouvrement.example",
}
WHEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def give_recipients_a_mailbox() -> None:
    """A new revision of the register: each recipient's privacy contact an address."""
    doc = copy.deepcopy(current_document())
    assert doc is not None
    for entry in doc["recipients"]:
        if entry["key"] in CONTACTS:
            entry["privacy_contact"] = CONTACTS[entry["key"]]
    apply_document(Actor.cli("test"), doc, reason="privacy contacts of the recipients")


def disclose_to_both(person: Person) -> None:
    from vigie.disclosures.services import record_disclosure

    record_disclosure(
        Actor.cli("test"),
        person,
        SUBCONTRACTOR,
        ["identity-contact", "hotline-tickets"],
        WHEN,
        reference="intervention #123",
    )
    record_disclosure(
        Actor.cli("test"),
        person,
        COLLECTOR,
        ["identity-contact", "billing-accounting"],
        WHEN,
        reference="FAC-2026-0042",
    )
