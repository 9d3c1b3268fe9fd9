"""Art. 14 notices for data obtained from someone else than the person (R9).

Each day the notices that are due are queued as service e-mails (they are not
marketing: they inform, and they go out whatever the person's subscriptions), and
the person is marked informed in the same transaction. Marketing waits until then.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from vigie.audit.actor import Actor
from vigie.people.models import Person

BATCH = 500
log = logging.getLogger("vigie.people")


def notices_to_send() -> QuerySet[Person]:
    return Person.objects.filter(
        art14_notice_due_at__isnull=False,
        art14_notice_sent_at__isnull=True,
        shredded_at__isnull=True,
        email_sealed__isnull=False,
    ).order_by("art14_notice_due_at")


def overdue_notices(now: datetime | None = None) -> QuerySet[Person]:
    """R9: notices still unsent at their due date (shown in the back-office)."""
    return notices_to_send().filter(art14_notice_due_at__lte=now or timezone.now())


def send_art14_notices(limit: int = BATCH) -> int:
    from vigie.mail.services import queue_message

    overdue = overdue_notices().count()
    if overdue:
        log.warning("%d Art. 14 notice(s) overdue (R9); sending them now", overdue)
    actor = Actor.system("art14 notices")
    sent = 0
    for person in notices_to_send()[:limit]:
        with transaction.atomic():
            # The row is re-read under lock: two workers never inform twice.
            locked = Person.objects.select_for_update().filter(
                pk=person.pk, art14_notice_sent_at__isnull=True
            )
            if not locked.exists():
                continue
            queue_message(
                actor,
                person,
                "art14_notice",
                kind="service",
                context={"source_name": person.source_name or "un partenaire"},
            )
            locked.update(art14_notice_sent_at=timezone.now())
            sent += 1
    return sent


@task()
def send_art14_notices_task() -> int:
    """Daily; safe to run twice."""
    return send_art14_notices()


@task()
def purge_stale_lookups_task() -> int:
    """Daily: address look-ups no job took within a day go (see people.lookups)."""
    from vigie.people.lookups import stale_lookups

    return stale_lookups().delete()[0]


#: Enqueued once a day by `vigie worker` (see vigie.jobs.services).
DAILY_TASKS = (send_art14_notices_task, purge_stale_lookups_task)
