"""What a PII scan returns: findings of a kind at a place, and the scanner interface.

A finding carries the text it covers, so its ``repr`` leaves that text (and its
normal form) out: a finding that ends up in a log line or a traceback must not
copy the personal data or the secret it points at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    EMAIL = "email"
    PHONE_MOBILE = "phone_mobile"
    PHONE_FIXED = "phone_fixed"
    # Other valid French numbers: VoIP (09), shared-cost and toll-free (08), pagers.
    PHONE_OTHER = "phone_other"
    NIR = "nir"
    SIREN = "siren"
    SIRET = "siret"
    IBAN = "iban"
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    CARD = "card"
    CARD_CODE = "card_code"
    SECRET = "secret"  # noqa: S105 (a kind, not a password)
    PERSON = "person"


PHONE_KINDS = frozenset({Kind.PHONE_MOBILE, Kind.PHONE_FIXED, Kind.PHONE_OTHER})

#: What new free text may never hold (R18: no PAN or CVV; R30: no credentials).
FORBIDDEN_KINDS = frozenset({Kind.CARD, Kind.CARD_CODE, Kind.SECRET})

#: When two findings cover the same span, the one earlier in this list wins.
PRIORITY: tuple[Kind, ...] = (
    Kind.SECRET,
    Kind.CARD_CODE,
    Kind.IBAN,
    Kind.NIR,
    Kind.SIRET,
    Kind.CARD,
    Kind.SIREN,
    Kind.PHONE_MOBILE,
    Kind.PHONE_FIXED,
    Kind.PHONE_OTHER,
    Kind.IPV6,
    Kind.IPV4,
    Kind.EMAIL,
    Kind.PERSON,
)

LABELS: dict[Kind, Promise] = {
    Kind.EMAIL: _("an e-mail address"),
    Kind.PHONE_MOBILE: _("a mobile phone number"),
    Kind.PHONE_FIXED: _("a landline phone number"),
    Kind.PHONE_OTHER: _("a phone number"),
    Kind.NIR: _("a social security number (NIR)"),
    Kind.SIREN: _("a SIREN number"),
    Kind.SIRET: _("a SIRET number"),
    Kind.IBAN: _("an IBAN"),
    Kind.IPV4: _("an IP address"),
    Kind.IPV6: _("an IP address"),
    Kind.CARD: _("a payment card number"),
    Kind.CARD_CODE: _("a card security code (CVV)"),
    Kind.SECRET: _("a password or secret key"),
    Kind.PERSON: _("a person's name"),
}


@dataclass(frozen=True)
class Finding:
    """One identifier found in a text: ``text[start:end]`` is ``text``.

    ``normalized`` is the form used for comparisons: E.164 for phone numbers,
    lower case for e-mail addresses, digits (and letters) only for the numbers.
    ``score`` is 1.0 for a validated identifier and lower for a weaker guess.
    """

    kind: Kind
    start: int
    end: int
    text: str = field(repr=False)
    normalized: str = field(default="", repr=False)
    score: float = 1.0
    engine: str = "builtin"


class Scanner(Protocol):
    def scan(self, text: str) -> list[Finding]:
        """The findings in ``text``, sorted by position, none overlapping another."""
        ...


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep one finding per span: the longest, then the kind with the higher priority.

    So a SIRET is not also reported as the SIREN it starts with, and a card number
    is not also a phone number. A bytearray marks the characters already taken,
    which keeps this linear in the size of the text and the findings.
    """
    if not findings:
        return []
    rank = {kind: index for index, kind in enumerate(PRIORITY)}
    ordered = sorted(findings, key=lambda f: (f.start - f.end, rank[f.kind], f.start))
    taken = bytearray(max(f.end for f in findings))
    kept = []
    for finding in ordered:
        if taken.find(1, finding.start, finding.end) != -1:
            continue
        taken[finding.start : finding.end] = b"\x01" * (finding.end - finding.start)
        kept.append(finding)
    return sorted(kept, key=lambda f: f.start)
