"""A restricted person (Art. 18, R55) and a purpose objected to (Art. 21, R56) are
refused by the audience check, its API, the marketing gate and segments, at once."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import create_api_key
from vigie.audit.actor import Actor
from vigie.consent.api import router
from vigie.consent.audience import check_audience
from vigie.consent.gate import marketing_gate
from vigie.consent.segments import add_to_segment, create_segment, segment_counts, segment_people
from vigie.mail import addressing
from vigie.people.models import RestrictionReason, SubjectType
from vigie.people.restrictions import (
    block_purpose,
    lift_restriction,
    log_lifting_notice,
    restrict,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
B2B = (SubjectType.PROSPECT_B2B,)


def test_a_restricted_person_is_refused_by_the_check_until_lifted(make_person, subscribe):
    person = make_person("limitee@exemple.fr")
    subscribe(person)
    assert check_audience("newsletter", ["limitee@exemple.fr"])[0].allowed

    restriction, _ = restrict(Actor.cli(), person, RestrictionReason.ACCURACY_CONTESTED)

    [result] = check_audience("newsletter", ["limitee@exemple.fr"])
    assert (result.allowed, result.reason) == (False, "RESTRICTED")
    assert marketing_gate([person.pk], "newsletter") == {person.pk: (False, "RESTRICTED")}
    # Mail asks the registered gate before queuing and before sending any marketing.
    assert addressing.marketing_allowed(person.pk, "newsletter") == (False, "RESTRICTED")
    log_lifting_notice(Actor.cli(), restriction)
    lift_restriction(Actor.cli(), restriction)
    assert check_audience("newsletter", ["limitee@exemple.fr"])[0].allowed


def test_the_audience_api_says_restricted(make_staff, cli_actor, make_person, subscribe):
    person = make_person("api-limitee@exemple.fr")
    subscribe(person)
    restrict(Actor.cli(), person, RestrictionReason.UNLAWFUL)
    _key, secret = create_api_key(
        cli_actor, make_staff(Role.SALES), name="crm", scopes=[Permission.AUDIENCE_CHECK]
    )
    client = TestClient(router, headers={"Authorization": f"Bearer {secret}"})
    response = client.post(
        "/audience/check",
        json={"purpose": "newsletter", "addresses": ["api-limitee@exemple.fr"]},
    )
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"address": "api-limitee@exemple.fr", "allowed": False, "reason": "RESTRICTED"}
    ]


def test_an_objection_to_b2b_prospecting_stops_it_the_same_day_and_only_it(make_person, subscribe):
    person = make_person("pro@societe.example", types=B2B, informed=True)
    subscribe(person, "newsletter")
    assert check_audience("offres", ["pro@societe.example"])[0].allowed

    block_purpose(
        Actor.cli(),
        person,
        "offres",
        label_fr="Prospection pour nos offres",
        label_en="Marketing of our offers",
        marketing="offres",
    )

    [offers] = check_audience("offres", ["pro@societe.example"])
    assert (offers.allowed, offers.reason) == (False, "OBJECTED")
    # Another purpose the person did not object to stays allowed.
    assert check_audience("newsletter", ["pro@societe.example"])[0].allowed


def test_segments_leave_out_restricted_and_objecting_people(make_person, staff_actor):
    kept = make_person("garde@societe.example", types=B2B, informed=True)
    limited = make_person("limite@societe.example", types=B2B, informed=True)
    objecting = make_person("oppose@societe.example", types=B2B, informed=True)
    segment = create_segment(staff_actor, "Salon 2026", "offres")
    add_to_segment(staff_actor, segment, [kept, limited, objecting])
    restrict(Actor.cli(), limited, RestrictionReason.LEGAL_CLAIMS)
    block_purpose(Actor.cli(), objecting, "offres", label_fr="x", label_en="x", marketing="offres")

    assert segment_people(segment) == [str(kept.pk)]
    assert dict(segment_counts())[segment] == 1
