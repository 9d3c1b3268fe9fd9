"""Look-ups by address deferred from a public page to a background job.

The page calls ``defer_lookup(address)`` and hands the job the returned id, never the
address nor its blind index: job arguments are stored in the job table. The job calls
``take_lookup(id)``, which finds the live people holding that address and deletes the
row in the same transaction. See ``people.models.AddressLookup``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

from vigie.people.models import AddressLookup, Person
from vigie.people.services import email_index, find_all_by_index

#: A look-up no job has taken after this long is dropped: the worker was down, and
#: the person can ask again.
STALE = timedelta(days=1)


def defer_lookup(address: str) -> uuid.UUID:
    """Store the address's blind index for a job to look up; return the row's id."""
    return AddressLookup.objects.create(email_index=email_index(address)).pk


def take_lookup(lookup_id: uuid.UUID | str) -> list[Person]:
    """The live people holding the looked-up address, and the row deleted; [] when
    the row is gone (already taken, the person erased, or purged as stale).

    Call it inside the transaction that does the job's work: the row goes with it.
    """
    lookup = AddressLookup.objects.select_for_update().filter(pk=lookup_id).first()
    if lookup is None:
        return []
    lookup.delete()
    return find_all_by_index(lookup.email_index)


def stale_lookups(now: datetime | None = None) -> models.QuerySet[AddressLookup]:
    return AddressLookup.objects.filter(created_at__lt=(now or timezone.now()) - STALE)
