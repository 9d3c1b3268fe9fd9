"""Worked examples of C2 (requirements §0) for calendar months."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vigie.lib.legal_calendar import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ((2025, 1, 31), 1, (2025, 2, 28)),
        ((2024, 1, 31), 1, (2024, 2, 29)),
        ((2025, 2, 3), 1, (2025, 3, 3)),
        ((2025, 12, 15), 1, (2026, 1, 15)),
        ((2025, 1, 31), 3, (2025, 4, 30)),
        ((2025, 5, 31), 12, (2026, 5, 31)),
    ],
)
def test_one_month_is_the_same_day_or_the_months_last_day(start, months, expected) -> None:
    moment = datetime(*start, 10, 30, tzinfo=UTC)
    assert add_months(moment, months) == datetime(*expected, 10, 30, tzinfo=UTC)
