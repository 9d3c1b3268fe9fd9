"""A policy draft's change summaries refuse card numbers and passwords (R18, R30)."""

from __future__ import annotations

import pytest

from vigie.policy.forms import DraftForm


@pytest.mark.parametrize("field", ["change_summary_fr", "change_summary_en"])
def test_a_change_summary_holding_a_password_is_refused(field: str) -> None:
    data = {"change_summary_fr": "Nouvelle finalité", "change_summary_en": "New purpose"}
    assert DraftForm(data=data).is_valid()
    form = DraftForm(data={**data, field: "accès démo, password: Azerty123"})
    assert not form.is_valid() and field in form.errors
