"""The daily work of the rights domain: deadline alerts (R47), cases closed when the
identity was never confirmed (R48), identity documents deleted (R48, R12).

Each job selects its cases in the database (a few queries, whatever their number),
then handles each case in its own transaction, under the case's lock, re-checking
what it selected: run twice, or by two workers at once, it does nothing the second
time.

**Alerts (R47).** For each open case with a due date, the stage its clock has reached
at 00:00 Paris (``legal_calendar.RequestClock.colour``): D-7 (amber), D-2 (orange),
overdue (red, from 00:00 the day after the due date). Each stage is alerted once per
due date (``Alert``'s unique constraint): an e-mail to the handler and to every active
privacy lead, a timeline entry and an audit event. A suspended case has no due date,
so no alert; an extended or moved due date gets its own alerts. A stage missed (the
worker was stopped that day) is alerted the next run; a stage already passed is not
(a case found at D-2 gets the D-2 alert, not the D-7 one).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigie.accounts.models import User
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import AMBER_DAYS, ORANGE_DAYS, PARIS, outer_limit, paris_day
from vigie.mail.models import Kind
from vigie.rights import services
from vigie.rights.actions import RightsAction
from vigie.rights.models import (
    OPEN_STATUSES,
    Alert,
    Case,
    Challenge,
    IdentityDocument,
    IdentityStatus,
    Status,
)

log = logging.getLogger("vigie.rights")

ALERT_TEMPLATE = "staff_deadline_alert"
D7, D2, OVERDUE = "d7", "d2", "overdue"
#: Most urgent first: a case matches one stage on a given day.
STAGES = (OVERDUE, D2, D7)


@dataclass(frozen=True)
class Stage:
    kind: str
    #: Due dates in this stage today (inclusive bounds; ``None``: open-ended).
    first: date | None
    last: date | None


def stages(today: date) -> list[Stage]:
    """The due dates each alert covers on ``today`` (Paris): overdue before today,
    D-2 from today to today + 2, D-7 from today + 3 to today + 7."""
    return [
        Stage(OVERDUE, None, today - timedelta(days=1)),
        Stage(D2, today, today + timedelta(days=ORANGE_DAYS)),
        Stage(D7, today + timedelta(days=ORANGE_DAYS + 1), today + timedelta(days=AMBER_DAYS)),
    ]


def alerts_due(today: date) -> dict[str, QuerySet[Case]]:
    """For each stage, the open cases in it today not yet alerted for their due date."""
    found: dict[str, QuerySet[Case]] = {}
    for stage in stages(today):
        given = Alert.objects.filter(
            case=OuterRef("pk"), kind=stage.kind, due_date=OuterRef("due_date")
        )
        cases = Case.objects.filter(status__in=OPEN_STATUSES, due_date__isnull=False)
        if stage.first is not None:
            cases = cases.filter(due_date__gte=stage.first)
        if stage.last is not None:
            cases = cases.filter(due_date__lte=stage.last)
        found[stage.kind] = cases.exclude(Exists(given)).order_by("due_date", "pk")
    return found


def _stage_of(case: Case, today: date) -> str | None:
    if case.due_date is None or case.status not in OPEN_STATUSES:
        return None
    for stage in stages(today):
        if (stage.first is None or case.due_date >= stage.first) and (
            stage.last is None or case.due_date <= stage.last
        ):
            return stage.kind
    return None


def alert_recipients(case: Case) -> list[User]:
    """The handler and every active privacy lead (R47); one message each."""
    leads = list(User.objects.filter(is_active=True, role=Role.PRIVACY_LEAD).order_by("pk"))
    handler = case.handler
    if handler is not None and handler.is_active and handler not in leads:
        leads.insert(0, handler)
    return leads


def send_deadline_alerts(now: datetime | None = None) -> int:
    """Give today's D-7, D-2 and overdue alerts not given yet; return how many.
    Idempotent: a case already alerted for this stage and due date is skipped. Each case
    in its own transaction: one that fails (its alert row, messages and entries rolled
    back together) is given at the next run, and does not hold back the others."""
    from vigie.mail.services import queue_messages

    now = now or timezone.now()
    today = paris_day(now)
    actor = Actor.system("rights deadlines")
    given = 0
    for kind, cases in alerts_due(today).items():
        for case_id in list(cases.values_list("pk", flat=True)):
            try:
                with transaction.atomic():
                    case = (
                        Case.objects.select_for_update(of=("self",))
                        .select_related("handler")
                        .get(pk=case_id)
                    )
                    if _stage_of(case, today) != kind or case.due_date is None:
                        continue  # Moved, suspended or closed since the selection.
                    # The constraint settles two runs at once: the second insert fails.
                    Alert.objects.create(case=case, kind=kind, due_date=case.due_date, sent_at=now)
                    recipients = alert_recipients(case)
                    if recipients:
                        queue_messages(
                            actor,
                            recipients,
                            ALERT_TEMPLATE,
                            kind=Kind.SERVICE,
                            context={"case": str(case.pk), "alert": kind},
                            language=settings.LANGUAGE_CODE[:2],
                        )
                    else:
                        log.warning(
                            "rights case %s: no handler nor privacy lead to alert", case.number
                        )
                    services._log(
                        actor,
                        case,
                        RightsAction.DEADLINE_ALERT,
                        "alert",
                        alert=kind,
                        due_date=case.due_date.isoformat(),
                        recipients=len(recipients),
                    )
            except IntegrityError:
                continue  # Another run gave it meanwhile.
            except Exception as error:
                # This case's alert, its messages and its entries are rolled back together:
                # the next run gives it. The others go on. The kind of error only: its text
                # may quote personal data.
                log.error("rights case %s: alert not given (%s)", case_id, type(error).__name__)
                continue
            given += 1
    return given


def alert_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """What the staff alert says, read at render time (mail's context builder)."""
    from django.urls import reverse

    from vigie.mail.rendering import RenderError
    from vigie.rights.letters import types_in_words

    case = Case.objects.filter(pk=refs["case"]).select_related("handler").first()
    if case is None:
        raise RenderError("CASE_GONE: the rights case no longer exists")
    path = reverse("cases:detail", args=[case.pk])
    due = case.due_date
    with translation.override(language):
        return {
            "number": case.number,
            "alert": refs.get("alert", ""),
            "due_date": due.strftime("%d/%m/%Y") if due else "",
            "outer_limit": outer_limit(due).strftime("%d/%m/%Y") if due else "",
            "received_on": paris_day(case.received_at).strftime("%d/%m/%Y"),
            "types": types_in_words(case.types),
            "status_label": str(Status(case.status).label),
            "handler": case.handler.username if case.handler else "",
            "case_url": settings.SITE_URL.rstrip("/") + path,
        }


# -- R48: a challenge left unanswered -----------------------------------------------------------

_NEVER = datetime(1970, 1, 1, tzinfo=PARIS)


def unverified_due(now: datetime) -> QuerySet[Case]:
    """Open cases still awaiting identity ``VIGIE_RIGHTS_IDENTITY_DAYS`` after the last
    challenge: the open suspension's start, the last confirmation link, or the last
    identity document asked for, whichever came last."""
    cutoff = now - timedelta(days=services.identity_days())
    last_link = (
        Challenge.objects.filter(case=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    last_document = (
        IdentityDocument.objects.filter(case=OuterRef("pk"), requested_at__isnull=False)
        .order_by("-requested_at")
        .values("requested_at")[:1]
    )
    never = Value(_NEVER, output_field=DateTimeField())
    open_since = SqlCase(
        When(suspended_from__isnull=False, suspended_to__isnull=True, then=F("suspended_from")),
        default=never,
        output_field=DateTimeField(),
    )
    return (
        Case.objects.filter(
            status=Status.AWAITING_IDENTITY,
            # « Not checked »: a request from an unknown address with no address on file
            # to write to; the neutral reply asked for a reference, the clock is stopped.
            identity_status__in=[IdentityStatus.AWAITING, IdentityStatus.NOT_CHECKED],
        )
        .annotate(
            challenged_at=Greatest(
                open_since,
                Coalesce(Subquery(last_link, output_field=DateTimeField()), never),
                Coalesce(Subquery(last_document, output_field=DateTimeField()), never),
                # The neutral reply went out when the case was recorded: a request recorded
                # after its deadline (clock not stopped, maybe no link) waits from then too.
                F("recorded_at"),
            )
        )
        .filter(Q(challenged_at__gt=_NEVER), challenged_at__lte=cutoff)
        .order_by("challenged_at", "pk")
    )


def close_unverified_cases(now: datetime | None = None) -> int:
    """Close every case whose challenge went unanswered for the allowed days, with the
    letter saying why and the CNIL block (``services.close_unverified``). Idempotent:
    a closed case is no longer selected, and ``close_unverified`` refuses it."""
    now = now or timezone.now()
    actor = Actor.system("rights identity expiry")
    closed = 0
    for case in list(unverified_due(now)):
        with translation.override(case.language):
            reason = _(
                "The request to confirm your identity stayed unanswered for %(days)s days."
            ) % {"days": services.identity_days()}
        try:
            with transaction.atomic():
                # Re-checked under the case's lock: answered or challenged again meanwhile?
                Case.objects.select_for_update().filter(pk=case.pk).first()
                if not unverified_due(now).filter(pk=case.pk).exists():
                    continue
                services.close_unverified(actor, case, reason)
        except services.RightsError:
            continue  # Verified or closed meanwhile.
        closed += 1
    return closed
