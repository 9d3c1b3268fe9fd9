"""Art. 19 notices (R57): after a rectification, an erasure or a restriction, one task per
recipient of the disclosure log (R22) that received affected data.

``open_notices`` is what each fulfilment step calls, inside its own transaction, before
it changes the data (an erasure removes the person's disclosure log with the person).
It is safe to call again: a task already opened for that case, recipient and trigger is
kept, its categories widened. The case cannot close while one is open.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.disclosures.services import recipients_of
from vigie.rights.actions import RightsAction
from vigie.rights.models import NOTICE_ENDED, Case, NoticeTrigger, RecipientNotice


def open_notices(
    actor: Actor,
    case: Case,
    trigger: NoticeTrigger,
    categories: Iterable[str] | None = None,
) -> list[RecipientNotice]:
    """One open task per recipient that received data of ``categories`` (all the
    person's categories when ``None``); the case's tasks for ``trigger`` are returned."""
    if case.person is None:
        return []
    received = recipients_of(case.person, categories)
    with transaction.atomic():
        for item in received:
            notice, created = RecipientNotice.objects.get_or_create(
                case=case,
                recipient=item.recipient,
                trigger=trigger,
                defaults={"categories": list(item.categories), "created_at": timezone.now()},
            )
            if not created:
                wider = list(dict.fromkeys([*notice.categories, *item.categories]))
                if wider != notice.categories:
                    notice.categories = wider
                    notice.save(update_fields=["categories"])
                continue
            record_event(
                actor,
                RightsAction.NOTICE_OPEN,
                case,
                extra={
                    "number": case.number,
                    "recipient": item.recipient.key,
                    "trigger": str(trigger),
                    "categories": list(item.categories),
                },
            )
    return list(case.notices.filter(trigger=trigger).select_related("recipient"))


def open_notices_of(case: Case) -> list[RecipientNotice]:
    """The case's notice tasks not yet done or explained."""
    return list(case.notices.exclude(status__in=list(NOTICE_ENDED)).select_related("recipient"))
