"""Which scanner runs: the built-in recognizers always, presidio's names when configured."""

from __future__ import annotations

import functools

from django.conf import settings

from vigie.pii.builtin import BuiltinScanner
from vigie.pii.findings import Finding, Scanner, resolve_overlaps
from vigie.pii.presidio import PresidioScanner

ENGINES = ("builtin", "presidio")


class CombinedScanner:
    """Several engines over the same text, one finding kept per span."""

    def __init__(self, *scanners: Scanner) -> None:
        self.scanners = scanners

    def scan(self, text: str) -> list[Finding]:
        return resolve_overlaps([f for scanner in self.scanners for f in scanner.scan(text)])


def get_scanner(engine: str | None = None) -> Scanner:
    """The scanner ``VIGIE_PII_ENGINE`` names, built once per process (the model is heavy)."""
    return _scanner(engine or settings.PII_ENGINE)


@functools.cache
def _scanner(engine: str) -> Scanner:
    if engine == "builtin":
        return BuiltinScanner()
    if engine == "presidio":
        return CombinedScanner(BuiltinScanner(), PresidioScanner())
    raise ValueError(f"unknown PII engine {engine!r}: expected one of {', '.join(ENGINES)}")
