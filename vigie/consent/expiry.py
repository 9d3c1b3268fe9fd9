"""Mark expired double opt-in requests (R43), once a day.

A web sign-up left unconfirmed for 7 days lapses: the audience check already reads
it so at any moment. The daily job writes it down, so that the stored state is
true without computing an audience: the state before the request holds again
(withdrawn, objected…) or, when there was none, the request is marked ``expired``.
``pending_expires_at`` is kept as the mark of the expired request (the person's page
shows it) until the person's next act. Each change is its own transaction, re-read
under lock, with one audit event; a second run finds nothing to do. The locks are
taken in the order of every consent change (``ledger.lock_person``: the person, then
their subscriptions), so a confirmation clicked while the job runs waits or is waited
for, never deadlocks with it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.consent.actions import Verb, consent_action
from vigie.consent.models import Status, Subscription
from vigie.people.models import Person

BATCH = 1000


def expire_pending_requests(now: datetime | None = None, *, limit: int = BATCH) -> int:
    """Mark the requests whose confirmation time is over; return how many."""
    now = now or timezone.now()
    actor = Actor.system("double opt-in expiry")
    due = Subscription.objects.filter(status=Status.PENDING, pending_expires_at__lte=now)
    marked = 0
    for pk, person_id in due.values_list("pk", "person_id")[:limit]:
        with transaction.atomic():
            # The person first, as every consent change does (``ledger.lock_person``);
            # then the request, re-read: locking it first deadlocked with a confirmation.
            Person.objects.select_for_update().filter(pk=person_id).first()
            sub = (
                Subscription.objects.select_for_update(of=("self",))
                .filter(pk=pk, status=Status.PENDING, pending_expires_at__lte=now)
                .select_related("person")
                .first()
            )
            if sub is None:
                continue  # confirmed, replaced or marked meanwhile
            sub.status = sub.status_before_pending or Status.EXPIRED
            sub.since = sub.pending_expires_at or now
            sub.save(update_fields=["status", "since"])
            record_event(
                actor,
                consent_action(sub.purpose, Verb.EXPIRE),
                sub.person,
                extra={"event": sub.last_event_id, "status": sub.status},
            )
            marked += 1
    return marked
