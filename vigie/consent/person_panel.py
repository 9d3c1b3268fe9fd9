"""The consent section of a person's page: one line per purpose, with the proof link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone

from vigie.accounts.permissions import Permission
from vigie.consent.models import Status, Subscription, SuppressionEntry
from vigie.lib.purposes import Purpose
from vigie.people.models import Person
from vigie.people.panels import Panel


@dataclass(frozen=True)
class PurposeState:
    purpose: str
    status: str
    since: datetime | None
    soft_opt_in: bool
    #: A double opt-in that expired unconfirmed (R43): shown beside the state it left.
    lapsed_at: datetime | None = None


def consent_panel(request: HttpRequest, person: Person) -> Panel | None:
    """Every marketing purpose, subscribed or not, in the policy's order (R34)."""
    if not request.user.has_vigie_permission(Permission.CONSENT_VIEW):  # type: ignore[union-attr]
        return None
    subscriptions = {s.purpose: s for s in Subscription.objects.filter(person=person)}
    labels = dict(Status.choices)
    now = timezone.now()
    states = []
    for purpose in Purpose:
        sub = subscriptions.get(purpose.value)
        status = sub.effective_status(now) if sub else ""
        states.append(
            PurposeState(
                purpose=str(purpose.label),
                status=str(labels.get(status, "")),
                since=sub.since if sub else None,
                soft_opt_in=bool(sub and sub.soft_opt_in),
                lapsed_at=sub.pending_expires_at if sub and sub.lapsed(now) else None,
            )
        )
    # R43: the suppressions the person lifted by a new act stay, marked; found through the
    # confirmation that lifted them, without opening the person's addresses.
    lifted = SuppressionEntry.objects.filter(lifted_by__person=person).order_by("lifted_at", "pk")
    context = {"person": person, "states": states, "lifted": list(lifted)}
    return Panel("consent/backoffice/_person_panel.html", context)
