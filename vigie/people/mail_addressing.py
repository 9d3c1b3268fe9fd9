"""How mail reaches a person or an organisation: their address is opened here, at send
time, from the sealed fields (R30). Registered with mail by ``PeopleConfig.ready``;
mail itself never imports this app."""

from __future__ import annotations

import uuid

from vigie.mail.addressing import Address, Unreachable
from vigie.people.models import Organisation, Person
from vigie.people.organisations import open_organisation_contact
from vigie.people.services import PersonUnavailable, open_person


def person_address(ref: str) -> Address:
    person = Person.objects.filter(pk=uuid.UUID(ref)).first()
    if person is None:
        raise Unreachable("PERSON_ERASED")
    try:
        data = open_person(person)
    except PersonUnavailable:
        # Crypto-shredded: the key is gone, so is the address (Art. 17).
        raise Unreachable("PERSON_ERASED") from None
    if person.shredded_at or not data.email:
        raise Unreachable("NO_ADDRESS")
    return Address(email=data.email, first_name=data.first_name, last_name=data.last_name)


def organisation_address(ref: str) -> Address:
    organisation = Organisation.objects.filter(pk=int(ref)).first()
    if organisation is None:
        raise Unreachable("ORGANISATION_GONE")
    address = open_organisation_contact(organisation)
    if not address:
        raise Unreachable("NO_ADDRESS")
    return Address(email=address, name=organisation.name)
