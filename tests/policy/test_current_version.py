"""``current_version(at)``: the version in force at a moment, for consents and notices (R75)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from vigie.policy import services

V1_DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_there_is_no_current_version_before_the_first_publication(draft) -> None:
    draft()
    assert services.current_version() is None


def test_the_version_in_force_changes_on_the_effective_date(draft, cli_actor) -> None:
    with time_machine.travel(V1_DAY, tick=False):
        v1 = services.publish(cli_actor, draft("v1"))
        v2_effective = V1_DAY + dt.timedelta(days=40)
        v2 = services.publish(cli_actor, draft("v2"), effective_at=v2_effective)
    assert services.current_version(V1_DAY - dt.timedelta(seconds=1)) is None
    assert services.current_version(V1_DAY) == v1
    # R75: a consent given the day before v2 takes effect references v1.
    assert services.current_version(v2_effective - dt.timedelta(days=1)) == v1
    assert services.current_version(v2_effective) == v2
    assert services.current_version(v2_effective + dt.timedelta(days=365)) == v2


def test_without_a_moment_it_is_the_version_in_force_now(draft, cli_actor) -> None:
    v1 = services.publish(cli_actor, draft())
    services.publish(cli_actor, draft(), effective_at=timezone.now() + dt.timedelta(days=30))
    assert services.current_version() == v1


def test_a_later_version_supersedes_as_soon_as_it_takes_effect(draft, cli_actor) -> None:
    now = timezone.now()
    v1 = services.publish(cli_actor, draft())
    v2 = services.publish(cli_actor, draft(), effective_at=now + dt.timedelta(days=30))
    v3 = services.publish(cli_actor, draft(), effective_at=now + dt.timedelta(days=10))
    assert services.current_version(now + dt.timedelta(days=5)) == v1
    assert services.current_version(now + dt.timedelta(days=15)) == v3
    # v2 taking effect later does not bring the older text back.
    assert services.current_version(now + dt.timedelta(days=35)) == v3
    assert v2.number < v3.number
