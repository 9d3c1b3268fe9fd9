"""Mask third parties' identifiers in an access copy (Art. 15(4), R52).

The person receives their own data; other people's e-mail addresses, phone numbers,
names and numbers in the same ticket thread are replaced by a placeholder, and so
are secrets and card data whoever they belong to (Art. 32, R18, R30). Each masking
is recorded with its kind and reason in one audit event; the event holds kinds,
reasons and positions, never the masked values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext as _

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event
from vigie.pii.engine import get_scanner
from vigie.pii.findings import FORBIDDEN_KINDS, Kind, Scanner
from vigie.pii.mentions import Identifiers

# An access copy of a long thread may mask thousands of values: the event keeps
# the counts of all and the positions of the first ones.
MAX_LOGGED_POSITIONS = 1000


class Reason(StrEnum):
    #: Art. 15(4): the copy must not adversely affect the rights and freedoms of others.
    RIGHTS_OF_OTHERS = "art15_4_rights_of_others"
    #: Art. 32, R18, R30: credentials and card data are never handed out, not even to their owner.
    SECURITY = "art32_security"


@dataclass(frozen=True)
class Masking:
    """One value replaced: its kind, its place in the original text and why."""

    kind: Kind
    start: int
    end: int
    reason: Reason


@dataclass(frozen=True)
class MaskedText:
    text: str
    maskings: tuple[Masking, ...]


def placeholder(reason: Reason) -> str:
    if reason == Reason.SECURITY:
        return _("[secret masked]")
    return _("[third party masked]")


def mask_third_parties(
    text: str,
    subject_identifiers: Iterable[str] | Identifiers,
    *,
    actor: Actor | None = None,
    context: str = "",
    obj: models.Model | ObjectRef | None = None,
    kinds: Iterable[Kind] | None = None,
    scanner: Scanner | None = None,
) -> MaskedText:
    """``text`` with every identifier that is not the subject's own masked, and logged.

    ``context`` says where the text comes from, as a reference (``"glpi:ticket:17"``),
    never as personal data. ``kinds`` limits the masking of third parties to these
    kinds; secrets and card data are masked whatever ``kinds`` says.
    """
    subject = (
        subject_identifiers
        if isinstance(subject_identifiers, Identifiers)
        else Identifiers.parse(subject_identifiers)
    )
    wanted = None if kinds is None else frozenset(kinds)
    maskings = []
    for finding in (scanner or get_scanner()).scan(text):
        if finding.kind in FORBIDDEN_KINDS:
            reason = Reason.SECURITY
        elif subject.owns(finding) or (wanted is not None and finding.kind not in wanted):
            continue
        else:
            reason = Reason.RIGHTS_OF_OTHERS
        maskings.append(Masking(finding.kind, finding.start, finding.end, reason))
    masked = _replace(text, maskings)
    if maskings:
        _record(actor or Actor.system("pii"), maskings, context, obj)
    return MaskedText(masked, tuple(maskings))


def _replace(text: str, maskings: list[Masking]) -> str:
    parts, position = [], 0
    for masking in maskings:
        parts += [text[position : masking.start], placeholder(masking.reason)]
        position = masking.end
    parts.append(text[position:])
    return "".join(parts)


def _record(
    actor: Actor, maskings: list[Masking], context: str, obj: models.Model | ObjectRef | None
) -> None:
    counts = Counter(f"{m.kind}:{m.reason}" for m in maskings)
    record_event(
        actor,
        Action.PII_MASK,
        obj,
        extra={
            "context": context,
            "count": len(maskings),
            "counts": dict(sorted(counts.items())),
            "maskings": [
                {"kind": str(m.kind), "reason": str(m.reason), "start": m.start, "end": m.end}
                for m in maskings[:MAX_LOGGED_POSITIONS]
            ],
        },
    )
