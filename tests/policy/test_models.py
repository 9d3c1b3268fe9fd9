"""A published version is frozen: no change, no deletion, by any route (R74)."""

from __future__ import annotations

import pytest

from vigie.policy.models import PolicyVersion, PublishedVersionImmutable


def test_a_published_version_cannot_be_modified(published) -> None:
    version = published()
    version.body_fr = "<p>Autre texte</p>"
    with pytest.raises(PublishedVersionImmutable, match="v1 is published"):
        version.save()
    version.refresh_from_db()
    assert "Autre texte" not in version.body_fr


def test_a_published_version_cannot_be_bulk_updated_or_deleted(published) -> None:
    version = published()
    with pytest.raises(PublishedVersionImmutable):
        PolicyVersion.objects.filter(pk=version.pk).update(change_summary_fr="x")
    with pytest.raises(PublishedVersionImmutable):
        PolicyVersion.objects.all().delete()
    with pytest.raises(PublishedVersionImmutable):
        version.delete()
    assert PolicyVersion.objects.get(pk=version.pk).change_summary_fr == "Mise à jour"


def test_a_draft_may_still_be_changed_or_deleted(draft) -> None:
    version = draft()
    version.change_summary_fr = "Corrigé"
    version.save()
    assert PolicyVersion.objects.get(pk=version.pk).change_summary_fr == "Corrigé"
    version.delete()
    assert not PolicyVersion.objects.exists()
