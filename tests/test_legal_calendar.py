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


def test_an_invoice_of_15_may_2023_is_deleted_on_31_december_2033() -> None:
    """R17's worked example: calendar fiscal year, 10 years from its close."""
    from datetime import date

    from vigie.lib.legal_calendar import fiscal_year_close, parse_period, retention_end

    assert fiscal_year_close(date(2023, 5, 15)) == date(2023, 12, 31)
    end = retention_end(date(2023, 5, 15), parse_period("P10Y"), from_fiscal_year_close=True)
    assert end == date(2033, 12, 31)


def test_the_fiscal_year_end_is_a_parameter() -> None:
    from datetime import date

    from vigie.lib.legal_calendar import fiscal_year_close, last_fiscal_year_close

    assert fiscal_year_close(date(2023, 5, 15), "03-31") == date(2024, 3, 31)
    assert fiscal_year_close(date(2023, 3, 31), "03-31") == date(2023, 3, 31)
    assert last_fiscal_year_close(date(2023, 3, 30), "03-31") == date(2022, 3, 31)


def test_a_fiscal_year_cannot_end_on_29_february() -> None:
    from vigie.lib.legal_calendar import parse_year_end

    with pytest.raises(ValueError, match="every year"):
        parse_year_end("02-29")
    with pytest.raises(ValueError, match="month and day"):
        parse_year_end("31/12")


def test_the_invoice_is_expired_on_its_end_day_and_not_the_day_before() -> None:
    from datetime import date

    from vigie.lib.legal_calendar import parse_period, retention_cutoff

    ten_years = parse_period("P10Y")
    on_the_day = retention_cutoff(date(2033, 12, 31), ten_years, from_fiscal_year_close=True)
    day_before = retention_cutoff(date(2033, 12, 30), ten_years, from_fiscal_year_close=True)
    assert date(2023, 5, 15) <= on_the_day
    assert not date(2023, 5, 15) <= day_before


@pytest.mark.parametrize("period", ["P1M", "P1Y", "P13M", "P3Y", "P7D", "P1Y2M10D"])
def test_the_cutoff_selects_exactly_the_starts_whose_retention_has_ended(period) -> None:
    """``start <= cutoff`` ⇔ ``retention_end(start) <= today``, clamped month ends included."""
    from datetime import date, timedelta

    from vigie.lib.legal_calendar import parse_period, retention_cutoff, retention_end

    rule = parse_period(period)
    for today in [date(2025, 2, 28), date(2024, 2, 29), date(2025, 3, 30), date(2025, 12, 31)]:
        cutoff = retention_cutoff(today, rule)
        for offset in range(-800, -1):
            start = today + timedelta(days=offset)
            assert (start <= cutoff) == (retention_end(start, rule) <= today), (today, start)


def test_a_period_reads_years_months_weeks_and_days() -> None:
    from vigie.lib.legal_calendar import Period, parse_period

    assert parse_period("P10Y") == Period(120, 0)
    assert parse_period("P2W3D") == Period(0, 17)
    assert parse_period(None) == Period()
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_period("10 years")


def test_a_one_month_deadline_is_a_paris_date_ending_at_23_59_59() -> None:
    """C2 for Art. 14(3)(a) (issue 10): collected 03/02/2025 14:00 → due 03/03/2025,
    whatever the time of day, and late only from 04/03/2025 00:00 Paris time."""
    from datetime import date, timedelta

    from vigie.lib.legal_calendar import PARIS, end_of_day, is_late, late_from, one_month_due_date

    collected = datetime(2025, 2, 3, 14, 0, tzinfo=PARIS)
    due = one_month_due_date(collected)
    assert due == date(2025, 3, 3)
    assert end_of_day(due) == datetime(2025, 3, 3, 23, 59, 59, tzinfo=PARIS)
    assert late_from(due) == datetime(2025, 3, 4, 0, 0, tzinfo=PARIS)
    assert not is_late(due, datetime(2025, 3, 3, 23, 59, 59, tzinfo=PARIS))
    assert is_late(due, datetime(2025, 3, 4, 0, 0, tzinfo=PARIS))
    # The day is the Paris day: 31/01 at 23:30 Paris is still 31/01 (22:30 UTC)…
    assert one_month_due_date(datetime(2025, 1, 31, 22, 30, tzinfo=UTC)) == date(2025, 2, 28)
    # …and 01/03 00:30 Paris (28/02 23:30 UTC) is already March.
    assert one_month_due_date(datetime(2025, 2, 28, 23, 30, tzinfo=UTC)) == date(2025, 4, 1)
    assert late_from(due) - end_of_day(due) == timedelta(seconds=1)
