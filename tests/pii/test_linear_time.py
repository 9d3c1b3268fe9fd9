"""Smoke check that no candidate regex backtracks catastrophically on hostile text.

Not a timed performance test: the bound is generous (a quadratic regex takes hours
on 1 MB), and figures belong in bench/.
"""

from __future__ import annotations

import time

import pytest

from vigie.pii.builtin import BuiltinScanner

MB = 1_000_000
HOSTILE = {
    "letters": "a" * MB,
    "digits": "7" * MB,
    "spaced digits": "4 " * (MB // 2),
    "card-like groups": "4970 " * (MB // 5),
    "dotted digits": "1." * (MB // 2),
    "at signs": "a@" * (MB // 2),
    "one long domain": "x@" + "a" * MB,
    "colons": "ab:" * (MB // 3),
    "keywords": "password:" * (MB // 9),
    "iban starts": "FR76 " * (MB // 5),
    "jwt start": "eyJ" + "a" * MB,
    "phone starts": "06 " * (MB // 3),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_megabyte_of_hostile_text_is_scanned_in_bounded_time(name: str) -> None:
    started = time.monotonic()
    BuiltinScanner().scan(HOSTILE[name])
    assert time.monotonic() - started < 60
