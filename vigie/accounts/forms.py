from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.accounts.labels import permission_choice
from vigie.accounts.permissions import Permission, Role
from vigie.lib.bounds import (
    MAX_EMAIL,
    MAX_NAME,
    validate_date,
    validate_email_bounds,
    validate_name,
)


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the 6-digit code.")},
    )


class DateInput(forms.DateInput):
    """A browser date picker: its value is always AAAA-MM-JJ (the only format an
    ``<input type="date">`` reads; the browser shows JJ/MM/AAAA to a French user)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, validators=[validate_name])
    email = forms.EmailField(
        label=_("E-mail address"), max_length=MAX_EMAIL, validators=[validate_email_bounds]
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=MAX_NAME, required=False, validators=[validate_name]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=MAX_NAME, required=False, validators=[validate_name]
    )
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)
    confidentiality_signed_at = forms.DateField(
        label=_("Confidentiality undertaking signed on"),
        required=False,
        widget=DateInput,
        validators=[validate_date],
    )
    gdpr_training_at = forms.DateField(
        label=_("GDPR training completed on"),
        required=False,
        widget=DateInput,
        validators=[validate_date],
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.NONE)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class UndertakingsForm(forms.Form):
    confidentiality_signed_at = forms.DateField(
        label=_("Confidentiality undertaking signed on"),
        required=False,
        widget=DateInput,
        validators=[validate_date],
    )
    gdpr_training_at = forms.DateField(
        label=_("GDPR training completed on"),
        required=False,
        widget=DateInput,
        validators=[validate_date],
    )


def _scope_choices() -> list[tuple[str, str]]:
    return [(p.value, permission_choice(p.value)) for p in Permission]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the software using the key"), max_length=100, validators=[validate_name]
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        # A callable: the labels follow the language of the page showing the form.
        choices=_scope_choices,
        widget=forms.CheckboxSelectMultiple,
    )
