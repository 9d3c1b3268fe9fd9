"""The built-in engine: regular expressions confirmed by validators, no model, no network."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from vigie.pii.credentials import find_secrets
from vigie.pii.digit_groups import find_digit_identifiers
from vigie.pii.findings import Finding, resolve_overlaps
from vigie.pii.identifiers import find_emails, find_ibans, find_ip_addresses, find_phones

Recognizer = Callable[[str], Iterator[Finding]]

RECOGNIZERS: tuple[Recognizer, ...] = (
    find_secrets,
    find_emails,
    find_phones,
    find_ibans,
    find_digit_identifiers,
    find_ip_addresses,
)


class BuiltinScanner:
    """E-mail, French phone numbers, NIR, SIREN, SIRET, IBAN, IP, cards, secrets."""

    name = "builtin"

    def __init__(self, recognizers: Iterable[Recognizer] = RECOGNIZERS) -> None:
        self.recognizers = tuple(recognizers)

    def scan(self, text: str) -> list[Finding]:
        return resolve_overlaps([f for find in self.recognizers for f in find(text)])
