"""The law's dates, computed one way everywhere (C1–C3 of the requirements).

Calendar-month arithmetic (Art. 12(3), Art. 14(3)(a)), ISO 8601 retention periods
(R12), the fiscal-year close from which accounting documents are kept
(C. com. L123-22, R17: an invoice of 15/05/2023, calendar fiscal year, is deleted
on 31/12/2033), French working days (C1), and the clock of a rights request
(:class:`RequestClock`, R47–R48: due date, outer limit, suspension, extension,
alerts). docs/legal-calendar.md explains the rules for a privacy lead.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext, gettext_noop

Moment = TypeVar("Moment", date, datetime)

#: C1: the law's days are Paris days (storage stays in UTC).
PARIS = ZoneInfo("Europe/Paris")

_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def add_months(moment: Moment, months: int) -> Moment:
    """Same calendar day ``months`` later, or that month's last day (C2: 31 Jan → 28 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def paris_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in Europe/Paris (C1); a naive moment is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(PARIS).date()


def one_month_due_date(received: datetime) -> date:
    """C2: due the same calendar date one month after the Paris day of receipt, or
    that month's last day (31 Jan → 28 Feb). The date ends at 23:59:59 Paris time
    (``end_of_day``): received 03/02/2025 14:00 → due 03/03/2025, late from
    04/03/2025 00:00 (``late_from``)."""
    return add_months(paris_day(received), 1)


def end_of_day(day: date) -> datetime:
    """23:59:59 (Europe/Paris) on ``day``: the last moment of a due date (C2)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=PARIS)


def late_from(day: date) -> datetime:
    """The first moment after the due date ``day``: 00:00 Paris time the next day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=PARIS)


def is_late(day: date, now: datetime) -> bool:
    """Whether something due on ``day`` (C2) is late at ``now``."""
    return paris_day(now) > day


@dataclass(frozen=True)
class Period:
    """An ISO 8601 period of whole months and days (``P10Y``, ``P13M``, ``P7D``)."""

    months: int = 0
    days: int = 0

    def __add__(self, other: Period) -> Period:
        return Period(self.months + other.months, self.days + other.days)


def parse_period(value: str | None) -> Period:
    """``P3Y`` → 36 months; ``None`` or empty → no time at all."""
    if not value:
        return Period()
    match = _PERIOD.match(value)
    if not match or value == "P":
        raise ValueError(f"{value!r} is not an ISO 8601 period such as P6M or P10Y")
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    return Period(years * 12 + months, weeks * 7 + days)


def add_period(day: date, period: Period) -> date:
    """The day ``period`` after ``day``: months first (C2), then days."""
    return add_months(day, period.months) + timedelta(days=period.days)


def subtract_period(day: date, period: Period) -> date:
    """The latest start whose ``add_period`` is on or before ``day``.

    Month arithmetic clamps (31 Jan + 1 month = 28 Feb), so several starts can end
    on the same day: when ``day`` is a month's last day, every later day of the
    target month ends there too, and the cut-off is that month's last day.
    """
    day = day - timedelta(days=period.days)
    month_index = day.month - 1 - period.months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def parse_year_end(value: str) -> tuple[int, int]:
    """``"12-31"`` → (12, 31); refuses days that do not exist every year (29 Feb)."""
    match = re.fullmatch(r"(\d{2})-(\d{2})", value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a month and day such as 12-31")
    month, day = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2023, month)[1]:
        raise ValueError(f"{value!r} is not a day that exists every year")
    return month, day


def fiscal_year_close(day: date, year_end: str = "12-31") -> date:
    """The close of the fiscal year ``day`` belongs to: the first year end on or after it."""
    month, dom = parse_year_end(year_end)
    close = date(day.year, month, dom)
    return close if close >= day else date(day.year + 1, month, dom)


def last_fiscal_year_close(day: date, year_end: str = "12-31") -> date:
    """The latest fiscal-year close on or before ``day``."""
    month, dom = parse_year_end(year_end)
    close = date(day.year, month, dom)
    return close if close <= day else date(day.year - 1, month, dom)


def retention_end(
    start: date, period: Period, *, from_fiscal_year_close: bool = False, year_end: str = "12-31"
) -> date:
    """The day a record's retention ends (R12, R17).

    With ``from_fiscal_year_close`` the clock starts at the close of the start's
    fiscal year (C. com. L123-22): 15/05/2023 + P10Y → 31/12/2033.
    """
    if from_fiscal_year_close:
        start = fiscal_year_close(start, year_end)
    return add_period(start, period)


#: C. com. L123-22: accounting documents are kept 10 years (from their fiscal year's close).
ACCOUNTING_RETENTION = Period(months=120)
#: C. civ. 2224, C. com. L110-4: the limitation period of contractual claims.
LIMITATION_PERIOD = Period(months=60)


def accounting_keep_until(last_document: date, year_end: str = "12-31") -> date:
    """Until when an erasure may keep accounting documents (Art. 17(3)(b), C. com. L123-22):
    the close of the 10th fiscal year after the fiscal year of the last document
    (invoice of 15/05/2023, year ending 31/12 → 31/12/2033)."""
    return retention_end(
        last_document, ACCOUNTING_RETENTION, from_fiscal_year_close=True, year_end=year_end
    )


def limitation_keep_until(ended: date) -> date:
    """Until when an erasure may keep what proves a contract (Art. 17(3)(e)): the end of
    the 5-year limitation period from the contract's end (30/06/2023 → 30/06/2028)."""
    return add_period(ended, LIMITATION_PERIOD)


def retention_cutoff(
    today: date, period: Period, *, from_fiscal_year_close: bool = False, year_end: str = "12-31"
) -> date:
    """The latest start date whose retention has ended by ``today``.

    A record is past its retention exactly when ``start <= cutoff``, which lets the
    purge select expired rows with one comparison in SQL. With the fiscal-year
    clock, ``close(start) <= X`` holds exactly when ``start`` is on or before the
    last close on or before ``X``.
    """
    latest = subtract_period(today, period)
    if from_fiscal_year_close:
        return last_fiscal_year_close(latest, year_end)
    return latest


# --- Rights requests: the Art. 12(3) clock (R47, R48, C1, C2) --------------------------


def french_public_holidays(year: int) -> frozenset[date]:
    """Metropolitan France's public holidays of ``year`` (C1), from the ``holidays`` library.

    No subdivision: Alsace-Moselle's Good Friday and 26 December are not included,
    nor the overseas departments' days. 2025: 1 Jan, 21 Apr, 1 May, 8 May, 29 May,
    9 Jun, 14 Jul, 15 Aug, 1 Nov, 11 Nov and 25 Dec.
    """
    return _french_public_holidays(year)


@functools.lru_cache(maxsize=64)
def _french_public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year))


def is_working_day(day: date) -> bool:
    """C1: Monday to Friday, and not a French public holiday."""
    return day.weekday() < 5 and day not in french_public_holidays(day.year)


def outer_limit(due: date) -> date:
    """C2: ``due``, or the next working day when it falls on a Saturday, a Sunday or a
    public holiday (Reg. 1182/71 Art. 3(4)): 10/08/2025 (Sunday) → 11/08/2025;
    11/11/2025 (Armistice) → 12/11/2025."""
    day = due
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


#: The alerts of R47 fall this many days before the due date (D-7, then D-2).
AMBER_DAYS = 7
ORANGE_DAYS = 2


class ClockColour(StrEnum):
    """Where a request stands against its due date (the rights dashboard's colours)."""

    GREEN = "green"
    #: From 00:00 Paris on D-7.
    AMBER = "amber"
    #: From 00:00 Paris on D-2.
    ORANGE = "orange"
    #: Overdue: from 00:00 Paris the day after the due date.
    RED = "red"
    #: Waiting for the requester (identity challenge): the clock is stopped (R48).
    SUSPENDED = "suspended"


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# The messages people read, by code; ``DeadlineError.message`` translates them when read.
_MESSAGES: dict[str, str] = {
    "initial_deadline_expired": gettext_noop(
        "Extension refused: initial deadline expired. The one-month deadline ended on "
        "%(due)s; an extension had to be notified by then (GDPR Art. 12(3))."
    ),
    "already_extended": gettext_noop(
        "This request has already been extended, until %(due)s; GDPR Art. 12(3) allows "
        "one extension of two further months."
    ),
    "reasons_required": gettext_noop(
        "An extension needs its reasons: the requester must be told why (GDPR Art. 12(3))."
    ),
    "notice_not_sent": gettext_noop(
        "Extension refused: the extension notice to the requester was not sent. Send it "
        "first; the extension is recorded only once the requester has been told."
    ),
    "before_receipt": gettext_noop("%(when)s is before the request was received (%(received)s)."),
    "deadline_expired": gettext_noop(
        "The clock cannot be suspended on %(when)s: the deadline already ended on %(due)s."
    ),
    "already_suspended": gettext_noop(
        "The clock is already suspended since %(since)s; record the requester's answer first."
    ),
    "not_suspended": gettext_noop("The clock is not suspended; there is no answer to record."),
    "suspension_order": gettext_noop(
        "Suspensions must follow one another: one starting on %(start)s cannot come "
        "before the end of the previous one (%(previous)s)."
    ),
    "answer_before_challenge": gettext_noop(
        "The answer (%(end)s) cannot come before the challenge (%(start)s)."
    ),
}


class DeadlineError(ValueError):
    """A change to a request's clock that the law does not allow; ``message`` says why,
    in the active language (French or English), for the page that shows it."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return gettext(_MESSAGES[self.code]) % self.params

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Suspension:
    """The clock stopped from the challenge (``start``, e.g. an identity check sent) to
    the requester's answer (``end``; ``None`` while still waiting). R48 ``suspended_from/to``."""

    start: datetime
    end: datetime | None = None

    @property
    def start_day(self) -> date:
        return paris_day(self.start)

    @property
    def end_day(self) -> date | None:
        return None if self.end is None else paris_day(self.end)

    @property
    def days(self) -> int | None:
        """Days carried over: answer date − challenge date (0 when answered the same day)."""
        end = self.end_day
        return None if end is None else (end - self.start_day).days


@dataclass(frozen=True)
class Extension:
    """The two further months of Art. 12(3): when the notice was sent, and why."""

    noticed_at: datetime
    reasons: str

    def __post_init__(self) -> None:
        if not self.reasons.strip():
            raise DeadlineError("reasons_required")

    @property
    def noticed_on(self) -> date:
        return paris_day(self.noticed_at)


@dataclass(frozen=True)
class RequestClock:
    """The legal clock of one rights request (R47): what a case stores, and what it asks.

    Rules (Art. 12(3) GDPR; C1–C2; R47–R48):

    * **Due date**: the Paris day of receipt, one month later, same calendar date or the
      month's last day (31/01 → 28/02); it ends at 23:59:59 Paris time.
    * **Outer limit**: the due date moved to the next working day when it falls on a
      weekend or a French public holiday (Reg. 1182/71 Art. 3(4)).
    * **Suspension**: from the challenge to the answer the clock stops; the remaining days
      are carried over: remaining = due date − challenge date, new due date = answer
      date + remaining, i.e. the due date moves by (answer date − challenge date) days.
      Several suspensions add up, one after the other; one can start on the due date
      at the latest, never after it.
    * **Extension**: once, noticed on or before the due date as it stands that day (the
      one-month date, suspensions carried; a notice during a suspension is in time),
      with reasons and the notice actually sent. The due date becomes the receipt
      date + 3 months, suspensions carried. Later: « délai initial expiré ».
    * **Alerts and colour**: D-7 and D-2 before the due date; green, amber from 00:00 on
      D-7, orange from 00:00 on D-2, red from 00:00 the day after the due date (Paris).

    Days are Paris days (C1): the moments stored are converted first (a naive one is UTC).
    The value is immutable; ``suspend``, ``resume`` and ``extend`` return a new clock or
    raise :class:`DeadlineError`.
    """

    received_at: datetime
    suspensions: tuple[Suspension, ...] = ()
    extension: Extension | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "suspensions", tuple(self.suspensions))
        self._check()

    # -- what the clock says ------------------------------------------------------------

    @property
    def received_on(self) -> date:
        return paris_day(self.received_at)

    @property
    def suspended(self) -> bool:
        """Whether the clock is stopped: a challenge whose answer has not come yet."""
        return bool(self.suspensions) and self.suspensions[-1].end is None

    @property
    def carried_days(self) -> int:
        """Days added by the suspensions that have ended."""
        return sum(s.days or 0 for s in self.suspensions)

    @property
    def due_date(self) -> date | None:
        """The day the answer is due (ending 23:59:59 Paris); ``None`` while suspended."""
        if self.suspended:
            return None
        return self._base_due() + timedelta(days=self.carried_days)

    @property
    def outer_limit(self) -> date | None:
        due = self.due_date
        return None if due is None else outer_limit(due)

    @property
    def alert_days(self) -> tuple[date, date] | None:
        """The days the D-7 and D-2 alerts fall on."""
        due = self.due_date
        if due is None:
            return None
        return due - timedelta(days=AMBER_DAYS), due - timedelta(days=ORANGE_DAYS)

    def remaining_days(self, now: datetime) -> int:
        """Days left from the Paris day of ``now`` to the due date (negative when late).

        While suspended, the days that were left on the challenge day, which the
        requester's answer gives back: due date − challenge date."""
        if self.suspended:
            start = self.suspensions[-1].start_day
            return (self._base_due() + timedelta(days=self.carried_days) - start).days
        due = self.due_date
        assert due is not None
        return (due - paris_day(now)).days

    def provisional_due_date(self, now: datetime) -> date:
        """The due date if the requester answered at ``now`` (the due date when not suspended)."""
        due = self.due_date
        if due is not None:
            return due
        return paris_day(now) + timedelta(days=self.remaining_days(now))

    def colour(self, now: datetime) -> ClockColour:
        """Green, amber from D-7, orange from D-2, red from 00:00 Paris after the due date."""
        due = self.due_date
        if due is None:
            return ClockColour.SUSPENDED
        if is_late(due, now):
            return ClockColour.RED
        today = paris_day(now)
        if today >= due - timedelta(days=ORANGE_DAYS):
            return ClockColour.ORANGE
        if today >= due - timedelta(days=AMBER_DAYS):
            return ClockColour.AMBER
        return ClockColour.GREEN

    def is_overdue(self, now: datetime) -> bool:
        return self.colour(now) is ClockColour.RED

    # -- what may happen to it ----------------------------------------------------------

    def suspend(self, at: datetime) -> RequestClock:
        """Stop the clock at ``at`` (a challenge sent to the requester)."""
        if self.suspended:
            raise DeadlineError("already_suspended", since=_day(self.suspensions[-1].start_day))
        return replace(self, suspensions=(*self.suspensions, Suspension(at)))

    def resume(self, at: datetime) -> RequestClock:
        """Restart the clock at ``at`` (the requester's answer came in)."""
        if not self.suspended:
            raise DeadlineError("not_suspended")
        last = replace(self.suspensions[-1], end=at)
        return replace(self, suspensions=(*self.suspensions[:-1], last))

    def extend(
        self, at: datetime, *, reasons: str, notice_sent: bool | Callable[[], bool]
    ) -> RequestClock:
        """Extend by two months (Art. 12(3)), the notice sent at ``at``.

        ``notice_sent`` is whether the requester was told, or a callable that sends the
        notice and says whether it went out; it is called only once every other rule
        holds, so no notice is sent for an extension that would be refused.
        """
        if self.extension is not None:
            extended_to = self._base_due() + timedelta(days=self.carried_days)
            raise DeadlineError("already_extended", due=_day(extended_to))
        self._check_in_time(paris_day(at))
        extended = replace(self, extension=Extension(at, reasons))
        sent = notice_sent() if callable(notice_sent) else notice_sent
        if not sent:
            raise DeadlineError("notice_not_sent")
        return extended

    # -- how -----------------------------------------------------------------------------

    def _base_due(self) -> date:
        return add_months(self.received_on, 3 if self.extension else 1)

    def _due_on(self, day: date, *, extended: bool) -> date:
        """The due date as it stood on ``day``: the suspensions answered by then carried."""
        carried = sum(
            s.days or 0 for s in self.suspensions if s.end_day is not None and s.end_day <= day
        )
        return add_months(self.received_on, 3 if extended else 1) + timedelta(days=carried)

    def _check(self) -> None:
        received = self.received_on
        previous_end = received
        for index, suspension in enumerate(self.suspensions):
            start, end = suspension.start_day, suspension.end_day
            if start < received:
                raise DeadlineError("before_receipt", when=_day(start), received=_day(received))
            if start < previous_end:
                raise DeadlineError(
                    "suspension_order", start=_day(start), previous=_day(previous_end)
                )
            extended = self.extension is not None and self.extension.noticed_on <= start
            due = self._due_on(start, extended=extended)
            if start > due:
                raise DeadlineError("deadline_expired", when=_day(start), due=_day(due))
            if end is None:
                if index != len(self.suspensions) - 1:
                    raise DeadlineError("already_suspended", since=_day(start))
                previous_end = start
            elif end < start:
                raise DeadlineError("answer_before_challenge", end=_day(end), start=_day(start))
            else:
                previous_end = end
        if self.extension is not None:
            self._check_in_time(self.extension.noticed_on)

    def _check_in_time(self, noticed: date) -> None:
        """An extension noticed on ``noticed`` is within the first month (R47)."""
        if noticed < self.received_on:
            raise DeadlineError(
                "before_receipt", when=_day(noticed), received=_day(self.received_on)
            )
        for suspension in self.suspensions:
            end = suspension.end_day
            if suspension.start_day <= noticed and (end is None or noticed < end):
                return  # The clock was stopped: the month had not run out.
        one_month = self._due_on(noticed, extended=False)
        if noticed > one_month:
            raise DeadlineError("initial_deadline_expired", due=_day(one_month))
