"""Forms of the portal's request page and of the personal space (the back-office's are in
``forms.py``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.lib.bounds import (
    MAX_EMAIL,
    MAX_NAME,
    MAX_PHONE,
    validate_email_bounds,
    validate_name,
    validate_phone,
)
from vigie.rights.models import RequestType

MAX_MESSAGE = 10_000

#: What each right means, in a sentence a person understands (Art. 12(1): clear and
#: plain language). A CNIL inquiry is the authority's, not a person's: not offered.
EXPLANATIONS: dict[str, Any] = {
    RequestType.ACCESS: _("Know whether we hold data about you, and receive a copy of it."),
    RequestType.RECTIFICATION: _("Have inaccurate or incomplete data about you corrected."),
    RequestType.ERASURE: _("Have your data deleted when we no longer need it or may not keep it."),
    RequestType.RESTRICTION: _(
        "Have the use of your data suspended while a question about it is settled."
    ),
    RequestType.OBJECTION: _(
        "Object to a use of your data, in particular for commercial prospecting."
    ),
    RequestType.PORTABILITY: _(
        "Receive the data you gave us in a common format, to pass on to someone else."
    ),
    RequestType.WITHDRAWAL: _("Withdraw a consent you gave us, for example to our newsletter."),
    RequestType.POST_MORTEM: _("Tell us what should become of your data after your death."),
    RequestType.COMPLAINT: _("Tell us about a problem with how we handled your data."),
}
PUBLIC_TYPES = [t for t in RequestType if t in EXPLANATIONS]


def type_choices() -> list[tuple[str, Any]]:
    return [(t.value, t.label) for t in PUBLIC_TYPES]


class TypesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=type_choices, **kwargs)
        self.error_messages["required"] = _("Choose at least one type of request.")


class RequestForm(forms.Form):
    """The public request form (R46): every right a person may exercise."""

    types = TypesField(label=_("What do you ask?"))
    name = forms.CharField(label=_("Your name"), max_length=MAX_NAME, validators=[validate_name])
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=MAX_EMAIL,
        validators=[validate_email_bounds],
        help_text=_("We answer at this address."),
    )
    on_file_email = forms.EmailField(
        label=_("The address you gave us before (optional)"),
        max_length=MAX_EMAIL,
        required=False,
        validators=[validate_email_bounds],
        help_text=_(
            "If you write from a new address: we send the confirmation link to the old one."
        ),
    )
    reference = forms.CharField(
        label=_("Customer or contract reference (optional)"),
        max_length=MAX_NAME,
        required=False,
        validators=[validate_name],
    )
    message = forms.CharField(
        label=_("Your message (optional)"),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AddressForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"), max_length=MAX_EMAIL, validators=[validate_email_bounds]
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Telephone"), max_length=MAX_PHONE, validators=[validate_phone])


class DetailsForm(forms.Form):
    """Non-identity details the person corrects alone (Art. 16): what is filled in."""

    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    mobile = forms.CharField(
        label=_("Mobile phone"), max_length=MAX_PHONE, required=False, validators=[validate_phone]
    )
    address = forms.CharField(
        label=_("Postal address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=200, required=False)

    def changes(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if str(v).strip()}


class NewEmailForm(forms.Form):
    new_email = forms.EmailField(
        label=_("New e-mail address"), max_length=MAX_EMAIL, validators=[validate_email_bounds]
    )


class SpaceRequestForm(forms.Form):
    types = TypesField(label=_("What do you ask?"))
    message = forms.CharField(
        label=_("Your message (optional)"),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DirectiveForm(forms.Form):
    text = forms.CharField(
        label=_("Your directives"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
