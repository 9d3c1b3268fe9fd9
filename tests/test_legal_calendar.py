"""Worked examples of C1–C2 (requirements §0) and of the rights-request clock (R47, R48)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation

from vigie.lib.legal_calendar import (
    PARIS,
    ClockColour,
    DeadlineError,
    Extension,
    RequestClock,
    Suspension,
    add_months,
    is_working_day,
    outer_limit,
)


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


# --- The clock of a rights request (R47, R48, C1, C2; issue 13 item 4) -------------------


def paris(day: str, clock: str = "10:00") -> datetime:
    """A moment in Paris time: ``paris("2025-03-10", "23:30")``."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=PARIS)


def utc(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)


def d(day: str) -> date:
    return date.fromisoformat(day)


def suspended(start: str, end: str | None) -> Suspension:
    return Suspension(paris(start), paris(end) if end else None)


@contextmanager
def refused(code: str) -> Iterator[None]:
    """The block raises ``DeadlineError`` with ``code`` (its message is in the active language)."""
    with pytest.raises(DeadlineError) as error:
        yield
    assert error.value.code == code, error.value.message


# R47's worked examples, word for word.


def test_r47_received_10_march_is_due_10_april() -> None:
    clock = RequestClock(paris("2025-03-10"))
    assert clock.due_date == d("2025-04-10")
    assert clock.outer_limit == d("2025-04-10")  # a Thursday, a working day


def test_r47_an_extension_noticed_on_2_april_moves_the_due_date_to_10_june() -> None:
    clock = RequestClock(paris("2025-03-10"))
    extended = clock.extend(paris("2025-04-02"), reasons="Complex request", notice_sent=True)
    assert extended.due_date == d("2025-06-10")
    assert extended.extension is not None
    assert extended.extension.reasons == "Complex request"
    assert clock.due_date == d("2025-04-10")  # the clock is a value: the old one is unchanged


def test_r47_an_extension_on_11_april_is_refused_initial_deadline_expired() -> None:
    clock = RequestClock(paris("2025-03-10"))
    with pytest.raises(DeadlineError) as refused:
        clock.extend(paris("2025-04-11", "09:00"), reasons="Complex", notice_sent=True)
    assert refused.value.code == "initial_deadline_expired"
    with translation.override("fr"):
        assert "délai initial expiré" in refused.value.message
        assert "10/04/2025" in refused.value.message
    with translation.override("en"):
        assert "initial deadline expired" in str(refused.value)


def test_r47_received_31_january_is_due_28_february() -> None:
    assert RequestClock(paris("2025-01-31")).due_date == d("2025-02-28")


def test_r47_a_sunday_due_date_has_its_outer_limit_on_monday() -> None:
    clock = RequestClock(paris("2025-07-10"))
    assert (clock.due_date, clock.outer_limit) == (d("2025-08-10"), d("2025-08-11"))


def test_r47_a_holiday_due_date_has_its_outer_limit_the_next_working_day() -> None:
    clock = RequestClock(paris("2025-10-11"))
    assert (clock.due_date, clock.outer_limit) == (d("2025-11-11"), d("2025-11-12"))


def test_c1_lists_the_2025_holidays_and_weekends_are_not_working_days() -> None:
    c1 = ["01-01", "04-21", "05-01", "05-08", "05-29", "06-09", "07-14", "08-15", "11-01"]
    for day in [*c1, "11-11", "12-25"]:
        assert not is_working_day(d(f"2025-{day}")), day
    # Metropolitan France: Good Friday and 26 December are Alsace-Moselle's only.
    assert is_working_day(d("2025-04-18"))
    assert is_working_day(d("2025-12-26"))
    assert not is_working_day(d("2025-04-19"))  # a Saturday
    assert outer_limit(d("2025-04-10")) == d("2025-04-10")


# Our own table: (received at, due date, outer limit) — the receipt moment is a real
# instant, its Paris day is the day of receipt (C1).
@pytest.mark.parametrize(
    ("received", "due", "outer"),
    [
        # 31 → a 30-day month: the month's last day.
        (paris("2025-03-31"), "2025-04-30", "2025-04-30"),
        # Leap year: 31/01/2028 → 29/02/2028 (a Tuesday).
        (paris("2028-01-31"), "2028-02-29", "2028-02-29"),
        # Non-leap February ending on a Sunday: clamped, then moved to Monday 1 March.
        (paris("2027-01-31"), "2027-02-28", "2027-03-01"),
        # Year change, due on a Saturday → Monday 2 February.
        (paris("2025-12-31"), "2026-01-31", "2026-02-02"),
        # Due on New Year's Day (Thursday) → Friday 2 January.
        (paris("2025-12-01"), "2026-01-01", "2026-01-02"),
        # Due on Christmas (Thursday) → Friday 26 (a working day outside Alsace-Moselle).
        (paris("2025-11-25"), "2025-12-25", "2025-12-26"),
        # Easter 2026: Saturday 4, Sunday 5 (Easter), Monday 6 (Easter Monday) → Tuesday 7.
        (paris("2026-03-04"), "2026-04-04", "2026-04-07"),
        # Ascension 2026 (Thursday 14 May) → Friday 15, the "pont" is a working day.
        (paris("2026-04-14"), "2026-05-14", "2026-05-15"),
        # Whit Monday 2026: Saturday 23, Sunday 24, Monday 25 (Pentecôte) → Tuesday 26.
        (paris("2026-04-23"), "2026-05-23", "2026-05-26"),
        # 1 May 2026 is a Friday: holiday then weekend → Monday 4 May.
        (paris("2026-04-01"), "2026-05-01", "2026-05-04"),
        # DST ends on Sunday 26/10/2025: due that Sunday → Monday 27.
        (paris("2025-09-26"), "2025-10-26", "2025-10-27"),
        # DST starts on Sunday 29/03/2026: due Saturday 28 → Monday 30.
        (paris("2026-02-28"), "2026-03-28", "2026-03-30"),
        # Received during the DST switch night (01:30 CET on 30/03/2025, a Sunday).
        (utc("2025-03-30", "00:30"), "2025-04-30", "2025-04-30"),
        # 23:30 UTC on 09/03 (winter) is 00:30 on 10/03 in Paris: already the 10th.
        (utc("2025-03-09", "23:30"), "2025-04-10", "2025-04-10"),
        # 22:30 UTC on 30/06 (summer, UTC+2) is 00:30 on 1 July in Paris.
        (utc("2025-06-30", "22:30"), "2025-08-01", "2025-08-01"),
        # 21:30 UTC on 30/06 is still 23:30 on 30 June in Paris.
        (utc("2025-06-30", "21:30"), "2025-07-30", "2025-07-30"),
        # Received on a holiday (15 August): the period still runs from that day.
        (paris("2025-08-15"), "2025-09-15", "2025-09-15"),
        # 23:59 Paris on Christmas Eve counts as the 24th; due Saturday → Monday 26.
        (utc("2025-12-24", "22:59"), "2026-01-24", "2026-01-26"),
    ],
)
def test_due_date_and_outer_limit(received, due, outer) -> None:
    clock = RequestClock(received)
    assert (clock.due_date, clock.outer_limit) == (d(due), d(outer))


# Suspensions (R48): remaining = due − challenge date; new due = answer date + remaining.
@pytest.mark.parametrize(
    ("received", "suspensions", "due", "outer"),
    [
        # Across a month end: due 20/02, challenge 28/01, answer 03/02: 23 days were
        # left, 03/02 + 23 = 26/02 (6 days carried).
        ("2025-01-20", [("2025-01-28", "2025-02-03")], "2025-02-26", "2025-02-26"),
        # A clamped due date (28/02), suspended 25/02 → 04/03: 3 days left → 07/03.
        ("2025-01-31", [("2025-02-25", "2025-03-04")], "2025-03-07", "2025-03-07"),
        # Answered the same day: nothing carried.
        ("2025-03-10", [("2025-03-12", "2025-03-12")], "2025-04-10", "2025-04-10"),
        # Two suspensions (4 + 7 days), the first from the day of receipt: 10/04 + 11
        # = 21/04/2025, Easter Monday → outer limit Tuesday 22.
        (
            "2025-03-10",
            [("2025-03-10", "2025-03-14"), ("2025-03-25", "2025-04-01")],
            "2025-04-21",
            "2025-04-22",
        ),
        # Challenged 2 days before the due date, answered after it: not late, 2 days left.
        ("2025-03-10", [("2025-04-08", "2025-04-20")], "2025-04-22", "2025-04-22"),
        # Challenged on the due date itself: the day was not over, 0 days left → due
        # on the answer day.
        ("2025-03-10", [("2025-04-10", "2025-04-15")], "2025-04-15", "2025-04-15"),
    ],
)
def test_suspensions_carry_the_remaining_days_over(received, suspensions, due, outer) -> None:
    clock = RequestClock(paris(received))
    for start, end in suspensions:
        clock = clock.suspend(paris(start)).resume(paris(end))
    assert (clock.due_date, clock.outer_limit) == (d(due), d(outer))
    stored = RequestClock(paris(received), tuple(suspended(s, e) for s, e in suspensions))
    assert stored == clock  # what a case stores gives the same clock back


def test_a_suspended_clock_has_no_due_date_but_keeps_its_remaining_days() -> None:
    clock = RequestClock(paris("2025-03-10")).suspend(paris("2025-03-28"))
    assert clock.suspended
    assert (clock.due_date, clock.outer_limit, clock.alert_days) == (None, None, None)
    assert clock.colour(paris("2025-04-30")) is ClockColour.SUSPENDED
    # 10/04 − 28/03 = 13 days, whatever day it is now…
    assert clock.remaining_days(paris("2025-04-30")) == 13
    # …given back on the answer day.
    assert clock.provisional_due_date(paris("2025-04-03")) == d("2025-04-16")
    assert clock.resume(paris("2025-04-03")).due_date == d("2025-04-16")


def test_a_clock_cannot_be_suspended_after_its_due_date_nor_twice() -> None:
    clock = RequestClock(paris("2025-03-10"))
    with pytest.raises(DeadlineError) as late:
        clock.suspend(paris("2025-04-11"))
    assert late.value.code == "deadline_expired"
    with refused("already_suspended"):
        clock.suspend(paris("2025-03-12")).suspend(paris("2025-03-13"))
    with refused("not_suspended"):
        clock.resume(paris("2025-03-13"))
    with refused("answer_before_challenge"):
        clock.suspend(paris("2025-03-12")).resume(paris("2025-03-11"))
    with refused("before_receipt"):
        clock.suspend(paris("2025-03-09"))
    with refused("suspension_order"):
        RequestClock(
            paris("2025-03-10"),
            (suspended("2025-03-12", "2025-03-20"), suspended("2025-03-15", "2025-03-22")),
        )


# Extensions: receipt + 3 months, suspensions carried; noticed by the due date at the latest.
@pytest.mark.parametrize(
    ("received", "suspensions", "noticed", "due", "outer"),
    [
        # Clamped three months later: 31/01 → 30/04.
        ("2025-01-31", [], "2025-02-20", "2025-04-30", "2025-04-30"),
        # Over a leap February: 30/11/2027 → 29/02/2028.
        ("2027-11-30", [], "2027-12-15", "2028-02-29", "2028-02-29"),
        # 30/11/2025 → 28/02/2026, a Saturday → Monday 2 March.
        ("2025-11-30", [], "2025-12-20", "2026-02-28", "2026-03-02"),
        # Extension + suspension: 8 days carried on top of 10/06 → 18/06.
        ("2025-03-10", [("2025-03-12", "2025-03-20")], "2025-04-15", "2025-06-18", "2025-06-18"),
        # Noticed on 21/04, after 10/04 but before the carried due date (22/04): in time.
        ("2025-03-10", [("2025-04-08", "2025-04-20")], "2025-04-21", "2025-06-22", "2025-06-23"),
        # Noticed on the due date itself, at 23:30 Paris: still in time.
        ("2025-03-10", [], "2025-04-10T23:30", "2025-06-10", "2025-06-10"),
    ],
)
def test_an_extension_gives_receipt_plus_three_months(
    received, suspensions, noticed, due, outer
) -> None:
    clock = RequestClock(paris(received), tuple(suspended(s, e) for s, e in suspensions))
    day, _, hour = noticed.partition("T")
    extended = clock.extend(paris(day, hour or "10:00"), reasons="Volume", notice_sent=True)
    assert (extended.due_date, extended.outer_limit) == (d(due), d(outer))


def test_an_extension_noticed_during_a_suspension_is_in_time_and_carries_it() -> None:
    clock = RequestClock(paris("2025-03-10")).suspend(paris("2025-04-05"))
    extended = clock.extend(paris("2025-04-20"), reasons="Several systems", notice_sent=True)
    assert extended.suspended
    # 10/06 − 05/04 = 66 days left; answered 25/04 → due 30/06.
    assert extended.resume(paris("2025-04-25")).due_date == d("2025-06-30")


def test_the_day_after_the_due_date_starts_at_midnight_paris() -> None:
    clock = RequestClock(paris("2025-03-10"))
    # 22:30 UTC on 10/04 is 00:30 on 11/04 in Paris (summer time): too late.
    with refused("initial_deadline_expired"):
        clock.extend(utc("2025-04-10", "22:30"), reasons="Volume", notice_sent=True)
    assert clock.extend(utc("2025-04-10", "21:30"), reasons="Volume", notice_sent=True)


def test_an_extension_needs_its_reasons_and_its_notice_sent() -> None:
    clock = RequestClock(paris("2025-03-10"))
    for reasons in ["", "   \n"]:
        with pytest.raises(DeadlineError) as no_reasons:
            clock.extend(paris("2025-04-02"), reasons=reasons, notice_sent=True)
        assert no_reasons.value.code == "reasons_required"
    with pytest.raises(DeadlineError) as not_sent:
        clock.extend(paris("2025-04-02"), reasons="Volume", notice_sent=False)
    assert not_sent.value.code == "notice_not_sent"
    with translation.override("fr"):
        assert "notification" in not_sent.value.message.lower()
    with refused("notice_not_sent"):
        clock.extend(paris("2025-04-02"), reasons="Volume", notice_sent=lambda: False)


def test_no_notice_is_sent_for_an_extension_that_is_refused() -> None:
    sent: list[str] = []

    def send_notice() -> bool:
        sent.append("notice")
        return True

    clock = RequestClock(paris("2025-03-10"))
    with refused("initial_deadline_expired"):
        clock.extend(paris("2025-04-11"), reasons="Volume", notice_sent=send_notice)
    with refused("reasons_required"):
        clock.extend(paris("2025-04-02"), reasons=" ", notice_sent=send_notice)
    assert sent == []
    extended = clock.extend(paris("2025-04-02"), reasons="Volume", notice_sent=send_notice)
    assert sent == ["notice"]
    with pytest.raises(DeadlineError) as twice:
        extended.extend(paris("2025-04-03"), reasons="Again", notice_sent=send_notice)
    assert twice.value.code == "already_extended"
    assert sent == ["notice"]


def test_a_stored_extension_out_of_time_is_refused_too() -> None:
    with refused("initial_deadline_expired"):
        RequestClock(paris("2025-03-10"), extension=Extension(paris("2025-04-11"), "Volume"))


def test_alerts_fall_on_d_minus_7_and_d_minus_2() -> None:
    assert RequestClock(paris("2025-03-10")).alert_days == (d("2025-04-03"), d("2025-04-08"))
    # Across a month end, on the carried due date (07/03/2025).
    clock = RequestClock(paris("2025-01-31"), (suspended("2025-02-25", "2025-03-04"),))
    assert clock.alert_days == (d("2025-02-28"), d("2025-03-05"))


@pytest.mark.parametrize(
    ("now", "colour"),
    [
        (paris("2025-04-02", "23:59:59"), ClockColour.GREEN),
        (paris("2025-04-03", "00:00"), ClockColour.AMBER),  # D-7
        (paris("2025-04-07", "23:59:59"), ClockColour.AMBER),
        (paris("2025-04-08", "00:00"), ClockColour.ORANGE),  # D-2
        (paris("2025-04-10", "23:59:59"), ClockColour.ORANGE),  # the due date's last second
        (paris("2025-04-11", "00:00"), ClockColour.RED),  # 00:00 Paris the day after
        (utc("2025-04-10", "22:00"), ClockColour.RED),  # the same moment, in UTC (summer)
        (utc("2025-04-10", "21:59:59"), ClockColour.ORANGE),
    ],
)
def test_the_clock_colour(now, colour) -> None:
    clock = RequestClock(paris("2025-03-10"))
    assert clock.colour(now) is colour
    assert clock.is_overdue(now) is (colour is ClockColour.RED)


def test_overdue_follows_paris_midnight_on_both_sides_of_a_dst_change() -> None:
    # Due Saturday 25/10/2025 (summer time): red from 22:00 UTC.
    summer = RequestClock(paris("2025-09-25"))
    assert summer.due_date == d("2025-10-25")
    assert summer.colour(utc("2025-10-25", "21:59:59")) is ClockColour.ORANGE
    assert summer.colour(utc("2025-10-25", "22:00")) is ClockColour.RED
    # Due Saturday 28/03/2026 (still winter time at midnight): red from 23:00 UTC.
    winter = RequestClock(paris("2026-02-28"))
    assert winter.colour(utc("2026-03-28", "22:59:59")) is ClockColour.ORANGE
    assert winter.colour(utc("2026-03-28", "23:00")) is ClockColour.RED


def test_remaining_days_count_paris_days() -> None:
    clock = RequestClock(paris("2025-03-10"))
    assert clock.remaining_days(paris("2025-04-03")) == 7
    assert clock.remaining_days(utc("2025-04-10", "22:30")) == -1
    assert clock.provisional_due_date(paris("2025-04-03")) == d("2025-04-10")


def test_a_day_of_receipt_in_paris_is_one_instant_away_from_the_next() -> None:
    assert RequestClock(utc("2025-03-09", "22:59:59")).received_on == d("2025-03-09")
    assert RequestClock(utc("2025-03-09", "23:00")).received_on == d("2025-03-10")
    assert timedelta(0) < utc("2025-03-09", "23:00") - utc("2025-03-09", "22:59:59")


def test_every_day_of_2025_to_2028_follows_c2_and_the_outer_limit_rule() -> None:
    """Each day of receipt over four years (a leap one included): the due date is the same
    day next month or, when that day does not exist, the month's last day; the outer limit
    is the first working day on or after it."""
    import calendar

    day = date(2025, 1, 1)
    while day.year < 2029:
        clock = RequestClock(paris(day.isoformat(), "12:00"))
        due, outer = clock.due_date, clock.outer_limit
        assert due is not None and outer is not None
        next_month = (day.month % 12 + 1, day.year + (day.month == 12))
        assert (due.year, due.month) == (next_month[1], next_month[0])
        last = calendar.monthrange(due.year, due.month)[1]
        assert due.day == min(day.day, last), day
        assert is_working_day(outer)
        assert all(not is_working_day(due + timedelta(n)) for n in range((outer - due).days))
        assert (outer - due).days <= 4, day  # at most a weekend and two holidays, in France
        day += timedelta(days=1)


# --- Erasure: how long a kept category stays (Art. 17(3), R53) ---------------------------


def test_accounting_documents_are_kept_until_the_close_of_the_tenth_fiscal_year() -> None:
    from vigie.lib.legal_calendar import accounting_keep_until

    assert accounting_keep_until(date(2023, 5, 15)) == date(2033, 12, 31)
    assert accounting_keep_until(date(2023, 12, 31)) == date(2033, 12, 31)
    assert accounting_keep_until(date(2024, 1, 1)) == date(2034, 12, 31)
    # A fiscal year ending on 30 June: an invoice of 15/05/2023 is in the year closing 30/06/2023.
    assert accounting_keep_until(date(2023, 5, 15), "06-30") == date(2033, 6, 30)
    assert accounting_keep_until(date(2023, 7, 1), "06-30") == date(2034, 6, 30)


def test_contract_evidence_is_kept_until_the_limitation_period_ends() -> None:
    from vigie.lib.legal_calendar import limitation_keep_until

    assert limitation_keep_until(date(2023, 6, 30)) == date(2028, 6, 30)
    # 29 February + 5 years: the last day of February.
    assert limitation_keep_until(date(2024, 2, 29)) == date(2029, 2, 28)
