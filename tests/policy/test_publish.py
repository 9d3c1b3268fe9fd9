"""Publishing: the R7 checklist gates it, it happens once, and it is journaled."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from vigie.audit.models import Event
from vigie.policy import services
from vigie.policy.models import PolicyVersion, Status


def strip_cnil_block(version: PolicyVersion) -> None:
    body = re.sub(r'<section id="complaint">.*?</section>', "", version.body_fr, flags=re.S)
    PolicyVersion.objects.filter(pk=version.pk).update(body_fr=body)


def test_a_complete_draft_is_published_and_takes_effect_at_once(draft, cli_actor) -> None:
    version = draft()
    before = timezone.now()
    services.publish(cli_actor, version)
    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    assert version.published_at is not None and version.published_at >= before
    assert version.effective_at == version.published_at
    assert (version.publisher_type, version.publisher_id) == ("cli", "test")


def test_publication_is_recorded_in_the_audit_log(published) -> None:
    version = published()
    event = Event.objects.get(action="policy:version:publish")
    assert event.object_id == str(version.pk)
    assert event.extra["number"] == 1
    assert event.extra["effective_at"] == version.effective_at.isoformat()


def test_a_draft_missing_the_cnil_block_is_refused_and_stays_a_draft(draft, cli_actor) -> None:
    version = draft()
    strip_cnil_block(version)
    with pytest.raises(services.ChecklistRefusal) as refusal:
        services.publish(cli_actor, version)
    assert [item.id for item in refusal.value.missing] == ["cnil-complaint"]
    assert "Réclamation auprès de la CNIL" in str(refusal.value)
    assert "stays a draft" in str(refusal.value)
    version.refresh_from_db()
    assert version.status == Status.DRAFT and version.published_at is None
    assert not Event.objects.filter(action="policy:version:publish").exists()
    assert services.current_version() is None


def test_a_published_version_cannot_be_published_again(published, cli_actor) -> None:
    version = published()
    with pytest.raises(services.PolicyError, match="already published"):
        services.publish(cli_actor, version)


def test_a_draft_older_than_a_published_version_is_refused(draft, cli_actor) -> None:
    old, new = draft(), draft()
    services.publish(cli_actor, new)
    with pytest.raises(services.PolicyError, match="v2 is already published: v1 is outdated"):
        services.publish(cli_actor, old)


def test_a_draft_made_before_the_register_changed_is_refused(
    draft, register, change_register, cli_actor
) -> None:
    version = draft()
    register["security_measures"][0]["label"]["fr"] = "Chiffrement des postes"
    change_register(register)
    with pytest.raises(services.PolicyError, match="register changed since v1 was drafted"):
        services.publish(cli_actor, version)


def test_the_effective_date_can_be_set_in_the_future(draft, cli_actor) -> None:
    later = timezone.now() + dt.timedelta(days=30)
    version = services.publish(cli_actor, draft(), effective_at=later)
    assert version.effective_at == later


def test_an_effective_date_before_publication_is_refused(draft, cli_actor) -> None:
    version = draft()
    with pytest.raises(services.PolicyError, match="in the past"):
        services.publish(cli_actor, version, effective_at=timezone.now() - dt.timedelta(hours=1))
    version.refresh_from_db()
    assert version.status == Status.DRAFT


def test_the_first_version_is_published_once_only(register, cli_actor) -> None:
    first = services.ensure_published_first_version(cli_actor)
    assert first is not None and first.number == 1 and first.is_published
    assert first.change_summary_fr == "Première version publiée"
    assert first.change_summary_en == "First published version"
    assert services.ensure_published_first_version(cli_actor) is None
    assert PolicyVersion.objects.count() == 1


def test_the_first_version_needs_a_register(db, cli_actor) -> None:
    with pytest.raises(services.PolicyError, match="no register"):
        services.ensure_published_first_version(cli_actor)
    assert not PolicyVersion.objects.exists()
