"""Restriction of processing (Art. 18, R55) and objection blocks (Art. 21, R56, R42).

A restriction leaves the person's data stored and nothing else: every processing job
asks ``is_restricted`` or filters with ``without_restricted`` (audience checks and
the marketing gate, segments, exports, disclosures), and the people services refuse
edits. Art. 18(2) lets storage, legal claims and processing with consent go on: the
callers that may (a disclosure for legal claims) say so explicitly.

Lifting is refused until the notice to the person is logged (Art. 18(3)): the rights
case sends the lifting letter and calls ``log_lifting_notice`` in the same step.

An objection block stops one purpose for one person the day it is recorded
(``block_purpose``); jobs ask ``purpose_blocked``, the audience check reads the
blocks' marketing purposes. Only a legitimate-interest purpose can go on, when the
privacy lead writes down compelling grounds (``override_block``; the permission is
checked by the caller, the text here).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.lib.purposes import ALL_PURPOSES, Purpose
from vigie.people.models import (
    BlockStatus,
    Person,
    ProcessingBlock,
    Restriction,
    RestrictionReason,
)


class RestrictionError(ValueError):
    """A restriction step refused (the message says why, for the person acting)."""


class PersonRestricted(RestrictionError):
    """The person's data is restricted (Art. 18): it may only be stored."""


@dataclass(frozen=True)
class CaseRef:
    """The rights case behind a restriction or a block (rights sits above people)."""

    id: uuid.UUID | None = None
    number: str = ""


def actor_name(actor: Actor) -> str:
    """Who acted, as the restriction and block rows keep it."""
    if actor.user is not None:
        return str(actor.user.get_username())
    return f"{actor.kind}:{actor.id}"


def active_restrictions(person: Person) -> list[Restriction]:
    return list(person.restrictions.filter(lifted_at__isnull=True))


def is_restricted(person: Person, categories: Iterable[str] | None = None) -> bool:
    """Is processing of the person's data (of any of ``categories``) restricted?

    A restriction with no categories covers everything held on the person.
    """
    wanted = set(categories or ())
    for restriction in active_restrictions(person):
        if not restriction.categories or not wanted or wanted & set(restriction.categories):
            return True
    return False


def restricted_exists(ref: str = "pk") -> Exists:
    """An ``Exists`` true for a person under an active restriction, for set-based
    queries (``ref``: the path to the person's key from the outer query)."""
    return Exists(Restriction.objects.filter(person=OuterRef(ref), lifted_at__isnull=True))


def blocked_exists(marketing: str, ref: str = "pk") -> Exists:
    """An ``Exists`` true for a person who objected to the ``marketing`` purpose."""
    return Exists(
        ProcessingBlock.objects.filter(
            person=OuterRef(ref),
            status=BlockStatus.BLOCKED,
            marketing__in=[marketing, ALL_PURPOSES],
        )
    )


def without_restricted(people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` minus anyone whose data is restricted (an export, a campaign list)."""
    return people.exclude(restricted_exists())


def refuse_if_restricted(person: Person) -> None:
    """Raise ``PersonRestricted`` when the person's data is restricted (edits, jobs)."""
    if is_restricted(person):
        raise PersonRestricted(
            _(
                "This person's data is restricted (« LIMITÉ », Art. 18): it may only be "
                "stored until the restriction is lifted."
            )
        )


def restrict(
    actor: Actor,
    person: Person,
    reason: RestrictionReason,
    *,
    categories: Iterable[str] = (),
    case: CaseRef | None = None,
) -> tuple[Restriction, bool]:
    """Restrict the processing of the person's data (Art. 18(1)); ``(row, created)``.

    Idempotent: an active restriction for the same case and categories is returned.
    """
    keys = sorted({c.strip() for c in categories if c and c.strip()})
    case = case or CaseRef()
    if person.shredded_at is not None:
        raise RestrictionError(_("This person was erased: there is nothing to restrict."))
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        existing = person.restrictions.filter(
            lifted_at__isnull=True, case_id=case.id, categories=keys
        ).first()
        if existing is not None:
            return existing, False
        restriction = Restriction.objects.create(
            person=person,
            categories=keys,
            reason=reason,
            case_id=case.id,
            case_number=case.number,
            set_at=timezone.now(),
            set_by=actor_name(actor),
        )
        record_event(
            actor,
            Action.RESTRICTION_SET,
            person,
            extra={"reason": str(reason), "categories": keys, "case": case.number},
        )
    return restriction, True


def log_lifting_notice(actor: Actor, restriction: Restriction, *, message: str = "") -> None:
    """Log that the person was told the restriction will be lifted (Art. 18(3)).

    Called by the step that queued the letter, inside its transaction.
    """
    if restriction.lifted_at is not None:
        raise RestrictionError(_("This restriction was already lifted."))
    with transaction.atomic():
        restriction.notice_sent_at = timezone.now()
        restriction.save(update_fields=["notice_sent_at"])
        record_event(
            actor,
            Action.RESTRICTION_NOTICE,
            restriction.person,
            extra={"restriction": str(restriction.pk), "message": message},
        )


def lift_restriction(actor: Actor, restriction: Restriction) -> Restriction:
    """Lift a restriction (Art. 18(3)): refused until the notice to the person is logged."""
    with transaction.atomic():
        current = Restriction.objects.select_for_update().get(pk=restriction.pk)
        if current.lifted_at is not None:
            return current
        if current.notice_sent_at is None:
            raise RestrictionError(
                _(
                    "The person must be told before the restriction is lifted (Art. 18(3)): "
                    "send the lifting letter first."
                )
            )
        current.lifted_at = timezone.now()
        current.lifted_by = actor_name(actor)
        current.save(update_fields=["lifted_at", "lifted_by"])
        record_event(
            actor,
            Action.RESTRICTION_LIFT,
            current.person,
            extra={"restriction": str(current.pk), "case": current.case_number},
        )
    return current


# --- Objection blocks (Art. 21) ---------------------------------------------------


def block_purpose(
    actor: Actor,
    person: Person,
    purpose: str,
    *,
    label_fr: str,
    label_en: str,
    marketing: str = "",
    case: CaseRef | None = None,
) -> tuple[ProcessingBlock, bool]:
    """Stop ``purpose`` for the person now (Art. 21(1) and (3)); ``(block, created)``.

    Idempotent: a purpose already blocked stays as it is (an override recorded stays).
    """
    case = case or CaseRef()
    if marketing and marketing not in (*Purpose.values, ALL_PURPOSES):
        raise RestrictionError(_("Not a marketing purpose: %(key)s") % {"key": marketing})
    with transaction.atomic():
        existing = ProcessingBlock.objects.filter(person=person, purpose=purpose).first()
        if existing is not None:
            return existing, False
        block = ProcessingBlock.objects.create(
            person=person,
            purpose=purpose,
            label_fr=label_fr[:500],
            label_en=label_en[:500],
            marketing=marketing,
            case_id=case.id,
            case_number=case.number,
            blocked_at=timezone.now(),
            blocked_by=actor_name(actor),
            status=BlockStatus.BLOCKED,
        )
        record_event(
            actor,
            Action.PURPOSE_BLOCK,
            person,
            extra={"purpose": purpose, "marketing": marketing, "case": case.number},
        )
    return block, True


def override_block(actor: Actor, block: ProcessingBlock, grounds: str) -> ProcessingBlock:
    """Record compelling legitimate grounds (or a legal-claims need) that override the
    person's objection (Art. 21(1)): the purpose goes on. Never for marketing (R42)."""
    text = (grounds or "").strip()
    if block.marketing or block.purpose in Purpose.values:
        raise RestrictionError(
            _("An objection to marketing is absolute: it cannot be weighed (Art. 21(3)).")
        )
    if len(text) < 20:
        raise RestrictionError(
            _(
                "Write the compelling legitimate grounds, or the legal claims, that override "
                "the objection (at least 20 characters)."
            )
        )
    with transaction.atomic():
        current = ProcessingBlock.objects.select_for_update().get(pk=block.pk)
        if current.status == BlockStatus.OVERRIDDEN:
            return current
        current.status = BlockStatus.OVERRIDDEN
        current.grounds = text
        current.decided_at = timezone.now()
        current.decided_by = actor_name(actor)
        current.save(update_fields=["status", "grounds", "decided_at", "decided_by"])
        record_event(
            actor,
            Action.PURPOSE_OVERRIDE,
            current.person,
            extra={"purpose": current.purpose, "case": current.case_number},
        )
    return current


def purpose_blocked(person: Person, purpose: str) -> bool:
    """Has the person objected to ``purpose`` (a register purpose reference or a
    marketing purpose), with no compelling grounds recorded? What jobs ask."""
    return any(
        block.purpose == purpose or block.marketing in (purpose, ALL_PURPOSES)
        for block in ProcessingBlock.objects.filter(person=person, status=BlockStatus.BLOCKED)
    )


def blocks_of(person: Person) -> list[ProcessingBlock]:
    return list(person.blocks.all())
