"""Forms of the public sign-up and of the back-office (phone/post records, import)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vigie.consent.models import Method
from vigie.consent.wording import consent_wording
from vigie.lib.bounds import MAX_EMAIL, MAX_NAME, validate_email_bounds, validate_name
from vigie.lib.purposes import Purpose
from vigie.pii.fields import validate_no_secrets


class SignupForm(forms.Form):
    """The newsletter sign-up: the consent box is never ticked in advance (R34, CNIL)."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=MAX_EMAIL, validators=[validate_email_bounds]
    )
    first_name = forms.CharField(
        label=_("First name (optional)"),
        max_length=MAX_NAME,
        required=False,
        validators=[validate_name],
    )
    consent = forms.BooleanField(required=True, initial=False)

    def __init__(self, *args: Any, lang: str = "fr", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wording = consent_wording(Purpose.NEWSLETTER, lang)
        self.fields["consent"].label = self.wording
        self.fields["consent"].error_messages["required"] = _(
            "Tick the box to subscribe: we only send the newsletter with your consent."
        )


GRANT, WITHDRAW, OBJECT = "grant", "withdraw", "object"


class RecordForm(forms.Form):
    """A consent, a withdrawal or an objection received by phone or by post (R40)."""

    action = forms.ChoiceField(
        label=_("What the person asked"),
        choices=[
            (GRANT, _("Consent to a purpose")),
            (WITHDRAW, _("Withdraw consent for a purpose")),
            (OBJECT, _("Object to all marketing")),
        ],
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=[("", "—"), *Purpose.choices], required=False
    )
    method = forms.ChoiceField(
        label=_("Received by"),
        choices=[
            (Method.PHONE, _("Phone")),
            (Method.POST, _("Post")),
            (Method.EMAIL, Method.EMAIL.label),
            (Method.MAILTO, Method.MAILTO.label),
            (Method.STAFF, Method.STAFF.label),
        ],
    )
    wording = forms.CharField(
        label=_("Exact wording read or sent to the person"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        validators=[validate_no_secrets],
    )
    proof_ref = forms.CharField(
        label=_("Reference (call or letter)"),
        max_length=200,
        required=False,
        validators=[validate_no_secrets],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in (GRANT, WITHDRAW) and not data.get("purpose"):
            self.add_error("purpose", _("Choose the purpose."))
        if action == GRANT and not (data.get("wording") or "").strip():
            self.add_error("wording", _("A consent needs the exact wording (R34)."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    wording = forms.CharField(
        label=_("Exact consent wording these people were shown"),
        help_text=_(
            "Required when lines record a consent; a partner file of business "
            "prospects without consent needs none."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        validators=[validate_no_secrets],
    )
    channel = forms.CharField(
        label=_("Where it was collected"),
        max_length=500,
        required=False,
        validators=[validate_no_secrets],
    )

    def clean_file(self) -> Any:
        # VIGIE_MAX_REQUEST_MB bounds every request body; Django leaves uploaded files out
        # of DATA_UPLOAD_MAX_MEMORY_SIZE, so the bound is applied here, before reading.
        upload = self.cleaned_data["file"]
        bound = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if upload.size > bound:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; this page takes at most %(bound)s MB "
                    "(VIGIE_MAX_REQUEST_MB). Import a larger file with “vigie consent_import”."
                ),
                params={
                    "size": f"{upload.size / 1_048_576:.1f}",
                    "bound": f"{bound / 1_048_576:g}",
                },
            )
        return upload
