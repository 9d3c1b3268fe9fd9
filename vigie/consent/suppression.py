"""The suppression list (CNIL "liste repoussoir", R41; R43).

An address that unsubscribed or objected is kept only as a keyed hash of its
normalised form, prefixed so that it never equals the people blind index: the
list cannot be read back as contacts, joined with the people table, or used to
send. Every send and every import checks it; only the person's confirmed double
opt-in lifts an entry, and only for the purpose they subscribed to again.

A lifted entry is not deleted (R41, R43): it stays, marked « levée par la personne
le JJ/MM/AAAA » with the confirmation event that lifted it, and no longer
suppresses. A later withdrawal or objection adds a new active entry.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from vigie.consent.models import (
    ConsentEvent,
    Status,
    Subscription,
    SuppressionEntry,
    SuppressionReason,
)
from vigie.lib.crypto import blind_index, normalise_email
from vigie.lib.keyring import index_key
from vigie.lib.purposes import ALL_PURPOSES, Purpose
from vigie.people.models import Person

SUPPRESS_PREFIX = "suppress:"


def suppression_hash(address: str) -> str:
    """The suppression list's keyed hash: prefixed, so it never equals a people blind index."""
    return blind_index(index_key(), SUPPRESS_PREFIX + normalise_email(address))


def suppress(address: str, scope: str, reason: str, at: datetime) -> None:
    """Add the address's hash to the suppression list (idempotent)."""
    if not address:
        # A shredded person has no address left to hash: nothing to send to either.
        return
    active_entries().get_or_create(
        address_hash=suppression_hash(address),
        scope=scope,
        defaults={"reason": reason, "created_at": at},
    )


def active_entries() -> QuerySet[SuppressionEntry]:
    """The entries that suppress: not lifted by the person (R43)."""
    return SuppressionEntry.objects.filter(lifted_at__isnull=True)


def suppress_all(addresses: list[str], scope: str, reason: str, at: datetime) -> None:
    """Suppress every address of one person: the main one and any further one (R41)."""
    for address in addresses:
        suppress(address, scope, reason, at)


def lift_suppression(address: str, purpose: str, at: datetime, by: ConsentEvent) -> int:
    """R43: the person confirmed a new subscription to ``purpose`` (event ``by``); lift
    only that. The lifted entries stay, marked with the date and the event.

    An objection's entry covering every list is lifted too, and replaced by active
    entries for the other purposes, which stay suppressed.
    """
    if not address:
        return 0
    digest = suppression_hash(address)
    everything = active_entries().filter(address_hash=digest, scope=ALL_PURPOSES)
    lifted = 0
    if everything.exists():
        lifted += everything.update(lifted_at=at, lifted_by=by)
        SuppressionEntry.objects.bulk_create(
            [
                SuppressionEntry(
                    address_hash=digest,
                    scope=other,
                    reason=SuppressionReason.OBJECTED,
                    created_at=at,
                )
                for other in Purpose.values
                if other != purpose
            ],
            ignore_conflicts=True,
        )
    lifted += (
        active_entries()
        .filter(address_hash=digest, scope=purpose)
        .update(lifted_at=at, lifted_by=by)
    )
    return lifted


def entries_of(addresses: list[str]) -> QuerySet[SuppressionEntry]:
    """Every entry, active or lifted, of these addresses (a person's history, R43)."""
    hashes = [suppression_hash(a) for a in sorted(set(addresses)) if a]
    return (
        SuppressionEntry.objects.filter(address_hash__in=hashes)
        .select_related("lifted_by")
        .order_by("created_at", "pk")
    )


def is_suppressed(address: str, purpose: str | None = None) -> bool:
    """Whether the address is on the suppression list (for ``purpose``, or for any list)."""
    entries = active_entries().filter(address_hash=suppression_hash(address))
    if purpose is not None:
        entries = entries.filter(scope__in=[purpose, ALL_PURPOSES])
    return entries.exists()


def suppress_like_the_person(person: Person, address: str) -> None:
    """R41: a new address of someone who unsubscribed or objected is suppressed at once,
    with the same scopes, so that an import of it later is caught too. Registered with
    ``people.services.on_new_address`` at start-up."""
    stopped = dict(
        Subscription.objects.filter(
            person=person, status__in=[Status.WITHDRAWN, Status.OBJECTED]
        ).values_list("purpose", "status")
    )
    now = timezone.now()
    if Status.OBJECTED in stopped.values():
        suppress(address, ALL_PURPOSES, SuppressionReason.OBJECTED, now)
    for purpose, status in stopped.items():
        if status == Status.WITHDRAWN:
            suppress(address, purpose, SuppressionReason.UNSUBSCRIBED, now)
