"""The reasons given for register changes refuse card numbers and passwords (R18, R30)."""

from __future__ import annotations

from vigie.register.forms import EntryYamlForm, RetentionForm

RETENTION = {
    "start_event_fr": "fin du contrat",
    "start_event_en": "end of contract",
    "active_duration": "P3Y",
    "active_text_fr": "3 ans",
    "active_text_en": "3 years",
    "archive_duration": "",
    "archive_text_fr": "N/A: aucune archive",
    "archive_text_en": "",
    "final_action": "delete",
    "legal_reference": "CNIL",
    "source": "policy",
    "reason": "revue annuelle",
}


def test_the_reason_of_a_retention_change_refuses_a_card_number() -> None:
    assert RetentionForm(data=RETENTION).is_valid(), RetentionForm(data=RETENTION).errors
    form = RetentionForm(data={**RETENTION, "reason": "payé par 4970 1012 3456 7893"})
    assert not form.is_valid() and list(form.errors) == ["reason"]


def test_the_reason_of_a_yaml_edit_refuses_an_api_key() -> None:
    data = {"content": "name: x", "reason": "mise à jour"}
    assert EntryYamlForm(data=data).is_valid()
    form = EntryYamlForm(data={**data, "reason": "clé AKIAIOSFODNN7EXAMPLE"})
    assert not form.is_valid() and list(form.errors) == ["reason"]
