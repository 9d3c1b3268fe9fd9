"""Keep card data and credentials out of new free text written through Vigie.

R18: no field, log or ticket holds a full card number (PAN) or a security code;
R30: credentials never appear in tickets or e-mails, checked on save. Text is
either refused, with a message naming the kind of data and never the value, or
stored with the value masked (a card keeps its last four digits, as PCI DSS allows).
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vigie.pii.builtin import BuiltinScanner
from vigie.pii.findings import FORBIDDEN_KINDS, LABELS, Finding, Kind

Mode = Literal["refuse", "mask"]

# Names of people are not refused: the built-in scanner is enough, and fast.
_scanner = BuiltinScanner()


def find_forbidden(text: str) -> list[Finding]:
    """The card numbers, card codes and secrets in ``text``."""
    return [f for f in _scanner.scan(text) if f.kind in FORBIDDEN_KINDS]


def guard_free_text(text: str, *, mode: Mode = "refuse") -> str:
    """``text`` unchanged when it holds no card data or secret; else refuse or mask them."""
    if not text:
        return text
    found = find_forbidden(text)
    if not found:
        return text
    if mode == "refuse":
        kinds = list(dict.fromkeys(f.kind for f in found))
        raise ValidationError(
            _(
                "This text contains %(kinds)s. Card numbers, card security codes and "
                "passwords are never stored in Vigie (R18, R30): remove it, and keep "
                "credentials in the vault."
            ),
            code="forbidden_secret",
            params={"kinds": ", ".join(str(LABELS[kind]) for kind in kinds)},
        )
    if mode != "mask":
        raise ValueError(f"mode must be 'refuse' or 'mask', not {mode!r}")
    parts, position = [], 0
    for finding in found:
        parts += [text[position : finding.start], _mask(finding)]
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def _mask(finding: Finding) -> str:
    if finding.kind == Kind.CARD:
        return _("[card ••••%(last4)s]") % {"last4": finding.normalized[-4:]}
    if finding.kind == Kind.CARD_CODE:
        return _("[card code masked]")
    return _("[secret masked]")
