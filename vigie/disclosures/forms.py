"""The back-office forms of the disclosure log: one transmission, a CSV file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from vigie.disclosures.services import _lang, registered_recipients
from vigie.register.models import DataCategory

#: An uploaded import file, at most (the API and the CLI read the same rules).
MAX_UPLOAD = 5 * 1024 * 1024


def register_first() -> str:
    """The hint under the recipient: an unregistered one is registered first (R21)."""
    return format_html(
        '{} <a href="{}#recipients">{}</a>',
        _("Not in the list? The recipient must be in the register first:"),
        reverse("register:home"),
        _("open the register"),
    )


class DisclosureForm(forms.Form):
    recipient = forms.ChoiceField(
        label=_("Recipient"),
        error_messages={
            "invalid_choice": _(
                "« %(value)s » is not a recipient of the register: register it first."
            )
        },
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories sent"), widget=forms.CheckboxSelectMultiple
    )
    disclosed_on = forms.DateField(
        label=_("Sent on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=64, required=False)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=200, required=False)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        required=False,
        help_text=_("The business reference: « intervention #123 », a file number…"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = _lang()
        recipients = [("", "—")] + [(r.key, r.name(lang)) for r in registered_recipients()]
        self.fields["recipient"].choices = recipients  # type: ignore[attr-defined]
        self.fields["recipient"].help_text = register_first()
        self.fields["categories"].choices = [  # type: ignore[attr-defined]
            (c.key, c.label_en if lang == "en" else c.label_fr)
            for c in DataCategory.objects.filter(in_register=True)
        ]
        self.fields["disclosed_on"].initial = timezone.localdate()

    def clean_disclosed_on(self) -> Any:
        day = self.cleaned_data["disclosed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A disclosure cannot be in the future."))
        return day


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
