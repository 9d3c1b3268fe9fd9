"""The law's dates, computed one way everywhere (C1–C3 of the requirements).

For now: calendar-month arithmetic (Art. 12(3), Art. 14(3)(a)). The working-day and
fiscal-year rules join here when the rights and retention domains need them.
"""

from __future__ import annotations

import calendar
from datetime import datetime


def add_months(moment: datetime, months: int) -> datetime:
    """Same calendar day ``months`` later, or that month's last day (C2: 31 Jan → 28 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
