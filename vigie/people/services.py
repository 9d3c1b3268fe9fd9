"""Create, read, find and crypto-shred people; rotate the master key (R30, Art. 17).

A person's data key is created first, in the key store; the person's sealed row
follows in the main database with its audit event. A crash in between leaves at
most an unused key, never data that nothing can open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import phonenumbers
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event, record_read
from vigie.lib import bounds, crypto, keyring
from vigie.people.models import (
    AddressLookup,
    ContactKind,
    ContactPoint,
    ContactUsage,
    NameWord,
    Organisation,
    Person,
    PersonKey,
    Source,
    SubjectType,
)
from vigie.people.names import name_word_rows
from vigie.people.notices import due_date as notice_due_date
from vigie.people.restrictions import refuse_if_restricted
from vigie.people.routers import KEYS_DB


class PersonUnavailable(LookupError):
    """The person's key was destroyed (shredded) or is missing."""


@dataclass(frozen=True)
class ContactData:
    kind: str
    usage: str
    value: str
    id: str = ""


@dataclass(frozen=True)
class PersonData:
    email: str
    first_name: str
    last_name: str
    phone: str
    contact_points: tuple[ContactData, ...] = ()
    job_title: str = ""

    @property
    def emails(self) -> list[str]:
        """Every e-mail address of the person, the main one first."""
        further = [c.value for c in self.contact_points if c.kind == ContactKind.EMAIL]
        return [a for a in [self.email, *further] if a]


def _aad(person_id: uuid.UUID, field: str) -> str:
    return f"people.person:{person_id}:{field}"


def _wrap_aad(person_id: uuid.UUID) -> str:
    return f"people.personkey:{person_id}"


def _data_key(person_id: uuid.UUID) -> bytes:
    stored = PersonKey.objects.filter(person_id=person_id).first()
    if stored is None:
        raise PersonUnavailable(f"no data key for person {person_id} (shredded)")
    return _unwrap(stored)


def _unwrap(stored: PersonKey) -> bytes:
    master = keyring.find_master(stored.master_key_id)
    return crypto.open_sealed(master.secret, bytes(stored.wrapped), _wrap_aad(stored.person_id))


def email_index(address: str) -> str:
    return crypto.blind_index(keyring.index_key(), crypto.normalise_email(address))


class InvalidPerson(ValueError):
    """The person cannot be recorded as given; the message says why."""


_BOUNDS: dict[str, Callable[[Any], Any]] = {
    "email": bounds.check_email,
    "first_name": bounds.check_name,
    "last_name": bounds.check_name,
    "job_title": bounds.check_name,
    "source_name": bounds.check_name,
    "phone": bounds.check_phone,
    "partner_permission_ref": partial(bounds.check_text, max_length=200),
    "collected_at": bounds.check_date,
    "postal": bounds.check_text,
}


def _check_bounds(**values: Any) -> None:
    """Every field within its bounds (vigie.lib.bounds), whoever calls: API, form, import."""
    for field, value in values.items():
        if value in (None, "") or field not in _BOUNDS:
            continue
        try:
            _BOUNDS[field](value)
        except bounds.OutOfBounds as error:
            raise InvalidPerson(f"{field}: {error}") from None


def create_person(
    actor: Actor,
    *,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    job_title: str = "",
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
    (Art. 14(3)(a), counted as C2 says); marketing waits until it is delivered (R9).
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
    _check_bounds(
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        job_title=job_title,
        source_name=source_name,
        partner_permission_ref=partner_permission_ref,
        collected_at=collected_at,
    )
    collected = collected_at or timezone.now()
    person_id = uuid.uuid4()
    key = crypto.new_data_key()
    master = keyring.current_master()
    PersonKey.objects.create(
        person_id=person_id,
        wrapped=crypto.seal(master.secret, key, _wrap_aad(person_id)),
        master_key_id=master.id,
    )
    values = {
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "job_title": job_title.strip(),
    }
    person = Person(
        id=person_id,
        email_index=email_index(email) if email else "",
        organisation=organisation,
        subject_types=types,
        source=source,
        source_name=source_name,
        partner_permission_ref=partner_permission_ref,
        collected_at=collected,
        art14_notice_due_at=None if source == Source.SUBJECT else notice_due_date(collected),
        informed_of_opt_out_at=collected if informed_of_opt_out else None,
    )
    for field, value in values.items():
        sealed = crypto.seal_text(key, value, _aad(person_id, field)) if value else None
        setattr(person, f"{field}_sealed", sealed)
    with transaction.atomic():
        person.save(force_insert=True)
        NameWord.objects.bulk_create(name_word_rows(person, first_name, last_name))
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
    points = tuple(
        ContactData(
            point.kind,
            point.usage,
            crypto.open_text(key, bytes(point.value_sealed), _point_aad(point.id)),
            str(point.id),
        )
        for point in ContactPoint.objects.filter(person=person)
        if point.value_sealed
    )
    return PersonData(**values, contact_points=points)


def read_person(actor: Actor, person: Person, *, view: str) -> PersonData:
    """Decrypt for display, journaling the read (R29)."""
    data = open_person(person)
    record_read(actor, person, view=view)
    return data


def find_by_email(address: str) -> Person | None:
    """The person with this address, as main address first, else as a further one."""
    index = email_index(address)
    live = Person.objects.filter(shredded_at__isnull=True)
    return (
        live.filter(email_index=index).first()
        or live.filter(contact_points__email_index=index).first()
    )


def find_all_by_email(address: str) -> list[Person]:
    """Every live person with this address, main or further (several may share one)."""
    return find_all_by_index(email_index(address))


def _point_aad(point_id: uuid.UUID) -> str:
    return f"people.contactpoint:{point_id}:value"


def normalise_contact(kind: str, value: str) -> str:
    """The stored form of a contact point; ``InvalidPerson`` says why a value is refused."""
    value = value.strip()
    if kind == ContactKind.EMAIL:
        if "@" not in value or len(value) > 254:
            raise InvalidPerson("not an e-mail address")
        return value
    if kind == ContactKind.PHONE:
        try:
            number = phonenumbers.parse(value, "FR")
        except phonenumbers.NumberParseException:
            raise InvalidPerson("not a telephone number") from None
        if not phonenumbers.is_valid_number(number):
            raise InvalidPerson("not a valid telephone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == ContactKind.POSTAL:
        if not value or len(value) > 500:
            raise InvalidPerson("a postal address has 1 to 500 characters")
        return value
    raise InvalidPerson(f"unknown kind of contact point {kind!r}")


def add_contact_point(
    actor: Actor, person: Person, kind: str, value: str, *, usage: str = ContactUsage.WORK
) -> ContactPoint:
    """Record a further e-mail, phone or postal address, sealed under the person's key."""
    if usage not in ContactUsage.values:
        raise InvalidPerson(f"unknown usage {usage!r}")
    value = normalise_contact(kind, value)
    _check_bounds(**{str(kind): value})
    key = _data_key(person.id)
    point = ContactPoint(id=uuid.uuid4(), person=person, kind=kind, usage=usage)
    point.value_sealed = crypto.seal_text(key, value, _point_aad(point.id))
    point.email_index = email_index(value) if kind == ContactKind.EMAIL else ""
    with transaction.atomic():
        point.save(force_insert=True)
        if kind == ContactKind.EMAIL:
            for hook in _address_hooks:
                hook(person, value)
        record_event(actor, Action.PERSON_CONTACT_ADD, person, extra={"kind": kind, "usage": usage})
    return point


#: What another domain does when a further e-mail address joins a person, inside the
#: transaction that records it. People sits below consent and may not import it: the
#: consent domain registers its suppression rule here at start-up (its AppConfig).
AddressHook = Callable[[Person, str], None]
_address_hooks: list[AddressHook] = []


def on_new_address(hook: AddressHook) -> None:
    """Register ``hook(person, address)`` for every further e-mail address (idempotent)."""
    if hook not in _address_hooks:
        _address_hooks.append(hook)


def shred_person(actor: Actor, person: Person) -> None:
    """Destroy the person's data key: every copy of their fields becomes unreadable."""
    deleted, _detail = PersonKey.objects.filter(person_id=person.id).delete()
    with transaction.atomic():
        indexes = set(Person.objects.filter(pk=person.pk).values_list("email_index", flat=True))
        indexes |= set(
            ContactPoint.objects.filter(person_id=person.pk).values_list("email_index", flat=True)
        )
        # A look-up still waiting for its job would say that this address asked for
        # something, and when.
        AddressLookup.objects.filter(email_index__in=indexes - {""}).delete()
        # The blind index would still single the person out: it goes too.
        Person.objects.filter(pk=person.pk).update(email_index="", shredded_at=timezone.now())
        ContactPoint.objects.filter(person_id=person.pk).update(email_index="")
        NameWord.objects.filter(person_id=person.pk).delete()
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


def update_person(
    actor: Actor,
    person: Person,
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    job_title: str | None = None,
    despite_restriction: bool = False,
) -> Person:
    """Change a person's name or job title (Art. 16), resealed, name index rebuilt.

    Fields left as None keep their value. The audit event names the fields changed,
    never their values.
    """
    if person.shredded_at is not None:
        raise PersonUnavailable(f"person {person.pk} was shredded")
    if not despite_restriction:
        # R55: restricted data is only stored; a rectification the person asked for
        # while accuracy is checked says so explicitly.
        refuse_if_restricted(person)
    _check_bounds(first_name=first_name, last_name=last_name, job_title=job_title)
    key = _data_key(person.id)
    current = open_person(person)
    wanted = {"first_name": first_name, "last_name": last_name, "job_title": job_title}
    changed = {
        f: v.strip()
        for f, v in wanted.items()
        if v is not None and v.strip() != getattr(current, f)
    }
    if not changed:
        return person
    for field, value in changed.items():
        sealed = crypto.seal_text(key, value, _aad(person.id, field)) if value else None
        setattr(person, f"{field}_sealed", sealed)
    first = changed.get("first_name", current.first_name)
    last = changed.get("last_name", current.last_name)
    with transaction.atomic():
        person.save(update_fields=[f"{f}_sealed" for f in changed])
        if {"first_name", "last_name"} & changed.keys():
            NameWord.objects.filter(person=person).delete()
            NameWord.objects.bulk_create(name_word_rows(person, first, last))
        record_event(actor, Action.PERSON_UPDATE, person, extra={"fields": sorted(changed)})
    return person


def update_contact_details(
    actor: Actor,
    person: Person,
    *,
    email: str | None = None,
    phone: str | None = None,
    despite_restriction: bool = False,
) -> dict[str, str]:
    """Change a person's main e-mail address or phone (Art. 16), resealed; return the
    previous value of each field changed (for the caller's own sealed history: the
    audit event names the fields, never their values).

    A new address gets its blind index and goes through the address hooks (consent:
    suppressed like the person, R41). Fields left as None keep their value.
    """
    if person.shredded_at is not None:
        raise PersonUnavailable(f"person {person.pk} was shredded")
    if not despite_restriction:
        # R55: restricted data is only stored; a rectification the person asked for
        # while accuracy is checked says so explicitly.
        refuse_if_restricted(person)
    wanted: dict[str, str] = {}
    if email is not None:
        wanted["email"] = normalise_contact(ContactKind.EMAIL, email) if email.strip() else ""
    if phone is not None:
        wanted["phone"] = normalise_contact(ContactKind.PHONE, phone) if phone.strip() else ""
    _check_bounds(**wanted)
    key = _data_key(person.id)
    current = open_person(person)
    changed = {f: v for f, v in wanted.items() if v != getattr(current, f)}
    if not changed:
        return {}
    for field, value in changed.items():
        sealed = crypto.seal_text(key, value, _aad(person.id, field)) if value else None
        setattr(person, f"{field}_sealed", sealed)
    fields = [f"{f}_sealed" for f in changed]
    if "email" in changed:
        person.email_index = email_index(changed["email"]) if changed["email"] else ""
        fields.append("email_index")
    with transaction.atomic():
        person.save(update_fields=fields)
        if changed.get("email"):
            for hook in _address_hooks:
                hook(person, changed["email"])
        record_event(actor, Action.PERSON_UPDATE, person, extra={"fields": sorted(changed)})
    return {f: getattr(current, f) for f in changed}


def index_missing_names(actor: Actor, *, batch_size: int = 500) -> int:
    """Fill the name index of live people who have none yet (people recorded before
    the index existed); return how many were indexed. Safe to run again.

    A migration cannot do it: opening names needs the data keys, which live in the
    separate key store and are unwrapped with the master key from the settings.
    """
    indexed = 0
    last_pk: uuid.UUID | None = None
    while True:
        pending = Person.objects.filter(shredded_at__isnull=True, name_words__isnull=True).exclude(
            first_name_sealed__isnull=True, last_name_sealed__isnull=True
        )
        if last_pk is not None:
            pending = pending.filter(pk__gt=last_pk)
        batch = list(pending.order_by("pk")[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        from vigie.people.reading import open_names

        names = open_names(batch)
        rows = [
            row
            for person in batch
            if person.pk in names
            for row in name_word_rows(person, *names[person.pk])
        ]
        with transaction.atomic():
            NameWord.objects.bulk_create(rows, ignore_conflicts=True)
        indexed += len({row.person_id for row in rows})
    if indexed:
        with transaction.atomic():
            record_event(
                actor,
                Action.PERSON_NAMES_INDEX,
                ObjectRef("people.person"),
                extra={"indexed": indexed},
            )
    return indexed


def mark_also_in_sources(actor: Actor, people: list[Person], label: str) -> int:
    """Note that an external source (by its label) holds records of these people."""
    ids = [p.pk for p in people]
    marked = 0
    with transaction.atomic():
        for person in Person.objects.select_for_update().filter(pk__in=ids):
            if label not in person.also_in_sources:
                person.also_in_sources = [*person.also_in_sources, label]
                person.save(update_fields=["also_in_sources"])
                marked += 1
        record_event(
            actor,
            Action.PERSON_SOURCES_MARK,
            ObjectRef("people.person"),
            extra={"source": label, "people": marked},
        )
    return marked


def find_all_by_index(index: str) -> list[Person]:
    """Every live person whose main or further address has this blind index."""
    return list(
        Person.objects.filter(
            Q(email_index=index) | Q(contact_points__email_index=index), shredded_at__isnull=True
        )
        .distinct()
        .order_by("created_at")
    )


def count_people() -> int:
    return Person.objects.filter(shredded_at__isnull=True).count()


def count_overdue_notices() -> int:
    """R9: Art. 14 notices still unsent at their due date."""
    from vigie.people.tasks import overdue_notices

    return overdue_notices().count()
