"""Targeting segments, which a marketing objection always overrides (Art. 21(2)-(3), R42).

A segment is a named list of people for campaigns of one purpose. An objection to
marketing is absolute and covers targeting: ``object_to_marketing`` removes the
person from every segment in the same transaction, nobody who objected can be added
to one, and counts leave such people out even if a row slipped through (belt and
braces: the count is what a campaign is sized on).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.consent.actions import SegmentAction
from vigie.consent.models import Segment, SegmentMember, Status, Subscription
from vigie.lib.purposes import ALL_PURPOSES, Purpose
from vigie.people.models import BlockStatus, Person, ProcessingBlock
from vigie.people.restrictions import restricted_exists


class SegmentError(ValueError):
    """A segment cannot be created or changed as asked."""


@dataclass(frozen=True)
class AddReport:
    added: int
    already: int
    objected: int


def _objected() -> Exists:
    return Exists(Subscription.objects.filter(person=OuterRef("person"), status=Status.OBJECTED))


def _blocked() -> Exists:
    """A member who objected to the segment's purpose (or to all marketing)."""
    return Exists(
        ProcessingBlock.objects.filter(
            Q(marketing=OuterRef("segment__purpose")) | Q(marketing=ALL_PURPOSES),
            person=OuterRef("person"),
            status=BlockStatus.BLOCKED,
        )
    )


def create_segment(actor: Actor, name: str, purpose: str, description: str = "") -> Segment:
    name = name.strip()
    if not name:
        raise SegmentError("a segment needs a name")
    if purpose not in Purpose.values:
        raise SegmentError(f"unknown purpose {purpose!r}")
    with transaction.atomic():
        if Segment.objects.filter(name=name).exists():
            raise SegmentError(f"a segment named {name!r} exists already")
        segment = Segment.objects.create(
            name=name,
            purpose=purpose,
            description=description,
            created_by=f"{actor.kind}:{actor.id}",
        )
        record_event(actor, SegmentAction.CREATE, segment, extra={"purpose": purpose})
    return segment


def add_to_segment(actor: Actor, segment: Segment, people: Iterable[Person]) -> AddReport:
    """Add people, refusing everyone who objected to marketing (R42). Set-based."""
    ids = {p.pk for p in people}
    with transaction.atomic():
        objected = set(
            Subscription.objects.filter(person_id__in=ids, status=Status.OBJECTED)
            .values_list("person_id", flat=True)
            .distinct()
        )
        present = set(
            SegmentMember.objects.filter(segment=segment, person_id__in=ids).values_list(
                "person_id", flat=True
            )
        )
        new = ids - objected - present
        SegmentMember.objects.bulk_create(
            [SegmentMember(segment=segment, person_id=pk) for pk in new], batch_size=1000
        )
        report = AddReport(added=len(new), already=len(present - objected), objected=len(objected))
        record_event(
            actor,
            SegmentAction.ADD,
            segment,
            extra={"added": report.added, "refused_objected": report.objected},
        )
    return report


def remove_from_every_segment(person: Person) -> int:
    """Called inside the objection's transaction; returns how many memberships went."""
    removed, _ = SegmentMember.objects.filter(person=person).delete()
    return removed


def segment_counts() -> list[tuple[Segment, int]]:
    """Every segment with the number of people it would target now."""
    eligible = (
        _eligible(SegmentMember.objects.filter(segment=OuterRef("pk")))
        .values("segment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    segments = Segment.objects.annotate(size=Coalesce(Subquery(eligible), 0))
    return [(s, s.size) for s in segments]


def _eligible(members: QuerySet[SegmentMember]) -> QuerySet[SegmentMember]:
    return (
        members.filter(person__shredded_at__isnull=True)
        .annotate(
            objected=_objected(),
            restricted=restricted_exists("person"),
            blocked=_blocked(),
        )
        # R55: restricted data is stored, never targeted; R56: nor is anyone who
        # objected to the segment's purpose.
        .filter(objected=False, restricted=False, blocked=False)
    )


def segment_people(segment: Segment) -> list[str]:
    """Ids of the people a campaign on this segment may target (never an objector)."""
    members = _eligible(SegmentMember.objects.filter(segment=segment))
    return [str(pk) for pk in members.values_list("person_id", flat=True)]
