"""Look-ups by address deferred from a public page to a background job.

The page calls ``defer_lookup(address)`` and hands the job the returned id, never the
address nor its blind index: job arguments are stored in the job table. The job calls
``take_lookup(id)``, which finds the live people holding that address and deletes the
row in the same transaction. See ``people.models.AddressLookup``.

A public sign-up needs more than a look-up: the job records the address and the
first name. ``defer_lookup(address, payload)`` seals them in the row (never in the
job's arguments) and ``take_payload(id)`` opens them and deletes the row.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from vigie.lib import crypto, keyring
from vigie.people.models import AddressLookup, Person
from vigie.people.services import email_index, find_all_by_index

#: A look-up no job has taken after this long is dropped: the worker was down, and
#: the person can ask again.
STALE = timedelta(days=1)


_KEY_PURPOSE = "vigie.people.lookups.payload"


def _aad(lookup_id: uuid.UUID) -> str:
    return f"address-lookup:{lookup_id}:payload"


def defer_lookup(address: str, payload: dict[str, Any] | None = None) -> uuid.UUID:
    """Store the address's blind index (and, sealed, ``payload`` with the address) for
    a job to look up; return the row's id."""
    lookup = AddressLookup(email_index=email_index(address))
    if payload is not None:
        plain = json.dumps({**payload, "email": address})
        lookup.payload_sealed = crypto.seal_text(
            keyring.derive_key(_KEY_PURPOSE), plain, _aad(lookup.pk)
        )
    lookup.save(force_insert=True)
    return lookup.pk


def take_payload(lookup_id: uuid.UUID | str) -> dict[str, Any] | None:
    """The sealed payload of a deferred look-up (with its ``email``), and the row
    deleted; None when the row is gone or holds no payload.

    Call it inside the transaction that does the job's work: the row goes with it.
    """
    lookup = AddressLookup.objects.select_for_update().filter(pk=lookup_id).first()
    if lookup is None:
        return None
    pk, sealed = lookup.pk, lookup.payload_sealed
    lookup.delete()
    if not sealed:
        return None
    key = keyring.derive_key(_KEY_PURPOSE)
    payload: dict[str, Any] = json.loads(crypto.open_text(key, bytes(sealed), _aad(pk)))
    return payload


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
