"""Art. 14 notices for data obtained from someone else than the person (R9).

Each day the notices not yet asked for are queued as service e-mails (they are not
marketing: they inform, and they go out whatever the person's subscriptions). A
notice counts as given only once the mail server has accepted it: mail tells
``people.notices.record_outcome``, which sets ``art14_notice_sent_at``. Until then
the person receives no marketing, and once the due date is past (C2: the date ends
at 23:59:59 Paris time) the notice is late, whether it is still queued, failed or
was refused. A failed notice is not queued again by this job: it waits for a person
(the outbox's "send again" once the address is put right), and shows as late.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_tasks import task

from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import paris_day
from vigie.people.models import Person
from vigie.people.notices import TEMPLATE

BATCH = 500
log = logging.getLogger("vigie.people")


def pending_notices() -> QuerySet[Person]:
    """Notices due and not delivered, to people who have an address to write to."""
    return Person.objects.filter(
        art14_notice_due_at__isnull=False,
        art14_notice_sent_at__isnull=True,
        shredded_at__isnull=True,
        email_sealed__isnull=False,
    ).order_by("art14_notice_due_at")


def notices_to_send() -> QuerySet[Person]:
    """Pending notices of which no e-mail was queued yet."""
    from vigie.mail.models import Message

    asked = Message.objects.filter(person=OuterRef("pk"), template=TEMPLATE)
    return pending_notices().exclude(Exists(asked))


def overdue_notices(now: datetime | None = None) -> QuerySet[Person]:
    """R9: notices not delivered by the end of their due date (C2), whatever became of
    their e-mail (shown in the back-office as « Art. 14 en retard »)."""
    return pending_notices().filter(art14_notice_due_at__lt=paris_day(now or timezone.now()))


def send_art14_notices(limit: int = BATCH) -> int:
    """Queue the notices not yet asked for; return how many. Idempotent."""
    from vigie.mail.services import queue_message

    overdue = overdue_notices().count()
    if overdue:
        log.warning("%d Art. 14 notice(s) overdue (R9)", overdue)
    actor = Actor.system("art14 notices")
    queued = 0
    for person in notices_to_send()[:limit]:
        with transaction.atomic():
            # The row is re-read under lock: two workers never queue it twice.
            locked = Person.objects.select_for_update().filter(pk=person.pk).first()
            if locked is None or not notices_to_send().filter(pk=person.pk).exists():
                continue
            queue_message(
                actor,
                person,
                TEMPLATE,
                kind="service",
                # A reference only: the source, the register's text and the objection
                # link are looked up when the e-mail is rendered (people.notices).
                context={"person": str(person.pk)},
            )
            queued += 1
    return queued


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
