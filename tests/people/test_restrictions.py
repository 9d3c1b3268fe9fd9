"""Restriction of processing (Art. 18, R55): edits refused, exports leave the person
out, and lifting is refused until the notice to the person is logged."""

from __future__ import annotations

import pytest

from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.people.models import Person, RestrictionReason
from vigie.people.restrictions import (
    PersonRestricted,
    RestrictionError,
    block_purpose,
    is_restricted,
    lift_restriction,
    log_lifting_notice,
    override_block,
    purpose_blocked,
    restrict,
    without_restricted,
)
from vigie.people.services import create_person, open_person, update_contact_details, update_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def paul() -> Person:
    return create_person(
        Actor.cli(), email="paul@client.example", first_name="Paul", last_name="Durand"
    )


def test_edits_of_a_restricted_person_are_refused_with_a_clear_message(paul: Person) -> None:
    restrict(Actor.cli(), paul, RestrictionReason.ACCURACY_CONTESTED)

    with pytest.raises(PersonRestricted, match="LIMITÉ"):
        update_person(Actor.cli(), paul, last_name="Dupont")
    with pytest.raises(PersonRestricted):
        update_contact_details(Actor.cli(), paul, phone="+33 6 12 34 56 78")
    assert open_person(paul).last_name == "Durand"
    # The person's own correction, which the restriction waits for, goes through.
    update_person(Actor.cli(), paul, last_name="Dupont", despite_restriction=True)
    assert open_person(paul).last_name == "Dupont"


def test_an_export_of_people_leaves_the_restricted_out(paul: Person) -> None:
    other = create_person(Actor.cli(), email="autre@client.example", first_name="A")
    restrict(Actor.cli(), paul, RestrictionReason.UNLAWFUL, categories=["identity-contact"])

    assert list(without_restricted(Person.objects.all())) == [other]
    assert is_restricted(paul) and is_restricted(paul, ["identity-contact"])
    assert not is_restricted(paul, ["billing-accounting"])


def test_lifting_fails_until_the_notice_is_logged(paul: Person) -> None:
    restriction, created = restrict(Actor.cli(), paul, RestrictionReason.LEGAL_CLAIMS)
    again, created_again = restrict(Actor.cli(), paul, RestrictionReason.LEGAL_CLAIMS)
    assert (created, created_again) == (True, False) and again.pk == restriction.pk

    with pytest.raises(RestrictionError, match="informée avant la levée"):
        lift_restriction(Actor.cli(), restriction)
    assert is_restricted(paul)

    log_lifting_notice(Actor.cli(), restriction)
    lifted = lift_restriction(Actor.cli(), restriction)
    assert lifted.lifted_at is not None and not is_restricted(paul)
    actions = list(
        Event.objects.filter(action__startswith="people:restriction")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "people:restriction:set",
        "people:restriction:notice",
        "people:restriction:lift",
    ]


def test_a_block_stops_one_purpose_and_grounds_need_their_text(paul: Person) -> None:
    block, _ = block_purpose(
        Actor.cli(), paul, "security-logs/0", label_fr="Journaux", label_en="Logs"
    )
    assert purpose_blocked(paul, "security-logs/0")
    assert not purpose_blocked(paul, "hotline/1")

    with pytest.raises(RestrictionError, match="motifs légitimes"):
        override_block(Actor.cli(), block, "   ")
    overridden = override_block(
        Actor.cli(), block, "Enquête en cours sur une intrusion : journaux nécessaires."
    )
    assert overridden.grounds.startswith("Enquête") and not purpose_blocked(paul, "security-logs/0")


def test_a_marketing_block_is_never_weighed(paul: Person) -> None:
    block, _ = block_purpose(
        Actor.cli(), paul, "offres", label_fr="Offres", label_en="Offers", marketing="offres"
    )
    with pytest.raises(RestrictionError, match="absolue"):
        override_block(Actor.cli(), block, "Un motif très long et très impérieux vraiment.")
    assert purpose_blocked(paul, "offres")
