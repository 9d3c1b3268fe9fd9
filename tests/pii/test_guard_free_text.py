"""guard_free_text and its field and validator: no card data or secret in new text (R18, R30)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from vigie.pii.fields import FreeText, FreeTextField, validate_no_secrets
from vigie.pii.guard import guard_free_text

CARD_NOTE = "Client a dicté sa carte 4970 1012 3456 7893 pour l'acompte."
PASSWORD_NOTE = "Accès NAS : login admin, mot de passe : Azerty123"


def refusal(text: str, lang: str = "en") -> str:
    with translation.override(lang), pytest.raises(ValidationError) as caught:
        guard_free_text(text)
    return " ".join(caught.value.messages)


def test_a_ticket_note_with_a_luhn_valid_card_number_is_refused_naming_the_kind() -> None:
    message = refusal(CARD_NOTE)
    assert "a payment card number" in message
    assert "4970" not in message and "7893" not in message


def test_a_card_number_inside_a_long_table_of_figures_is_still_refused() -> None:
    figures = " ".join(["12"] * 9)
    message = refusal(f"Relevé : 4970 1012 3456 7893 {figures}")
    assert "a payment card number" in message


def test_a_note_with_a_password_is_refused_without_echoing_it() -> None:
    message = refusal(PASSWORD_NOTE)
    assert "a password or secret key" in message and "Azerty123" not in message


def test_several_kinds_are_all_named_once() -> None:
    message = refusal(CARD_NOTE + " CVV 123. " + PASSWORD_NOTE + " pwd=x")
    assert message.count("a payment card number") == 1
    assert message.count("a password or secret key") == 1
    assert "a card security code (CVV)" in message


def test_in_mask_mode_the_card_keeps_only_its_last_four_digits() -> None:
    with translation.override("en"):
        masked = guard_free_text(CARD_NOTE, mode="mask")
    assert masked == "Client a dicté sa carte [card ••••7893] pour l'acompte."


def test_in_mask_mode_a_password_and_a_cvv_are_masked() -> None:
    with translation.override("en"):
        masked = guard_free_text(PASSWORD_NOTE + ", CVV 123", mode="mask")
    assert masked == (
        "Accès NAS : login admin, mot de passe : [secret masked], CVV [card code masked]"
    )


def test_other_personal_data_is_not_the_guards_business() -> None:
    note = "Rappeler Mme Petit au 06 12 34 56 78, IBAN FR76 3000 6000 0112 3456 7890 189."
    assert guard_free_text(note) == note
    assert guard_free_text(note, mode="mask") == note


def test_an_unknown_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="mode"):
        guard_free_text(CARD_NOTE, mode="shrug")  # type: ignore[arg-type]


class NoteForm(forms.Form):
    note = FreeTextField(required=False)
    masked_note = FreeTextField(mask=True, required=False)
    plain = forms.CharField(required=False, validators=[validate_no_secrets])


def test_the_form_field_refuses_a_card_number() -> None:
    form = NoteForm(data={"note": CARD_NOTE})
    assert not form.is_valid() and "note" in form.errors


def test_the_form_field_with_mask_stores_the_masked_text() -> None:
    form = NoteForm(data={"masked_note": CARD_NOTE})
    assert form.is_valid()
    assert "4970 1012 3456 7893" not in form.cleaned_data["masked_note"]
    assert "7893" in form.cleaned_data["masked_note"]


def test_the_validator_refuses_a_password_in_a_plain_char_field() -> None:
    form = NoteForm(data={"plain": PASSWORD_NOTE})
    assert not form.is_valid() and "plain" in form.errors


class NoteIn(BaseModel):
    note: FreeText = ""


def test_the_api_type_refuses_a_card_number_with_a_value_error() -> None:
    with translation.override("en"), pytest.raises(PydanticError) as caught:
        NoteIn(note=CARD_NOTE)
    (error,) = caught.value.errors(include_input=False)
    assert error["loc"] == ("note",) and "a payment card number" in error["msg"]
    assert "4970" not in error["msg"]
    assert NoteIn(note="Rappel demain").note == "Rappel demain"
