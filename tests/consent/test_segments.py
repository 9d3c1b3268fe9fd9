"""Targeting segments and the marketing objection that overrides them (Art. 21(2)-(3), R42)."""

from __future__ import annotations

import pytest

from vigie.audit.models import Event
from vigie.consent import services
from vigie.consent.models import Method, SegmentMember
from vigie.consent.segments import (
    SegmentError,
    add_to_segment,
    create_segment,
    segment_counts,
    segment_people,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_an_objection_removes_the_person_from_every_segment_and_every_count(
    make_person, staff_actor
) -> None:
    stays, objects = make_person(), make_person()
    lyon = create_segment(staff_actor, "PME Lyon", "offres")
    paris = create_segment(staff_actor, "PME Paris", "newsletter")
    add_to_segment(staff_actor, lyon, [stays, objects])
    add_to_segment(staff_actor, paris, [objects])
    assert dict((s.name, n) for s, n in segment_counts()) == {"PME Lyon": 2, "PME Paris": 1}

    services.object_to_marketing(staff_actor, objects, method=Method.PHONE)

    assert dict((s.name, n) for s, n in segment_counts()) == {"PME Lyon": 1, "PME Paris": 0}
    assert segment_people(lyon) == [str(stays.pk)]
    assert not SegmentMember.objects.filter(person=objects).exists()
    event = Event.objects.get(action="consent:marketing:object")
    assert event.extra["segments_left"] == 2


def test_a_person_who_objected_can_never_be_added_to_a_segment(make_person, staff_actor) -> None:
    objected, fresh = make_person(), make_person()
    services.object_to_marketing(staff_actor, objected, method=Method.POST)
    segment = create_segment(staff_actor, "Relance", "offres")
    report = add_to_segment(staff_actor, segment, [objected, fresh])
    assert (report.added, report.objected) == (1, 1)
    assert segment_people(segment) == [str(fresh.pk)]
    again = add_to_segment(staff_actor, segment, [fresh])
    assert (again.added, again.already) == (0, 1)


def test_a_count_leaves_out_an_objector_even_if_a_row_slipped_through(
    make_person, staff_actor
) -> None:
    person = make_person()
    segment = create_segment(staff_actor, "Ancienne liste", "offres")
    services.object_to_marketing(staff_actor, person, method=Method.POST)
    # A row written behind the services' back (an old import, a manual fix).
    SegmentMember.objects.create(segment=segment, person=person)
    assert segment_counts() == [(segment, 0)]
    assert segment_people(segment) == []


@pytest.mark.parametrize(
    ("name", "purpose", "message"),
    [("", "offres", "name"), ("X", "sms", "purpose"), ("Doublon", "newsletter", "exists")],
)
def test_a_segment_needs_a_name_a_known_purpose_and_a_new_name(
    staff_actor, name, purpose, message
) -> None:
    create_segment(staff_actor, "Doublon", "newsletter")
    with pytest.raises(SegmentError, match=message):
        create_segment(staff_actor, name, purpose)


def test_the_segments_page_shows_counts_and_refuses_outsiders(
    signed_in, auditor, outsider, make_person, staff_actor
) -> None:
    segment = create_segment(staff_actor, "Clients PME", "offres")
    add_to_segment(staff_actor, segment, [make_person(), make_person()])
    page = signed_in(auditor).get("/backoffice/consent/segments/")
    assert page.status_code == 200
    assert "Clients PME" in page.text and "<td>2</td>" in page.text
    assert signed_in(outsider).get("/backoffice/consent/segments/").status_code == 403
