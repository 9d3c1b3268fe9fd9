"""What the rights dashboard reads (R47): open cases by clock colour, set-based.

The colour of one case is its legal clock's (``services.clock_of(case).colour(now)``);
the dashboard counts and filters the same colours in the database, from the due date
each case stores (``None`` while the clock is suspended), so that a list of a few
thousand cases is never walked in Python. A test checks that both agree.

A complaint or a CNIL inquiry (R80) has the deadline the privacy lead sets, not the
Art. 12(3) month: its colour comes from that date, and it is green until one is set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from vigie.lib.legal_calendar import AMBER_DAYS, ORANGE_DAYS, ClockColour, is_late, paris_day
from vigie.rights.models import OPEN_STATUSES, Case
from vigie.rights.services import clock_of

COLOUR_LABELS = {
    ClockColour.GREEN: _("On time"),
    ClockColour.AMBER: _("7 days or less"),
    ClockColour.ORANGE: _("2 days or less"),
    ClockColour.RED: _("Overdue"),
    ClockColour.SUSPENDED: _("Clock suspended"),
}


def open_cases() -> QuerySet[Case]:
    return Case.objects.filter(status__in=OPEN_STATUSES)


def colour_q(colour: str, now: datetime) -> Q:
    """The cases of ``colour`` at ``now``, as a database filter."""
    today = paris_day(now)
    set_by_hand = Q(deadline_set_by_privacy_lead=True)
    if colour == ClockColour.SUSPENDED:
        return Q(due_date__isnull=True) & ~set_by_hand
    if colour == ClockColour.RED:
        return Q(due_date__lt=today)
    if colour == ClockColour.ORANGE:
        return Q(due_date__gte=today, due_date__lte=today + timedelta(days=ORANGE_DAYS))
    if colour == ClockColour.AMBER:
        return Q(
            due_date__gt=today + timedelta(days=ORANGE_DAYS),
            due_date__lte=today + timedelta(days=AMBER_DAYS),
        )
    if colour == ClockColour.GREEN:
        return Q(due_date__gt=today + timedelta(days=AMBER_DAYS)) | (
            Q(due_date__isnull=True) & set_by_hand
        )
    raise ValueError(colour)


def colour_counts(cases: QuerySet[Case], now: datetime) -> dict[str, int]:
    """How many of ``cases`` are of each colour, in one query."""
    found = cases.aggregate(**{c.value: Count("pk", filter=colour_q(c, now)) for c in ClockColour})
    return {c.value: int(found[c.value] or 0) for c in ClockColour}


def colour_of(case: Case, now: datetime) -> ClockColour:
    """The case's colour: its legal clock's, or that of the deadline set by hand (R80)."""
    if not case.deadline_set_by_privacy_lead:
        return clock_of(case).colour(now)
    if case.due_date is None:
        return ClockColour.GREEN
    if is_late(case.due_date, now):
        return ClockColour.RED
    left = (case.due_date - paris_day(now)).days
    if left <= ORANGE_DAYS:
        return ClockColour.ORANGE
    if left <= AMBER_DAYS:
        return ClockColour.AMBER
    return ClockColour.GREEN


def days_left(case: Case, now: datetime) -> int | None:
    """Days from today (Paris) to the due date, negative when late; while suspended,
    the days the requester's answer gives back; ``None`` with no deadline yet."""
    if case.deadline_set_by_privacy_lead:
        return None if case.due_date is None else (case.due_date - paris_day(now)).days
    return clock_of(case).remaining_days(now)


def staff_names(labels: Iterable[str]) -> dict[str, str]:
    """``{"user:12": "Claire Moreau", …}`` for actor labels (``kind:id``), as the audit
    log names them (one query)."""
    from vigie.audit.display import actor_names, actor_text

    pairs = {tuple(label.split(":", 1)) for label in labels if ":" in label}
    names: Mapping[tuple[str, str], str] = actor_names(pairs)  # type: ignore[arg-type]
    out = {}
    for kind, actor_id in pairs:
        if kind == "subject":
            out[f"{kind}:{actor_id}"] = str(_("the requester"))
        else:
            out[f"{kind}:{actor_id}"] = actor_text(kind, actor_id, names)
    return out


def dashboard_counts(now: datetime) -> dict[str, object]:
    """The back-office home's panel: open requests, and how many of each colour."""
    counts = colour_counts(open_cases(), now)
    return {
        "open": sum(counts.values()),
        "colours": [
            {"code": c.value, "label": COLOUR_LABELS[c], "count": counts[c.value]}
            for c in ClockColour
        ],
    }
