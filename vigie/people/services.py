"""Create, read, find and crypto-shred people; rotate the master key (R30, Art. 17).

A person's data key is created first, in the key store; the person's sealed row
follows in the main database with its audit event. A crash in between leaves at
most an unused key, never data that nothing can open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event, record_read
from vigie.lib import crypto, keyring
from vigie.lib.legal_calendar import add_months
from vigie.people.models import Organisation, Person, PersonKey, Source, SubjectType
from vigie.people.routers import KEYS_DB


class PersonUnavailable(LookupError):
    """The person's key was destroyed (shredded) or is missing."""


@dataclass(frozen=True)
class PersonData:
    email: str
    first_name: str
    last_name: str
    phone: str


def _aad(person_id: uuid.UUID, field: str) -> str:
    return f"people.person:{person_id}:{field}"


def _wrap_aad(person_id: uuid.UUID) -> str:
    return f"people.personkey:{person_id}"


def _data_key(person_id: uuid.UUID) -> bytes:
    stored = PersonKey.objects.filter(person_id=person_id).first()
    if stored is None:
        raise PersonUnavailable(f"no data key for person {person_id} (shredded)")
    master = keyring.find_master(stored.master_key_id)
    return crypto.open_sealed(master.secret, bytes(stored.wrapped), _wrap_aad(person_id))


def email_index(address: str) -> str:
    return crypto.blind_index(keyring.index_key(), crypto.normalise_email(address))


class InvalidPerson(ValueError):
    """The person cannot be recorded as given; the message says why."""


def create_person(
    actor: Actor,
    *,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    subject_types: list[str] | None = None,
    organisation: Organisation | None = None,
    source: str = Source.SUBJECT,
    source_name: str = "",
    partner_permission_ref: str = "",
    collected_at: datetime | None = None,
    informed_of_opt_out: bool = False,
) -> Person:
    """Record a person with their provenance (R8).

    Data obtained from someone else than the person (partner, client, public source,
    enrichment) schedules the Art. 14 notice, due one month after collection
    (Art. 14(3)(a)); marketing waits until it is sent (R9).
    """
    types = list(dict.fromkeys(subject_types or []))
    unknown = [t for t in types if t not in SubjectType.values]
    if unknown:
        raise InvalidPerson(f"unknown subject type(s): {', '.join(unknown)}")
    if source not in Source.values:
        raise InvalidPerson(f"unknown source {source!r}")
    if source == Source.PARTNER and not (source_name and partner_permission_ref):
        raise InvalidPerson(
            "partner data needs the partner's name and the proof of its permission (R8)"
        )
    if email and "@" not in email:
        raise InvalidPerson("not an e-mail address")
    collected = collected_at or timezone.now()
    person_id = uuid.uuid4()
    key = crypto.new_data_key()
    master = keyring.current_master()
    PersonKey.objects.create(
        person_id=person_id,
        wrapped=crypto.seal(master.secret, key, _wrap_aad(person_id)),
        master_key_id=master.id,
    )
    values = {"email": email, "first_name": first_name, "last_name": last_name, "phone": phone}
    person = Person(
        id=person_id,
        email_index=email_index(email) if email else "",
        organisation=organisation,
        subject_types=types,
        source=source,
        source_name=source_name,
        partner_permission_ref=partner_permission_ref,
        collected_at=collected,
        art14_notice_due_at=None if source == Source.SUBJECT else add_months(collected, 1),
        informed_of_opt_out_at=collected if informed_of_opt_out else None,
    )
    for field, value in values.items():
        sealed = crypto.seal_text(key, value, _aad(person_id, field)) if value else None
        setattr(person, f"{field}_sealed", sealed)
    with transaction.atomic():
        person.save(force_insert=True)
        record_event(actor, Action.PERSON_CREATE, person, extra={"source": source, "types": types})
    return person


def open_person(person: Person) -> PersonData:
    """Decrypt the person's fields (no journal: for services; views use ``read_person``)."""
    key = _data_key(person.id)
    values = {}
    for field in Person.SEALED_FIELDS:
        sealed = getattr(person, f"{field}_sealed")
        values[field] = (
            crypto.open_text(key, bytes(sealed), _aad(person.id, field)) if sealed else ""
        )
    return PersonData(**values)


def read_person(actor: Actor, person: Person, *, view: str) -> PersonData:
    """Decrypt for display, journaling the read (R29)."""
    data = open_person(person)
    record_read(actor, person, view=view)
    return data


def find_by_email(address: str) -> Person | None:
    return Person.objects.filter(email_index=email_index(address), shredded_at__isnull=True).first()


def shred_person(actor: Actor, person: Person) -> None:
    """Destroy the person's data key: every copy of their fields becomes unreadable."""
    deleted, _detail = PersonKey.objects.filter(person_id=person.id).delete()
    with transaction.atomic():
        # The blind index would still single the person out: it goes too.
        Person.objects.filter(pk=person.pk).update(email_index="", shredded_at=timezone.now())
        record_event(
            actor,
            Action.PERSON_SHRED,
            ObjectRef("people.person", str(person.pk)),
            extra={"keys_destroyed": deleted},
        )


def rotate_keys(actor: Actor, *, batch_size: int = 500) -> int:
    """Re-wrap every data key under the current master key, in batches (no downtime)."""
    current = keyring.current_master()
    rewrapped = 0
    while True:
        with transaction.atomic(using=KEYS_DB):
            batch = list(
                PersonKey.objects.select_for_update()
                .exclude(master_key_id=current.id)
                .order_by("person_id")[:batch_size]
            )
            if not batch:
                break
            for stored in batch:
                old = keyring.find_master(stored.master_key_id)
                aad = _wrap_aad(stored.person_id)
                key = crypto.open_sealed(old.secret, bytes(stored.wrapped), aad)
                stored.wrapped = crypto.seal(current.secret, key, aad)
                stored.master_key_id = current.id
            PersonKey.objects.bulk_update(batch, ["wrapped", "master_key_id"])
            rewrapped += len(batch)
    with transaction.atomic():
        record_event(
            actor,
            Action.KEYS_ROTATE,
            ObjectRef("people.personkey"),
            extra={"rewrapped": rewrapped, "master_key": current.id},
        )
    return rewrapped


def master_keys_in_use() -> set[str]:
    return set(PersonKey.objects.values_list("master_key_id", flat=True).distinct())
