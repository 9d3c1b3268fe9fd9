"""An organisation's contact address, where breach, client and processor notices go.

The address may name a person (``prenom.nom@client.fr``), so it is sealed at rest
like a person's fields (R30), under a key derived for this purpose only; it is
opened when a message is sent, never stored in the outbox.

Imports record generic addresses (contact@, info@…) here, not as people
(``record_organisation_contact``, R36).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.lib import crypto, keyring
from vigie.people.models import Organisation

_KEY_PURPOSE = "vigie.people.organisation.contact"


class InvalidContact(ValueError):
    """Not an e-mail address."""


def _aad(organisation_pk: int) -> str:
    return f"organisation:{organisation_pk}:contact_email"


def set_organisation_contact(actor: Actor, organisation: Organisation, address: str) -> None:
    """Record (or clear, with "") the organisation's contact address."""
    address = address.strip()
    if address and (address.count("@") != 1 or address.startswith("@") or address.endswith("@")):
        raise InvalidContact("expected an e-mail address")
    sealed = (
        crypto.seal_text(keyring.derive_key(_KEY_PURPOSE), address, _aad(organisation.pk))
        if address
        else None
    )
    with transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(contact_email_sealed=sealed)
        # The event names the field, never the address.
        record_event(
            actor,
            Action.ORGANISATION_CONTACT_SET,
            organisation,
            extra={"fields": ["contact_email"], "cleared": not address},
        )
    organisation.contact_email_sealed = sealed


def open_organisation_contact(organisation: Organisation) -> str:
    """The contact address in clear ("" when none is recorded)."""
    sealed = organisation.contact_email_sealed
    if not sealed:
        return ""
    return crypto.open_text(keyring.derive_key(_KEY_PURPOSE), bytes(sealed), _aad(organisation.pk))


class ContactOutcome(StrEnum):
    CREATED = "created"
    CONTACT_SET = "contact_set"
    UNCHANGED = "unchanged"
    #: The organisation is known with another contact address: left as it is.
    OTHER_CONTACT = "other_contact"


def record_organisation_contact(
    actor: Actor,
    *,
    name: str,
    kind: str,
    address: str,
    source: str,
    source_name: str = "",
) -> tuple[Organisation, ContactOutcome]:
    """An organisation with this contact address (a generic one: contact@, info@…),
    found by name whatever its case or created. Recording it again changes nothing; an
    organisation known with another contact address keeps it."""
    name, address = name.strip(), address.strip()
    wanted = crypto.normalise_email(address)
    known = list(Organisation.objects.filter(name__iexact=name).order_by("pk"))
    for organisation in known:
        if crypto.normalise_email(open_organisation_contact(organisation)) == wanted:
            return organisation, ContactOutcome.UNCHANGED
    for organisation in known:
        if not organisation.contact_email_sealed:
            set_organisation_contact(actor, organisation, address)
            return organisation, ContactOutcome.CONTACT_SET
    if known:
        return known[0], ContactOutcome.OTHER_CONTACT
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, kind=kind)
        # Where it comes from (R8); the address is in the sealed field, never here.
        record_event(
            actor,
            Action.ORGANISATION_CREATE,
            organisation,
            extra={"kind": kind, "source": source, "source_name": source_name},
        )
        set_organisation_contact(actor, organisation, address)
    return organisation, ContactOutcome.CREATED
