"""Recognizers of identifiers: e-mail, French phone numbers, IP addresses, IBAN.

Every regular expression here is a *candidate* finder that a validator confirms
(phonenumbers, ``ipaddress``, python-stdnum's checksums). Each one is linear in
the length of the text: bounded repetitions, alternatives split by a fixed
delimiter, and a look-behind that stops a match from starting inside a word, so
that an adversarial ticket cannot make a scan backtrack for minutes.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator

import phonenumbers
from stdnum import iban

from vigie.pii.findings import Finding, Kind

# A space, a dot or a dash between digit groups; French typography also uses the
# no-break space and the narrow no-break space.
SEP = r"[ .\-\u00a0\u202f]"

EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]{1,64}@(?:[A-Za-z0-9\-]{1,63}\.){1,10}[A-Za-z]{2,63}(?![\w\-])"
)


def find_emails(text: str) -> Iterator[Finding]:
    for match in EMAIL.finditer(text):
        value = match.group()
        yield Finding(Kind.EMAIL, match.start(), match.end(), value, value.lower())


# +33 6 12 34 56 78, 0033 6…, +33 (0)6…, 06 12 34 56 78, 06.12.34.56.78, 0612345678.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33[ \u00a0]?(?:\(0\)[ \u00a0]?)?[1-9]|0[1-9])"
    rf"(?:{SEP}?\d{{2}}){{4}}(?![\w])"
)

_PHONE_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE: Kind.PHONE_MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE: Kind.PHONE_FIXED,
}


def find_phones(text: str) -> Iterator[Finding]:
    """French numbers that phonenumbers says are valid, mobile told from landline."""
    for match in PHONE.finditer(text):
        checked = _check_phone(re.sub(r"[^\d+]", "", match.group()))
        if checked is not None:
            kind, normalized = checked
            yield Finding(kind, match.start(), match.end(), match.group(), normalized)


@functools.lru_cache(maxsize=4096)
def _check_phone(digits: str) -> tuple[Kind, str] | None:
    # Cached: the same number comes back often in a thread, and parsing is the slow part.
    number = parse_phone(digits)
    if number is None:
        return None
    return _PHONE_KINDS.get(phonenumbers.number_type(number), Kind.PHONE_OTHER), e164(number)


def parse_phone(value: str, region: str = "FR") -> phonenumbers.PhoneNumber | None:
    """The valid phone number ``value`` spells, read as French unless it says otherwise."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
# Hex groups split by colons, optionally ending with a dotted IPv4 (::ffff:192.0.2.1).
IPV6 = re.compile(
    r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
    r"(?:\.\d{1,3}(?:\.\d{1,3}){2})?(?![\w:])"
)


def find_ip_addresses(text: str) -> Iterator[Finding]:
    """IPv4 and IPv6 addresses, except loopback and unspecified ones (no person behind)."""
    for pattern, kind in ((IPV4, Kind.IPV4), (IPV6, Kind.IPV6)):
        for match in pattern.finditer(text):
            try:
                address = ipaddress.ip_address(match.group())
            except ValueError:
                continue
            if address.is_loopback or address.is_unspecified:
                continue
            yield Finding(kind, match.start(), match.end(), match.group(), address.compressed)


# Two letters, two check digits, then 10 to 30 letters or digits, spaced or not.
IBAN = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ \u00a0]?[A-Za-z0-9]){10,30}")


def find_ibans(text: str) -> Iterator[Finding]:
    """IBANs of any country whose mod-97 check and national format hold.

    The candidate may run into the next word ("FR76 … 189 EUR"), so it is cut back
    at each space until python-stdnum accepts what is left.
    """
    position = 0
    while (match := IBAN.search(text, position)) is not None:
        # A rejected candidate may hide an IBAN starting at its next word: search
        # again from the next character (the look-behind skips the rest of the word).
        position = match.start() + 1
        candidate = match.group()
        while True:
            end = match.start() + len(candidate)
            compact = candidate.replace(" ", "").replace("\u00a0", "").upper()
            if _mod97_holds(compact) and iban.is_valid(compact) and not _glued_to_word(text, end):
                yield Finding(Kind.IBAN, match.start(), end, candidate, compact)
                position = end
                break
            cut = max(candidate.rfind(" "), candidate.rfind("\u00a0"))
            if cut <= 4:
                break
            candidate = candidate[:cut]


_LETTER_VALUES = {ord(c): str(ord(c) - 55) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _mod97_holds(compact: str) -> bool:
    """The ISO 7064 mod 97-10 check alone: a cheap filter before python-stdnum's full one."""
    if not 15 <= len(compact) <= 34 or not compact.isalnum() or not compact.isascii():
        return False
    return int((compact[4:] + compact[:4]).upper().translate(_LETTER_VALUES)) % 97 == 1


def _glued_to_word(text: str, end: int) -> bool:
    return end < len(text) and (text[end].isalnum() or text[end] == "_")
