"""R47: the D-7, D-2 and overdue alerts, once each per due date, to the handler and the
privacy leads (real SMTP), written in the case's timeline and the audit log."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.rights import jobs, services
from vigie.rights.models import Alert, Case, CaseEvent, Channel
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
PARIS = ZoneInfo("Europe/Paris")


def at(day: str, hour: int = 0, minute: int = 5) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=PARIS)


def run(day: str, hour: int = 0, minute: int = 5) -> int:
    with time_machine.travel(at(day, hour, minute), tick=False):
        return jobs.send_deadline_alerts()


@pytest.fixture
def lead(make_staff):
    return make_staff(Role.PRIVACY_LEAD, username="claire.moreau")


@pytest.fixture
def sales(make_staff):
    return make_staff(Role.SALES, username="paul.durand")


def open_verified(received: str, claire, lead, handler=None) -> Case:
    with time_machine.travel(at(received, 10), tick=False):
        case = services.open_case(
            Actor.for_user(lead),
            types=["access"],
            channel=Channel.EMAIL,
            requester=Requester(email=ON_FILE),
            person=claire,
            verified_by="known_to_staff",
        ).case
        if handler is not None:
            case = services.assign(Actor.for_user(lead), case, handler)
    return case


def staff_mail(sink) -> list[tuple[str, str, str]]:
    deliver_all()
    return [m for m in received(sink) if m[0] != ON_FILE]


def test_d7_falls_on_the_right_day_across_a_month_end_and_is_given_once(
    claire, lead, sales, smtp_server
) -> None:
    # Received 03/03/2025 → due 03/04/2025; D-7 is 27/03, in the month before.
    case = open_verified("2025-03-03", claire, lead, handler=sales)
    assert case.due_date == dt.date(2025, 4, 3)
    assert run("2025-03-26", 23, 59) == 0
    assert run("2025-03-27") == 1
    assert run("2025-03-27", 15) == 0  # same day, again: nothing
    assert run("2025-03-28") == 0
    mails = staff_mail(smtp_server)
    assert sorted(to for to, _s, _t in mails) == sorted([lead.email, sales.email])
    for _to, subject, text in mails:
        assert case.number in subject and "7 jours" in subject
        assert "03/04/2025" in text and "paul.durand" in text
        assert f"/backoffice/rights/{case.pk}/" in text
    [alert] = Alert.objects.filter(case=case)
    assert (alert.kind, alert.due_date) == ("d7", dt.date(2025, 4, 3))
    entry = CaseEvent.objects.get(case=case, kind="alert")
    assert entry.extra["alert"] == "d7" and entry.extra["recipients"] == 2
    event = Event.objects.get(action="rights:deadline:alert", object_id=str(case.pk))
    assert event.actor_type == "system" and event.extra["due_date"] == "2025-04-03"


def test_d2_then_overdue_from_midnight_paris_the_day_after(claire, lead, smtp_server) -> None:
    case = open_verified("2025-03-03", claire, lead)
    assert run("2025-04-01") == 1  # D-2 (D-7 passed unseen: not sent late)
    assert list(Alert.objects.values_list("kind", flat=True)) == ["d2"]
    assert run("2025-04-02") == 0
    assert run("2025-04-03", 23, 59) == 0  # the due date itself: not late yet
    assert run("2025-04-04", 0, 1) == 1
    assert sorted(Alert.objects.values_list("kind", flat=True)) == ["d2", "overdue"]
    assert run("2025-04-10") == 0  # late every day, alerted once
    subjects = [s for _to, s, _t in staff_mail(smtp_server)]
    assert any("2 jours" in s for s in subjects)
    assert any("en retard" in s and case.number in s for s in subjects)
    # Only the privacy lead: no handler assigned, and the text says so.
    assert {to for to, _s, _t in staff_mail(smtp_server)} == {lead.email}


def test_a_suspended_case_gets_no_alert(claire, lead, smtp_server) -> None:
    with time_machine.travel(at("2025-03-03", 10), tick=False):
        # From an address Vigie does not know: the clock stops at the challenge.
        case = services.open_case(
            Actor("anonymous", "", "127.0.0.1"),
            types=["erasure"],
            channel=Channel.PORTAL,
            requester=Requester(email="someone@elsewhere.example", on_file_email=ON_FILE),
        ).case
    assert case.due_date is None
    for day in ("2025-03-27", "2025-04-01", "2025-04-04", "2025-05-01"):
        assert run(day) == 0
    assert not Alert.objects.exists()


def test_a_closed_case_gets_no_alert(claire, lead) -> None:
    case = open_verified("2025-03-03", claire, lead)
    with time_machine.travel(at("2025-03-20", 10), tick=False):
        services.answer(Actor.for_user(lead), case)
    assert run("2025-03-27") == 0 and run("2025-04-04") == 0


def test_an_extended_case_gets_new_alerts_for_its_new_due_date(claire, lead, smtp_server) -> None:
    case = open_verified("2025-03-10", claire, lead)
    assert run("2025-04-03") == 1  # D-7 of 10/04
    with time_machine.travel(at("2025-04-04", 11), tick=False):
        case = services.extend_deadline(
            Actor.for_user(lead), case, "Demande portant sur dix ans d’archives."
        )
    assert case.due_date == dt.date(2025, 6, 10)
    assert run("2025-04-08") == 0  # the old D-2 no longer applies
    assert run("2025-06-03") == 1
    assert run("2025-06-08") == 1
    assert run("2025-06-11") == 1
    given = sorted(Alert.objects.values_list("due_date", "kind"))
    assert given == [
        (dt.date(2025, 4, 10), "d7"),
        (dt.date(2025, 6, 10), "d2"),
        (dt.date(2025, 6, 10), "d7"),
        (dt.date(2025, 6, 10), "overdue"),
    ]


def test_the_selection_is_a_few_queries_whatever_the_number_of_cases(
    claire, lead, django_assert_max_num_queries
) -> None:
    for _ in range(5):
        open_verified("2025-03-03", claire, lead)
    with django_assert_max_num_queries(3), time_machine.travel(at("2025-03-27"), tick=False):
        due = jobs.alerts_due(dt.date(2025, 3, 27))
        assert sum(len(list(cases.values_list("pk", flat=True))) for cases in due.values()) == 5
    assert run("2025-03-27") == 5
    # Given: no longer selected (the job does not even lock them again).
    assert not jobs.alerts_due(dt.date(2025, 3, 27))["d7"].exists()


def test_an_inactive_lead_is_not_written_to(claire, lead, make_staff, smtp_server) -> None:
    gone = make_staff(Role.PRIVACY_LEAD)
    gone.is_active = False
    gone.save()
    open_verified("2025-03-03", claire, lead)
    assert run("2025-03-27") == 1
    assert {to for to, _s, _t in staff_mail(smtp_server)} == {lead.email}


def test_a_failure_on_one_case_rolls_it_back_whole_and_the_next_run_gives_it(
    claire, lead, monkeypatch
) -> None:
    from vigie.mail import services as mail_services

    first = open_verified("2025-03-03", claire, lead)
    second = open_verified("2025-03-03", claire, lead)
    real = mail_services.queue_messages
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(kwargs["context"]["case"])
        if len(calls) == 1:
            raise ConnectionError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(mail_services, "queue_messages", failing_once)
    assert run("2025-03-27") == 1
    failed = Case.objects.get(pk=calls[0])
    other = ({first.pk, second.pk} - {failed.pk}).pop()
    # The failed case: no alert row, no timeline entry, no audit event.
    assert not Alert.objects.filter(case=failed).exists()
    assert not CaseEvent.objects.filter(case=failed, kind="alert").exists()
    assert not Event.objects.filter(action="rights:deadline:alert", object_id=str(failed.pk))
    assert Alert.objects.filter(case_id=other).count() == 1
    assert run("2025-03-27", 12) == 1
    assert Alert.objects.filter(case=failed, kind="d7").count() == 1


def test_the_stages_are_the_dashboard_colours(claire, lead) -> None:
    """The job's stage on each day is the clock's colour at 00:00 Paris that day."""
    case = open_verified("2025-01-31", claire, lead)  # due 28/02/2025
    clock = services.clock_of(case)
    expected = {"amber": "d7", "orange": "d2", "red": "overdue", "green": None}
    day = dt.date(2025, 2, 10)
    while day <= dt.date(2025, 3, 5):
        colour = clock.colour(at(day.isoformat(), 0, 0))
        assert jobs._stage_of(case, day) == expected[colour], day
        day += dt.timedelta(days=1)
    assert clock.alert_days == (dt.date(2025, 2, 21), dt.date(2025, 2, 26))


def test_a_complaint_is_alerted_on_the_deadline_the_privacy_lead_set(claire, lead) -> None:
    with time_machine.travel(at("2025-03-03", 10), tick=False):
        case = services.open_case(
            Actor.for_user(lead),
            types=["complaint"],
            channel=Channel.EMAIL,
            requester=Requester(email=ON_FILE),
            person=claire,
            verified_by="known_to_staff",
        ).case
        assert case.due_date is None
        services.set_deadline(Actor.for_user(lead), case, dt.date(2025, 3, 20))
    assert run("2025-03-12") == 0
    assert run("2025-03-13") == 1
    assert list(Alert.objects.values_list("kind", "due_date")) == [("d7", dt.date(2025, 3, 20))]
