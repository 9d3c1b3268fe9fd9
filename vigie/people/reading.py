"""Names for back-office lists: decrypted in one pass, journaled as one read (R29, R30).

A list page shows up to fifty names. Opening each person on its own would cost a
key-store query per row; here the page's data keys come in one query. The read
is journaled once for the page, naming every person shown.
"""

from __future__ import annotations

import uuid

from django.urls import reverse
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_read
from vigie.lib import crypto
from vigie.mail.outbox import Recipient
from vigie.people.models import Person, PersonKey
from vigie.people.services import _aad, _unwrap


def open_names(people: list[Person]) -> dict[uuid.UUID, tuple[str, str]]:
    """(first name, last name) of each readable person, with one key-store query for
    all of them (no journal: callers that display them use ``read_names``)."""
    stored = PersonKey.objects.filter(person_id__in=[p.pk for p in people])
    keys = {k.person_id: _unwrap(k) for k in stored}
    names = {}
    for person in people:
        key = keys.get(person.pk)
        if key is None:
            continue
        first, last = (
            crypto.open_text(key, bytes(sealed), _aad(person.pk, field)) if sealed else ""
            for field, sealed in (
                ("first_name", person.first_name_sealed),
                ("last_name", person.last_name_sealed),
            )
        )
        names[person.pk] = (first, last)
    return names


def read_names(
    actor: Actor, people: list[Person], *, view: str
) -> dict[uuid.UUID, tuple[str, str]]:
    """Names to display in a list, journaled as ONE read event naming every person
    shown (R29): a page of fifty names is one act of reading, not fifty."""
    names = open_names(people)
    if names:
        record_read(
            actor, ObjectRef("people.person"), view=view, extra={"ids": [str(pk) for pk in names]}
        )
    return names


def name_recipients(
    actor: Actor, person_ids: list[uuid.UUID], view: str
) -> dict[uuid.UUID, Recipient]:
    """The outbox's recipients as names linking to their page (one journaled read)."""
    people = list(Person.objects.filter(pk__in=person_ids, shredded_at__isnull=True))
    names = read_names(actor, people, view=view)
    return {
        pk: Recipient(
            f"{first} {last}".strip() or _("(no name)"), reverse("people:detail", args=[pk])
        )
        for pk, (first, last) in names.items()
    }
