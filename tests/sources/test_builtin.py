"""Vigie's own store answers the same calls as an external source."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.consent.conftest import publish_policy
from vigie.consent import services as consent
from vigie.consent.models import Method
from vigie.lib.legal_calendar import Period
from vigie.people.models import Person
from vigie.people.services import create_person, find_by_email
from vigie.sources.builtin import BuiltinSource
from vigie.sources.rules import RetentionRule
from vigie.sources.types import Keep, Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def jeanne(cli_actor) -> Person:
    publish_policy(1, timezone.now() - dt.timedelta(days=30))
    person = create_person(
        cli_actor, email="jeanne@exemple.fr", first_name="Jeanne", last_name="Martin"
    )
    consent.record_consent(
        cli_actor, person, "newsletter", wording="Je veux la lettre", method=Method.WEB_FORM
    )
    return person


def test_find_returns_the_decrypted_person_and_their_consent_proofs(cli_actor, jeanne) -> None:
    result = BuiltinSource(cli_actor).find(Subject(email=[" Jeanne@Exemple.fr"]))
    person = result.by_category["identity-contact"][0]
    assert person.key == str(jeanne.pk)
    assert (person.values["email"], person.values["last_name"]) == ("jeanne@exemple.fr", "Martin")
    assert person.values["source"] == "subject"
    proofs = result.by_category["consent-proofs"]
    assert [p.values["wording"] for p in proofs] == ["Je veux la lettre"]
    assert result.table_counts["people.person"] == 1


def test_erase_crypto_shreds_the_person_and_reports_consent_proofs_as_kept(
    cli_actor, jeanne
) -> None:
    source = BuiltinSource(cli_actor)
    report = source.erase(Subject(email=["jeanne@exemple.fr"]))
    assert report.tables["people.person"].updated == 1
    assert report.tables["consent.consentevent"].kept == 1
    assert find_by_email("jeanne@exemple.fr") is None
    assert Person.objects.get(pk=jeanne.pk).shredded_at is not None
    assert source.find(Subject(email=["jeanne@exemple.fr"])).rows == ()


def test_a_plan_that_keeps_identity_data_leaves_the_person_readable(cli_actor, jeanne) -> None:
    keep = Keep("17(3)(e) – litige", dt.date(2030, 1, 1))
    report = BuiltinSource(cli_actor).erase(
        Subject(email=["jeanne@exemple.fr"]), plan={"identity-contact": keep}
    )
    assert report.kept_categories["identity-contact"] == (keep.ground, keep.until)
    assert find_by_email("jeanne@exemple.fr") is not None


def test_retention_of_the_built_in_store_selects_nothing_yet(cli_actor) -> None:
    rule = RetentionRule("identity-contact", Period(60), "C. civ. 2224")
    source = BuiltinSource(cli_actor)
    selection = source.expired(rule, timezone.now())
    assert selection.tables == () and source.purge(selection).deleted == {}
