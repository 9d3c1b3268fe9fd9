"""Every VIGIE_* setting is documented in docs/configuration.md (datasette-style)."""

from __future__ import annotations

import re
from pathlib import Path

from vigie.lib.env import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")


def test_every_declared_setting_is_documented() -> None:
    assert len(REGISTRY) >= 10
    missing = [name for name in REGISTRY if f"`{name}`" not in DOC]
    assert not missing, f"undocumented settings: {missing}"


def test_every_vigie_variable_in_the_code_goes_through_the_registry() -> None:
    used = set()
    for path in (ROOT / "vigie").rglob("*.py"):
        used |= set(re.findall(r"\bVIGIE_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
    # The test-only database variable is read by tests/settings.py and the Makefile.
    assert used - set(REGISTRY) == set()


def test_the_documentation_lists_no_setting_that_does_not_exist() -> None:
    documented = set(re.findall(r"^\| `(VIGIE_[A-Z0-9_]+)`", DOC, re.M))
    assert documented - set(REGISTRY) <= {"VIGIE_TEST_DATABASE_URL"}
