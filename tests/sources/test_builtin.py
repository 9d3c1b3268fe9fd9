"""Vigie's own store answers the same calls as an external source."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from tests.consent.conftest import publish_policy
from vigie.consent import services as consent
from vigie.consent.models import Method, SuppressionReason
from vigie.consent.segments import add_to_segment, create_segment
from vigie.consent.suppression import suppress
from vigie.lib.legal_calendar import Period
from vigie.people.models import Person
from vigie.people.services import add_contact_point, create_person, find_by_email
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
    provenance = result.by_category["partner-sourced-data"][0]
    assert (provenance.key, provenance.values["source"]) == (str(jeanne.pk), "subject")
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


WORK = "j.martin@travail.fr"


@pytest.fixture
def jeanne_everywhere(cli_actor, jeanne) -> Person:
    """Jeanne with a further address, an unsubscribe, a segment and an outbox message."""
    add_contact_point(cli_actor, jeanne, "email", WORK)
    add_contact_point(cli_actor, jeanne, "phone", "04 42 00 00 00")
    consent.record_consent(cli_actor, jeanne, "offres", wording="Vos offres", method=Method.PHONE)
    consent.withdraw(cli_actor, jeanne, "newsletter", method=Method.PHONE)
    segment = create_segment(cli_actor, "Clients Aix", "offres")
    add_to_segment(cli_actor, segment, [jeanne])
    consent.send_confirmation_hook(jeanne, signing.dumps(1, salt=consent.CONFIRM_SALT))
    return jeanne


def _tables(result) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in result.rows:
        found.setdefault(row.table, set()).add(row.category)
    return found


def test_find_by_a_further_address_returns_everything_vigie_holds(
    cli_actor, jeanne_everywhere
) -> None:
    result = BuiltinSource(cli_actor).find(Subject(email=["J.Martin@Travail.fr"]))
    assert _tables(result) == {
        "people.person": {"identity-contact", "partner-sourced-data"},
        "people.contactpoint": {"identity-contact"},
        "consent.consentevent": {"consent-proofs"},
        "consent.subscription": {"newsletter-subscription"},
        "consent.segmentmember": {"site-preferences"},
        "consent.suppressionentry": {"suppression-hashes"},
        "mail.message": {"policy-notice-log"},
    }
    points = sorted(r.values["value"] for r in result.rows if r.table == "people.contactpoint")
    assert points == ["+33442000000", WORK]
    assert {r.values["status"] for r in result.rows if r.table == "consent.subscription"} == {
        "withdrawn",
        "subscribed",
    }
    [member] = [r for r in result.rows if r.table == "consent.segmentmember"]
    assert member.values["segment"] == "Clients Aix"
    [message] = [r for r in result.rows if r.table == "mail.message"]
    assert message.values["template"] == "newsletter_confirmation"
    assert "context" not in message.values
    # Both addresses are on the suppression list for the newsletter: the status is
    # shown, never the address nor its hash.
    suppressed = [r.values for r in result.rows if r.table == "consent.suppressionentry"]
    assert {(v["scope"], v["reason"]) for v in suppressed} == {("newsletter", "unsubscribed")}
    assert len(suppressed) == 2
    assert all(set(v) == {"scope", "reason", "created_at", "lifted_at"} for v in suppressed)


def test_an_address_only_the_suppression_list_knows_is_reported(cli_actor) -> None:
    suppress("ancien@exemple.fr", "all", SuppressionReason.OBJECTED, timezone.now())
    result = BuiltinSource(cli_actor).find(Subject(email=["ancien@exemple.fr"]))
    [row] = result.rows
    assert (row.table, row.category) == ("consent.suppressionentry", "suppression-hashes")
    assert row.values["reason"] == "objected"


def test_erase_reaches_every_row_find_shows_or_reports_it_kept(
    cli_actor, jeanne_everywhere
) -> None:
    source = BuiltinSource(cli_actor)
    subject = Subject(email=["jeanne@exemple.fr"])
    before = {(r.table, r.key) for r in source.find(subject).rows}
    report = source.erase(subject)
    kept = {(k.table, k.key) for k in report.kept}
    erased_tables = {t for t, o in report.tables.items() if o.deleted or o.updated}
    assert {(t, k) for t, k in before if t not in erased_tables} <= kept
    assert report.tables["people.person"].updated == 1
    assert report.tables["people.contactpoint"].updated == 2
    assert report.tables["consent.subscription"].deleted == 2
    assert report.tables["consent.segmentmember"].deleted == 1
    assert report.kept_categories["suppression-hashes"][0].startswith("RGPD art. 21(3)")
    assert report.tables["consent.suppressionentry"].kept == 2
    assert report.tables["mail.message"].kept == 1
    assert report.tables["consent.consentevent"].kept == 3
    # The person is gone by either address; what stays is the suppression status.
    for address in ("jeanne@exemple.fr", WORK):
        after = source.find(Subject(email=[address])).rows
        assert {r.table for r in after} == {"consent.suppressionentry"}


def test_a_plan_that_keeps_subscriptions_keeps_them(cli_actor, jeanne_everywhere) -> None:
    keep = Keep("17(3)(e) – litige", dt.date(2030, 1, 1))
    report = BuiltinSource(cli_actor).erase(
        Subject(email=[WORK]), plan={"newsletter-subscription": keep}
    )
    assert report.tables["consent.subscription"].kept == 2
    assert report.tables["consent.segmentmember"].deleted == 1
    assert report.kept_categories["newsletter-subscription"] == (keep.ground, keep.until)
