"""Every step the rights services write in a case's timeline reads as a sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from vigie.rights.models import CaseEvent
from vigie.rights.timeline import SENTENCES, timeline

# The package's fixtures load the register.
pytestmark = pytest.mark.django_db(databases=["default", "keys"])
RIGHTS = Path(__file__).resolve().parents[2] / "vigie" / "rights"


def test_every_kind_the_services_log_has_a_sentence() -> None:
    logged = set()
    for module in RIGHTS.glob("*.py"):
        logged |= set(re.findall(r"RightsAction\.\w+,\s*\"(\w+)\"", module.read_text()))
    assert len(logged) >= 12
    assert logged - set(SENTENCES) == set()


def test_a_step_reads_in_french_with_its_dates_and_labels() -> None:
    event = CaseEvent(
        kind="opened",
        actor_type="user",
        actor_id="7",
        extra={"types": ["access", "erasure"], "channel": "post",
               "received_at": "2025-03-09T23:30:00+00:00"},
    )  # fmt: skip
    with translation.override("fr"):
        [step] = timeline([event], {"user:7": "Claire Moreau"})
    # 23:30 UTC on 09/03 is 10/03 in Paris (C1).
    assert (
        step.text == "Demande enregistrée (Accès, Effacement), reçue par : courrier, le 10/03/2025."
    )
    assert step.who == "Claire Moreau"
