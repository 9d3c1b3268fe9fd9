"""The effective date on publication: blank, today or a later day, never before publication."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from vigie.policy import services
from vigie.policy.forms import PARIS, effective_moment
from vigie.policy.models import PolicyVersion, Status


def today() -> dt.date:
    return timezone.localdate(timezone=PARIS)


def backdate(version: PolicyVersion, when: dt.datetime) -> None:
    """The draft's effective date has passed since it was drafted."""
    PolicyVersion.objects.filter(pk=version.pk).update(effective_at=when)
    version.refresh_from_db()


def assert_in_force_from_publication(version: PolicyVersion) -> None:
    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    assert version.published_at is not None
    assert version.effective_at == version.published_at


def test_picking_no_day_means_not_given_and_today_means_on_publication() -> None:
    assert effective_moment(None) is None
    assert effective_moment(today()) is services.ON_PUBLICATION
    tomorrow = today() + dt.timedelta(days=1)
    assert effective_moment(tomorrow) == dt.datetime.combine(tomorrow, dt.time(), tzinfo=PARIS)


def test_a_blank_date_keeps_the_drafts_effective_date_when_it_is_still_ahead(draft, cli_actor):
    later = timezone.now() + dt.timedelta(days=10)
    version = services.publish(cli_actor, draft(effective_at=later))
    assert version.effective_at == later


def test_a_blank_date_on_a_draft_whose_date_has_passed_takes_effect_on_publication(
    draft, cli_actor
) -> None:
    version = draft(effective_at=timezone.now() + dt.timedelta(days=1))
    backdate(version, timezone.now() - dt.timedelta(days=2))
    services.publish(cli_actor, version)
    assert_in_force_from_publication(version)


def test_today_on_a_draft_whose_date_has_passed_takes_effect_on_publication(
    draft, cli_actor
) -> None:
    version = draft()
    old = timezone.now() - dt.timedelta(days=2)
    backdate(version, old)
    services.publish(cli_actor, version, effective_at=services.ON_PUBLICATION)
    assert_in_force_from_publication(version)
    assert version.effective_at > old


def test_today_overrides_a_later_date_of_the_draft(draft, cli_actor) -> None:
    version = draft(effective_at=timezone.now() + dt.timedelta(days=10))
    services.publish(cli_actor, version, effective_at=services.ON_PUBLICATION)
    assert_in_force_from_publication(version)


def test_a_draft_made_for_today_takes_effect_on_publication(draft, cli_actor) -> None:
    version = draft(effective_at=services.ON_PUBLICATION)
    assert version.effective_at is None
    services.publish(cli_actor, version)
    assert_in_force_from_publication(version)


def test_the_publish_page_accepts_today_for_a_draft_whose_date_has_passed(
    signed_in, privacy_lead, draft
) -> None:
    version = draft(effective_at=timezone.now() + dt.timedelta(days=1))
    backdate(version, timezone.now() - dt.timedelta(days=1))
    response = signed_in(privacy_lead).post(
        reverse("policy:publish", args=[version.number]), {"effective_on": today().isoformat()}
    )
    assert response.status_code == 302
    assert_in_force_from_publication(version)


def test_picking_today_on_a_draft_dated_earlier_today_does_not_keep_the_old_moment(
    signed_in, privacy_lead, draft
) -> None:
    version = draft()
    # Midnight this morning: drafted yesterday "for today".
    midnight = dt.datetime.combine(today(), dt.time(), tzinfo=PARIS)
    backdate(version, midnight)
    response = signed_in(privacy_lead).post(
        reverse("policy:publish", args=[version.number]), {"effective_on": today().isoformat()}
    )
    assert response.status_code == 302
    assert_in_force_from_publication(version)
    assert version.effective_at > midnight


def test_the_publish_page_with_a_blank_date_never_publishes_in_the_past(
    signed_in, privacy_lead, draft
) -> None:
    version = draft()
    backdate(version, timezone.now() - dt.timedelta(days=3))
    response = signed_in(privacy_lead).post(reverse("policy:publish", args=[version.number]))
    assert response.status_code == 302
    assert_in_force_from_publication(version)


def test_the_publish_page_uses_a_later_day_at_midnight_in_paris(
    signed_in, privacy_lead, draft
) -> None:
    version = draft()
    day = today() + dt.timedelta(days=5)
    response = signed_in(privacy_lead).post(
        reverse("policy:publish", args=[version.number]), {"effective_on": day.isoformat()}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.effective_at == dt.datetime.combine(day, dt.time(), tzinfo=PARIS)


def test_the_publish_page_still_refuses_a_past_day(signed_in, privacy_lead, draft) -> None:
    version = draft()
    day = today() - dt.timedelta(days=1)
    response = signed_in(privacy_lead).post(
        reverse("policy:publish", args=[version.number]), {"effective_on": day.isoformat()}
    )
    assert response.status_code == 400
    version.refresh_from_db()
    assert version.status == Status.DRAFT


@pytest.mark.parametrize("effective", [None, "today"])
def test_the_command_publishes_a_draft_whose_date_has_passed_from_now(
    draft, effective: str | None
) -> None:
    version = draft()
    backdate(version, timezone.now() - dt.timedelta(days=1))
    args = ["publish", str(version.number)]
    if effective:
        args += ["--effective", today().isoformat()]
    call_command("policy", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert_in_force_from_publication(version)
