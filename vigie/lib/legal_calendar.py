"""The law's dates, computed one way everywhere (C1–C3 of the requirements).

Calendar-month arithmetic (Art. 12(3), Art. 14(3)(a)), ISO 8601 retention periods
(R12) and the fiscal-year close from which accounting documents are kept
(C. com. L123-22, R17: an invoice of 15/05/2023, calendar fiscal year, is deleted
on 31/12/2033).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

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
