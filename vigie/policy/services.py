"""Draft, publish and look up versions of the privacy policy (R7, R74, R75).

A draft is rendered from the current register when it is created and never
rendered again. Publishing checks the R7 checklist in both languages, freezes the
version and records the audit event in the same transaction. ``current_version``
is what consent records and notices reference (R75): the version in force at a
given moment.
"""

from __future__ import annotations

import difflib
import enum
from datetime import datetime
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.policy import checklist
from vigie.policy.models import PolicyVersion, Status
from vigie.policy.plaintext import PolicyText
from vigie.policy.rendering import render_body
from vigie.register import services as register


class _When(enum.Enum):
    ON_PUBLICATION = "on publication"


# "Today" picked as the effective date: in force from the very moment of publication.
ON_PUBLICATION = _When.ON_PUBLICATION
# An effective date as asked for: a moment, ON_PUBLICATION, or None (not given).
Effective = datetime | Literal[_When.ON_PUBLICATION] | None

FIRST_SUMMARY = {"fr": "Première version publiée", "en": "First published version"}
SUMMARY_MAX = 2000
# The largest version number a PositiveIntegerField holds on every database backend.
NUMBER_MAX = 2**31 - 1
# Longer digit strings are not version numbers (and int() refuses past 4300 digits).
DIGITS_MAX = 50


class PolicyError(ValueError):
    """The policy action cannot be done; the message says why and what to do."""


class ChecklistRefusal(PolicyError):
    """Publication refused: the text misses R7 items (named in ``missing``)."""

    def __init__(self, version: PolicyVersion, missing: list[checklist.Item]) -> None:
        self.version = version
        self.missing = missing
        names = "; ".join(f"{item.label_fr} / {item.label_en}" for item in missing)
        super().__init__(
            f"v{version.number} cannot be published, the text misses {len(missing)} "
            f"R7 item(s): {names}. It stays a draft."
        )


def _check_effective(effective_at: Effective, now: datetime) -> None:
    if effective_at is None or effective_at is ON_PUBLICATION:
        return
    if timezone.is_naive(effective_at):
        raise PolicyError("the effective date needs a time zone")
    # A version cannot take effect before it is public: consents and notices of
    # the past reference the text that was actually shown then (R75, Art. 7(1)).
    if effective_at < now:
        raise PolicyError(
            f"the effective date {effective_at.isoformat()} is in the past: "
            "a version takes effect at the earliest when it is published"
        )


def create_draft(
    actor: Actor,
    *,
    change_summary_fr: str,
    change_summary_en: str,
    material: bool,
    effective_at: Effective = None,
) -> PolicyVersion:
    """Render a new draft from the current register; its number is taken now.

    ``effective_at`` None or ON_PUBLICATION: the draft takes effect when published.
    """
    summaries = {"fr": change_summary_fr.strip(), "en": change_summary_en.strip()}
    for lang, summary in summaries.items():
        if not summary:
            raise PolicyError(f"the change summary ({lang}) is required (R74)")
        if len(summary) > SUMMARY_MAX:
            raise PolicyError(f"the change summary ({lang}) is over {SUMMARY_MAX} characters")
    now = timezone.now()
    _check_effective(effective_at, now)
    revision = register.current_revision()
    if revision is None:
        raise PolicyError(
            "no register loaded yet: the policy is generated from it "
            "(load one with `vigie register load FILE`)"
        )
    body_fr = render_body(revision.document, "fr")
    body_en = render_body(revision.document, "en")
    with transaction.atomic():
        last = PolicyVersion.objects.aggregate(last=Max("number"))["last"] or 0
        try:
            # A savepoint, so that a lost race on the number leaves the outer
            # transaction usable and nothing half-written.
            with transaction.atomic():
                version = PolicyVersion(
                    number=last + 1,
                    status=Status.DRAFT,
                    register_revision=revision.number,
                    body_fr=body_fr,
                    body_en=body_en,
                    change_summary_fr=summaries["fr"],
                    change_summary_en=summaries["en"],
                    material=material,
                    author_type=actor.kind,
                    author_id=actor.id,
                    created_at=now,
                    effective_at=None if effective_at is ON_PUBLICATION else effective_at,
                )
                version.save()
        except IntegrityError:
            raise PolicyError("another draft was created meanwhile: try again") from None
        record_event(
            actor,
            Action.POLICY_DRAFT,
            version,
            extra={
                "number": version.number,
                "register_revision": revision.number,
                "material": material,
            },
        )
    return version


def _effective_on_publish(asked: Effective, drafted: datetime | None, now: datetime) -> datetime:
    """When a version published at ``now`` takes effect; never before ``now`` (R75).

    A moment asked for is used as is (refused if past); ON_PUBLICATION is ``now``;
    nothing asked for keeps the draft's own date unless it has passed (or there is
    none), and then the version takes effect on publication.
    """
    if asked is ON_PUBLICATION:
        return now
    if asked is not None:
        _check_effective(asked, now)
        return asked
    if drafted is not None and drafted >= now:
        return drafted
    return now


def publish(
    actor: Actor, version: PolicyVersion, *, effective_at: Effective = None
) -> PolicyVersion:
    """Publish a draft after the R7 checklist (both languages); the row is then frozen.

    The effective date is ``effective_at`` (ON_PUBLICATION: now); when not given,
    the draft's own date if it has not passed, else the publication time.
    """
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().filter(pk=version.pk).first()
        if locked is None:
            raise PolicyError(f"v{version.number} does not exist")
        if locked.is_published:
            raise PolicyError(f"v{locked.number} is already published; a version is immutable")
        newer = PolicyVersion.objects.published().filter(number__gt=locked.number).first()
        if newer is not None:
            raise PolicyError(
                f"v{newer.number} is already published: v{locked.number} is outdated, "
                "create a new draft instead"
            )
        revision = register.current_revision()
        if revision is not None and revision.number != locked.register_revision:
            # The policy must say what the register says (R7): a draft made from an
            # older register would publish stale facts.
            raise PolicyError(
                f"the register changed since v{locked.number} was drafted (revision "
                f"{locked.register_revision}, now {revision.number}): create a new draft"
            )
        try:
            missing = checklist.missing_items(locked)
        except LookupError as error:
            raise PolicyError(str(error)) from None
        if missing:
            raise ChecklistRefusal(locked, missing)
        now = timezone.now()
        effective = _effective_on_publish(effective_at, locked.effective_at, now)
        locked.status = Status.PUBLISHED
        locked.published_at = now
        locked.effective_at = effective
        locked.publisher_type = actor.kind
        locked.publisher_id = actor.id
        locked.save()
        record_event(
            actor,
            Action.POLICY_PUBLISH,
            locked,
            extra={
                "number": locked.number,
                "effective_at": locked.effective_at.isoformat(),
                "material": locked.material,
                "register_revision": locked.register_revision,
            },
        )
    # The caller's instance reflects the published row.
    version.refresh_from_db()
    return version


def current_version(at: datetime | None = None) -> PolicyVersion | None:
    """The version in force at ``at`` (now by default), R75.

    The newest published version whose effective date has come: a later version
    supersedes an earlier one as soon as it takes effect.
    """
    moment = at or timezone.now()
    return (
        PolicyVersion.objects.published()
        .filter(effective_at__lte=moment)
        .order_by("-number")
        .first()
    )


def published_version(number: int) -> PolicyVersion | None:
    return PolicyVersion.objects.published().filter(number=number).first()


def published_versions() -> list[PolicyVersion]:
    return list(PolicyVersion.objects.published().order_by("-number"))


def version_diff(a: PolicyVersion, b: PolicyVersion, lang: str = "fr") -> list[str]:
    """A unified diff of the text (tags stripped) of two versions, in ``lang``."""
    if lang not in ("fr", "en"):
        raise PolicyError(f"unknown language {lang!r}: fr or en")
    return list(
        difflib.unified_diff(
            PolicyText(a.body(lang)).lines,
            PolicyText(b.body(lang)).lines,
            fromfile=f"v{a.number}",
            tofile=f"v{b.number}",
            lineterm="",
            n=1,
        )
    )


def ensure_published_first_version(actor: Actor) -> PolicyVersion | None:
    """Publish v1 from the register unless a version is already published (idempotent).

    Raises ``PolicyError`` when there is no register or the text fails the checklist.
    """
    if PolicyVersion.objects.published().exists():
        return None
    # One transaction: a refused publication leaves no stray draft behind.
    with transaction.atomic():
        draft = create_draft(
            actor,
            change_summary_fr=FIRST_SUMMARY["fr"],
            change_summary_en=FIRST_SUMMARY["en"],
            material=False,
        )
        return publish(actor, draft)
