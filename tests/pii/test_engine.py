"""get_scanner: the built-in engine always, presidio's names when VIGIE_PII_ENGINE says so."""

from __future__ import annotations

import pytest

from vigie.pii import engine
from vigie.pii.builtin import BuiltinScanner
from vigie.pii.findings import Finding, Kind
from vigie.pii.presidio import PresidioScanner


def test_the_default_engine_is_the_built_in_one(settings) -> None:
    settings.PII_ENGINE = "builtin"
    assert isinstance(engine.get_scanner(), BuiltinScanner)


def test_the_presidio_engine_runs_the_built_in_recognizers_too(settings) -> None:
    settings.PII_ENGINE = "presidio"
    scanner = engine.get_scanner()
    assert isinstance(scanner, engine.CombinedScanner)
    kinds = [type(s) for s in scanner.scanners]
    assert kinds == [BuiltinScanner, PresidioScanner]


def test_the_scanner_is_built_once_per_engine(settings) -> None:
    settings.PII_ENGINE = "builtin"
    assert engine.get_scanner() is engine.get_scanner()


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown PII engine"):
        engine.get_scanner("spacy")


class FakeNames:
    def scan(self, text: str) -> list[Finding]:
        start = text.index("Claire")
        return [Finding(Kind.PERSON, start, start + 12, text[start : start + 12], "claire petit")]


def test_a_combined_scanner_keeps_names_and_identifiers_without_overlap() -> None:
    text = "Claire Petit <claire.petit@exemple.fr>"
    found = engine.CombinedScanner(BuiltinScanner(), FakeNames()).scan(text)
    assert [(f.kind, f.text) for f in found] == [
        (Kind.PERSON, "Claire Petit"),
        (Kind.EMAIL, "claire.petit@exemple.fr"),
    ]
