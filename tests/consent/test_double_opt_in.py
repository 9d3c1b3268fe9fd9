"""Double opt-in: pending until confirmed, expiring after 7 days, the only way back in (R43)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.consent.conftest import WORDING
from vigie.consent import services
from vigie.consent.audience import check_audience
from vigie.consent.models import ConsentEvent, Kind, Method, Status, Subscription

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _start(person, ip: str = "198.51.100.7") -> str:
    token = services.start_double_opt_in(
        services.subject_actor(ip),
        person,
        "newsletter",
        wording=WORDING,
        channel="https://semi.example/newsletter/",
        ip=ip,
    )
    assert token is not None
    return token


def test_a_sign_up_stays_pending_and_is_not_an_audience_until_confirmed(
    make_person, policy_v1
) -> None:
    person = make_person("lea@exemple.fr")
    _start(person)
    sub = Subscription.objects.get(person=person, purpose="newsletter")
    assert sub.status == Status.PENDING
    assert sub.pending_expires_at == sub.since + dt.timedelta(days=7)
    [result] = check_audience("newsletter", ["lea@exemple.fr"])
    assert (result.allowed, result.reason) == (False, "PENDING_CONFIRMATION")


def test_confirming_subscribes_and_records_the_confirmation_time(make_person, policy_v1) -> None:
    person = make_person("lea@exemple.fr")
    token = _start(person)
    sub = services.confirm_double_opt_in(token, ip="198.51.100.8", channel="https://x/confirm/")
    assert sub.status == Status.SUBSCRIBED
    pending = ConsentEvent.objects.get(person=person, kind=Kind.PENDING)
    confirmation = ConsentEvent.objects.get(person=person, kind=Kind.CONFIRM)
    assert confirmation.confirms_id == pending.pk
    assert confirmation.confirmed_at == confirmation.occurred_at
    assert (confirmation.wording, confirmation.policy_version) == (WORDING, 1)
    assert (pending.ip, confirmation.ip) == ("198.51.100.7", "198.51.100.8")
    assert pending.collector == confirmation.collector == "subject"
    assert check_audience("newsletter", ["lea@exemple.fr"])[0].allowed


def test_a_second_click_changes_nothing(make_person) -> None:
    person = make_person()
    token = _start(person)
    services.confirm_double_opt_in(token)
    services.confirm_double_opt_in(token)
    assert ConsentEvent.objects.filter(person=person, kind=Kind.CONFIRM).count() == 1


def test_the_confirmation_link_expires_after_7_days(make_person) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        person = make_person("tard@exemple.fr")
        token = _start(person)
        late_one = make_person("presque@exemple.fr")
        in_time = _start(late_one)
    with time_machine.travel(start + dt.timedelta(days=6, hours=23), tick=False):
        assert services.confirm_double_opt_in(in_time).status == Status.SUBSCRIBED
    with time_machine.travel(start + dt.timedelta(days=7, seconds=1), tick=False):
        with pytest.raises(services.ConfirmationExpired):
            services.confirm_double_opt_in(token)
        # Lapsed: it is no longer "pending", just no consent.
        [result] = check_audience("newsletter", ["tard@exemple.fr"])
        assert result.reason == "NO_LEGAL_BASIS"
    assert Subscription.objects.get(person=person).status == Status.PENDING
    assert not ConsentEvent.objects.filter(person=person, kind=Kind.CONFIRM).exists()


def test_a_forged_or_replaced_link_is_refused(make_person) -> None:
    person = make_person()
    old = _start(person)
    # A new request replaces the pending one (after an hour: within it, none is sent).
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=1)):
        _start(person)
    with pytest.raises(services.ConfirmationInvalid):
        services.confirm_double_opt_in(old)
    with pytest.raises(services.ConfirmationInvalid):
        services.confirm_double_opt_in(old[:-2] + "xx")


def test_the_token_contains_no_address(make_person) -> None:
    person = make_person("secret.address@exemple.fr")
    token = _start(person)
    decoded = base64.urlsafe_b64decode(token.split(":")[0] + "==")
    assert b"secret" not in decoded and "secret" not in token


def test_only_the_persons_confirmation_lifts_the_suppression_and_only_for_that_purpose(
    make_person, subscribe, staff_actor
) -> None:
    person = make_person("retour@exemple.fr")
    subscribe(person)
    services.object_to_marketing(staff_actor, person, method=Method.PHONE)
    # Staff cannot even start a double opt-in for a suppressed address.
    with pytest.raises(services.ReservedToSubject):
        services.start_double_opt_in(staff_actor, person, "newsletter", wording=WORDING)
    token = _start(person)
    assert check_audience("newsletter", ["retour@exemple.fr"])[0].reason == "SUPPRESSED"
    services.confirm_double_opt_in(token)
    assert check_audience("newsletter", ["retour@exemple.fr"])[0].allowed
    assert check_audience("offres", ["retour@exemple.fr"])[0].reason == "OBJECTED"
    assert services.is_suppressed("retour@exemple.fr", "offres_partenaires")
    assert not services.is_suppressed("retour@exemple.fr", "newsletter")
    # Earlier withdrawal records are kept (R43).
    assert ConsentEvent.objects.filter(person=person, kind=Kind.OBJECT).count() == 1


def test_an_already_subscribed_person_gets_no_new_request(make_person, subscribe) -> None:
    person = make_person()
    subscribe(person)
    assert (
        services.start_double_opt_in(
            services.subject_actor(), person, "newsletter", wording=WORDING
        )
        is None
    )
    assert Subscription.objects.get(person=person).status == Status.SUBSCRIBED


def test_the_daily_job_marks_expired_requests_expired_once(
    make_person, subscribe, staff_actor
) -> None:
    """Issue 10, item 10: an unconfirmed request is marked expired by the daily job,
    not only read as lapsed when an audience is computed; a second run changes nothing."""
    from vigie.audit.models import Event
    from vigie.consent.tasks import expire_pending_requests_task
    from vigie.jobs.services import daily_tasks

    assert expire_pending_requests_task in daily_tasks()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        never = make_person("jamais@exemple.fr")
        never_token = _start(never)
        former = make_person("ancien@exemple.fr")
        subscribe(former)
        services.withdraw(staff_actor, former, "newsletter", method=Method.PHONE)
        _start(former)
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        recent = make_person("recent@exemple.fr")
        _start(recent)
    with time_machine.travel(start + dt.timedelta(days=7, seconds=1), tick=False):
        assert expire_pending_requests_task.call() == 2
        # No consent before: the request is marked expired; one before: it holds again.
        sub = Subscription.objects.get(person=never)
        assert sub.status == Status.EXPIRED and sub.lapsed(timezone.now())
        assert Subscription.objects.get(person=former).status == Status.WITHDRAWN
        assert Subscription.objects.get(person=recent).status == Status.PENDING
        assert Event.objects.filter(action="consent:newsletter:expire").count() == 2
        # Idempotent: a second run (another worker, the next day) finds nothing.
        assert expire_pending_requests_task.call() == 0
        assert Event.objects.filter(action="consent:newsletter:expire").count() == 2
        with pytest.raises(services.ConfirmationExpired):
            services.confirm_double_opt_in(never_token)
        results = check_audience("newsletter", ["jamais@exemple.fr", "ancien@exemple.fr"])
        assert [r.reason for r in results] == ["NO_LEGAL_BASIS", "SUPPRESSED"]
    # A new sign-up after the expiry starts afresh and can be confirmed.
    with time_machine.travel(start + dt.timedelta(days=8), tick=False):
        token = _start(never)
        assert services.confirm_double_opt_in(token).status == Status.SUBSCRIBED
