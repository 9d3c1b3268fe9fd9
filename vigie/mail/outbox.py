"""Read the outbox for the back-office: filters, counts, and the recipients' names.

Mail sits below the domains and may not import ``people``: the names shown beside
each message come from a function the people app registers at start-up
(``register_recipient_namer``). Without one, recipients show as « a person ».
The outbox never shows an address in a list (R30): the name links to the person.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from vigie.audit.actor import Actor
from vigie.mail.models import Kind, Message, Purpose, Status


@dataclass(frozen=True)
class Recipient:
    name: str
    url: str


#: (actor, person ids, view name) -> each readable recipient, the read journaled once.
RecipientNamer = Callable[[Actor, list[uuid.UUID], str], dict[uuid.UUID, Recipient]]
_namer: list[RecipientNamer] = []


def register_recipient_namer(namer: RecipientNamer) -> None:
    _namer[:] = [namer]


def recipient_names(
    actor: Actor, person_ids: list[uuid.UUID], view: str
) -> dict[uuid.UUID, Recipient]:
    if not _namer or not person_ids:
        return {}
    return _namer[0](actor, person_ids, view)


#: What each template is, in words (the file name is shown in small print beside it).
TEMPLATE_LABELS = {
    "art14_notice": _("Art. 14 notice (data obtained from someone else)"),
    "newsletter": _("Newsletter"),
    "newsletter_confirmation": _("Newsletter sign-up confirmation"),
    "policy_change": _("Privacy policy change"),
    "preferences_link": _("Link to the e-mail preferences"),
}


class MessageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Kind.choices, empty_label=_("Any kind")
    )
    purpose = django_filters.ChoiceFilter(
        label=_("Purpose"), choices=Purpose.choices, empty_label=_("Any purpose")
    )
    created = django_filters.DateFromToRangeFilter(
        label=_("Queued between"),
        field_name="created_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Message
        fields: list[str] = []


@dataclass(frozen=True)
class OutboxCounts:
    queued: int
    sent: int
    failed: int
    refused: int


def outbox_counts() -> OutboxCounts:
    """The outbox by state, in one query (the back-office home)."""
    totals = Message.objects.aggregate(
        queued=Count("pk", filter=Q(status__in=[Status.QUEUED, Status.SENDING])),
        sent=Count("pk", filter=Q(status=Status.SENT)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        refused=Count("pk", filter=Q(status=Status.REFUSED)),
    )
    return OutboxCounts(**totals)
