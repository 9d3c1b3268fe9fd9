"""The diff between two versions shows the changed lines of the text."""

from __future__ import annotations

import pytest

from vigie.policy import services


def test_the_diff_shows_a_changed_security_measure(
    published, register, change_register, cli_actor
) -> None:
    v1 = published("v1")
    register["security_measures"][0]["label"] = {
        "fr": "Chiffrement des postes et des sauvegardes",
        "en": "Encryption of workstations and backups",
    }
    change_register(register)
    v2 = published("v2")
    lines = services.version_diff(v1, v2, "fr")
    assert lines[:2] == ["--- v1", "+++ v2"]
    assert "-Chiffrement" in lines
    assert "+Chiffrement des postes et des sauvegardes" in lines
    english = services.version_diff(v1, v2, "en")
    assert "+Encryption of workstations and backups" in english


def test_two_versions_of_the_same_register_have_no_diff(draft) -> None:
    assert services.version_diff(draft(), draft(), "fr") == []


def test_an_unknown_language_is_refused(draft) -> None:
    version = draft()
    with pytest.raises(services.PolicyError, match="unknown language"):
        services.version_diff(version, version, "de")
