"""A draft is rendered from the current register, numbered, and journaled (R74)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vigie.audit.models import Event
from vigie.policy import services
from vigie.policy.models import PolicyVersion, Status


def test_a_draft_freezes_both_texts_from_the_current_register(draft, register) -> None:
    version = draft("Première version")
    assert (version.number, version.status, version.register_revision) == (1, Status.DRAFT, 1)
    assert "info.rgpd@semi-informatique.com" in version.body_fr
    assert "Right to data portability" in version.body_en
    assert (version.author_type, version.author_id) == ("cli", "test")
    assert version.published_at is None and version.effective_at is None


def test_numbers_follow_each_other_and_are_taken_at_draft_time(draft) -> None:
    assert [draft().number, draft().number, draft().number] == [1, 2, 3]


def test_a_draft_is_recorded_in_the_audit_log(draft) -> None:
    version = draft(material=True)
    event = Event.objects.get(action="policy:version:draft")
    assert (event.object_type, event.object_id) == ("policy.policyversion", str(version.pk))
    assert event.extra == {"number": 1, "register_revision": 1, "material": True}


def test_without_a_register_there_is_nothing_to_draft_from(db, cli_actor) -> None:
    with pytest.raises(services.PolicyError, match="no register loaded yet"):
        services.create_draft(
            cli_actor, change_summary_fr="x", change_summary_en="y", material=False
        )
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(("fr", "en", "lang"), [("", "Summary", "fr"), ("Résumé", "  ", "en")])
def test_both_change_summaries_are_required(register, cli_actor, fr, en, lang) -> None:
    with pytest.raises(services.PolicyError, match=rf"change summary \({lang}\) is required"):
        services.create_draft(cli_actor, change_summary_fr=fr, change_summary_en=en, material=False)


def test_an_effective_date_in_the_past_is_refused(register, cli_actor) -> None:
    with pytest.raises(services.PolicyError, match="in the past"):
        services.create_draft(
            cli_actor,
            change_summary_fr="x",
            change_summary_en="y",
            material=False,
            effective_at=timezone.now() - dt.timedelta(days=1),
        )
