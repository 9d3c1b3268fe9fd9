"""Where a given person is mentioned in a text (Art. 15 access: tickets and notes).

Identifiers are compared in a normal form: e-mail addresses case-insensitively,
phone numbers in E.164 whatever their spacing, numbers (NIR, IBAN…) without
separators, names without accents or case, first and last name in either order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from vigie.pii.engine import get_scanner
from vigie.pii.findings import PHONE_KINDS, Finding, Kind, Scanner, resolve_overlaps
from vigie.pii.identifiers import e164, parse_phone
from vigie.pii.presidio import fold_name


@dataclass(frozen=True)
class Identifiers:
    """A person's identifiers, each in its comparison form."""

    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    names: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, values: Iterable[str]) -> Identifiers:
        """Sort raw values: an e-mail has an @, a phone parses, a number has digits, else a name."""
        emails, phones, numbers, names = set(), set(), set(), []
        for raw in values:
            value = (raw or "").strip()
            if not value:
                continue
            if "@" in value:
                emails.add(value.lower())
                continue
            number = parse_phone(value) if re.fullmatch(r"[\d\s.+()\-]{6,}", value) else None
            if number is not None:
                phones.add(e164(number))
            elif any(c.isdigit() for c in value):
                numbers.add(compact(value))
            elif fold_name(value):
                names.append(fold_name(value))
        return cls(frozenset(emails), frozenset(phones), frozenset(numbers), tuple(names))

    def owns(self, finding: Finding) -> bool:
        """Whether ``finding`` is one of these identifiers."""
        if finding.kind == Kind.EMAIL:
            return finding.normalized in self.emails
        if finding.kind in PHONE_KINDS:
            return finding.normalized in self.phones
        if finding.kind == Kind.PERSON:
            # "Dupont" or "Jean" alone, found by presidio, is taken for "Jean Dupont".
            tokens = set(fold_name(finding.text).split())
            return any(tokens <= set(name.split()) for name in self.names)
        return compact(finding.normalized or finding.text) in self.numbers


def compact(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def find_mentions(
    text: str, identifiers: Iterable[str] | Identifiers, *, scanner: Scanner | None = None
) -> list[Finding]:
    """The places where ``text`` mentions the person these identifiers describe."""
    person = identifiers if isinstance(identifiers, Identifiers) else Identifiers.parse(identifiers)
    found = [f for f in (scanner or get_scanner()).scan(text) if person.owns(f)]
    found += find_names(text, person.names)
    return resolve_overlaps(found)


def find_names(text: str, names: Iterable[str]) -> list[Finding]:
    """Each occurrence of the (folded) names, with the last name first or last.

    "Jean-Luc Dupont" also matches "DUPONT Jean-Luc": every rotation of the words
    is tried, which covers both orders without inventing "Luc Jean Dupont".
    """
    patterns = []
    for name in names:
        words = name.split()
        if not words:
            continue
        orders = {tuple(words[i:] + words[:i]) for i in range(len(words))}
        patterns += [r"[\s\-']+".join(re.escape(w) for w in order) for order in orders]
    if not patterns:
        return []
    folded, origin = _fold_with_positions(text)
    regex = re.compile(
        r"(?<!\w)(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + r")(?!\w)"
    )
    findings = []
    for match in regex.finditer(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        findings.append(
            Finding(Kind.PERSON, start, end, text[start:end], match.group(), engine="mentions")
        )
    return findings


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """``text`` folded like names are, and for each folded character its index in ``text``."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            folded = char.lower()
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin
