"""Recognizers of numbers written as digit groups: NIR, SIREN, SIRET, payment cards.

One pass finds each run of digit groups ("4970 1012 3456 7890", "1 85 05 78 006
084 91", "732 829 320 00074"); then every window of whole groups whose length
fits an identifier is checked with python-stdnum: the NIR's key (97 minus the
number modulo 97), the Luhn digit of SIREN, SIRET and card numbers. A number whose
checksum fails is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import luhn
from stdnum.fr import nir, siren, siret

from vigie.pii.findings import Finding, Kind
from vigie.pii.identifiers import SEP

# Groups of digits split by exactly one separator: unambiguous, so linear.
RUN = re.compile(rf"\d+(?:{SEP}\d+)*")
# Corsica's departments 2A and 2B put letters inside a NIR.
CORSICAN_NIR = re.compile(
    rf"(?<![\w])[1-478]{SEP}?\d{{2}}{SEP}?\d{{2}}{SEP}?2[ABab]"
    rf"{SEP}?\d{{3}}{SEP}?\d{{3}}{SEP}?\d{{2}}(?![\w])"
)

# Windows never grow past the longest identifier (a 19-digit card), so even a long
# table of figures is checked window by window in linear time.
MAX_DIGITS = 19
COMPANY_CONTEXT = re.compile(r"siren|siret|rcs|tva|immatricul|entreprise|soci[ée]t[ée]", re.I)


def find_digit_identifiers(text: str) -> Iterator[Finding]:
    for run in RUN.finditer(text):
        if _glued_to_word(text, run.start(), run.end()):
            continue
        groups = [(g.start(), g.end()) for g in re.finditer(r"\d+", run.group())]
        offset = run.start()
        spans = [(offset + s, offset + e) for s, e in groups]
        longest = len(spans)
        for i, (start, _end) in enumerate(spans):
            digits = ""
            sizes: tuple[int, ...] = ()
            for j in range(i, min(i + longest, len(spans))):
                group = text[spans[j][0] : spans[j][1]]
                # A lone digit starts a NIR ("1 85 …") but never continues a number.
                if j > i and len(group) == 1:
                    break
                digits, sizes = digits + group, (*sizes, len(group))
                if len(digits) > MAX_DIGITS:
                    break
                yield from _check(text, start, spans[j][1], digits, sizes)
    for match in CORSICAN_NIR.finditer(text):
        compact = nir.compact(match.group()).upper()
        if nir.is_valid(compact):
            yield Finding(Kind.NIR, match.start(), match.end(), match.group(), compact)


# How SIREN and SIRET numbers are written: whole, or in threes (and the NIC of five).
COMPANY_GROUPINGS = {(9,), (3, 3, 3), (14,), (9, 5), (3, 3, 3, 5)}


def _check(
    text: str, start: int, end: int, digits: str, sizes: tuple[int, ...]
) -> Iterator[Finding]:
    value = text[start:end]
    length = len(digits)
    if length == 15 and digits[0] in "123478" and nir.is_valid(digits):
        yield Finding(Kind.NIR, start, end, value, digits)
    # The grouping matters: nine digits taken across a phone number or a NIR
    # ("85 05 78 006") pass the Luhn check once in ten.
    if length in (9, 14) and sizes in COMPANY_GROUPINGS:
        kind, module = (Kind.SIREN, siren) if length == 9 else (Kind.SIRET, siret)
        if module.is_valid(digits):
            # Any 9- or 14-digit number passes the Luhn check once in ten: a company
            # word nearby makes the guess firmer.
            near = COMPANY_CONTEXT.search(text, max(0, start - 40), start)
            yield Finding(kind, start, end, value, digits, score=1.0 if near else 0.6)
    # Card numbers are printed whole or in groups of three digits or more.
    if (
        13 <= length <= MAX_DIGITS
        and min(sizes) >= 3
        and plausible_iin(digits)
        and luhn.is_valid(digits)
    ):
        yield Finding(Kind.CARD, start, end, value, digits)


def plausible_iin(digits: str) -> bool:
    """Whether the first digits and the length fit a card network (ISO/IEC 7812 ranges)."""
    length = len(digits)
    two, three, four = int(digits[:2]), int(digits[:3]), int(digits[:4])
    if digits[0] == "4":  # Visa, and CB co-branded Visa
        return length in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:  # Mastercard
        return length == 16
    if two in (34, 37):  # American Express
        return length == 15
    if two in (36, 38, 39) or 300 <= three <= 305:  # Diners Club
        return length >= 14
    if 3528 <= four <= 3589:  # JCB
        return length >= 16
    if four == 6011 or 644 <= three <= 649 or two in (62, 65):  # Discover, UnionPay
        return length >= 16
    # Maestro.
    return two in (50, 56, 57, 58) or 60 <= two <= 69


def _glued_to_word(text: str, start: int, end: int) -> bool:
    """A run inside a reference such as ``INV2024-000123`` or ``FR76…`` is not a number."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return before.isalpha() or before == "_" or after.isalpha() or after == "_"
