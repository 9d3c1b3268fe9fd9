"""Every permission has a label: API key scopes and staff pages show words, not names."""

from __future__ import annotations

from django.utils import translation

from vigie.accounts.forms import ApiKeyForm
from vigie.accounts.labels import PERMISSION_LABELS, permission_label
from vigie.accounts.permissions import Permission


def test_every_permission_has_a_label() -> None:
    assert [p for p in Permission if p not in PERMISSION_LABELS] == []


def test_a_scope_is_shown_by_its_label_with_its_name_in_small_print() -> None:
    with translation.override("fr"):
        assert permission_label("people:person:view") == "Voir les personnes"
        choices = dict(ApiKeyForm().fields["scopes"].choices)
    assert choices["people:person:view"] == (
        'Voir les personnes <small class="tech">people:person:view</small>'
    )


def test_an_unknown_name_is_shown_as_it_is() -> None:
    assert permission_label("nothing:of:this") == "nothing:of:this"
