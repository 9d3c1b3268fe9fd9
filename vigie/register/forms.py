from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.pii.fields import validate_no_secrets
from vigie.register import labels
from vigie.register.document import FINAL_ACTIONS
from vigie.register.exports import FORMATS


class RetentionForm(forms.Form):
    """The R12 rule of one data category."""

    start_event_fr = forms.CharField(label=_("Start event (French)"))
    start_event_en = forms.CharField(label=_("Start event (English)"))
    # The format hints are technical values, shown as such (in <code>) under the label.
    active_duration = forms.CharField(
        label=_("Active duration"),
        help_text=_(
            "An ISO 8601 period: <code>P3Y</code> for 3 years, <code>P13M</code> for 13 months; "
            "empty: until an event."
        ),
        required=False,
    )
    active_text_fr = forms.CharField(label=_("Active period, as told to people (French)"))
    active_text_en = forms.CharField(label=_("Active period, as told to people (English)"))
    archive_duration = forms.CharField(
        label=_("Archive duration"),
        help_text=_("An ISO 8601 period such as <code>P5Y</code>; empty: no archive."),
        required=False,
    )
    archive_text_fr = forms.CharField(
        label=_("Archive period (French)"),
        help_text=_("Without an archive: <code>N/A:</code> followed by the reason."),
    )
    archive_text_en = forms.CharField(label=_("Archive period (English)"), required=False)
    final_action = forms.ChoiceField(
        label=_("Final action"), choices=[(a, labels.FINAL_ACTIONS[a]) for a in FINAL_ACTIONS]
    )
    legal_reference = forms.CharField(label=_("Legal reference"))
    source = forms.CharField(label=_("Source (policy, proposed default or a legal reference)"))
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=200, validators=[validate_no_secrets]
    )

    @classmethod
    def initial_from(cls, rule: dict) -> dict:
        def part(field: str, lang: str) -> str:
            value = rule.get(field)
            return value.get(lang, "") if isinstance(value, dict) else (value or "")

        initial = {
            f"{field}_{lang}": part(field, lang)
            for field in ("start_event", "active_text", "archive_text")
            for lang in ("fr", "en")
        }
        for field in (
            "active_duration",
            "archive_duration",
            "final_action",
            "legal_reference",
            "source",
        ):
            initial[field] = rule.get(field) or ""
        return initial

    def rule(self) -> dict:
        data = self.cleaned_data
        archive_text: object = {"fr": data["archive_text_fr"], "en": data["archive_text_en"]}
        if data["archive_text_fr"].startswith("N/A:"):
            archive_text = data["archive_text_fr"]
        return {
            "start_event": {"fr": data["start_event_fr"], "en": data["start_event_en"]},
            "active_duration": data["active_duration"] or None,
            "active_text": {"fr": data["active_text_fr"], "en": data["active_text_en"]},
            "archive_duration": data["archive_duration"] or None,
            "archive_text": archive_text,
            "final_action": data["final_action"],
            "legal_reference": data["legal_reference"],
            "source": data["source"],
        }


#: Characters of one entry edited as YAML: more than a whole register (about 80,000), less
#: than what PyYAML reads within a web worker's timeout.
MAX_ENTRY_YAML = 200_000


class EntryYamlForm(forms.Form):
    """Any entry of the register, edited as YAML: the whole document is re-validated."""

    content = forms.CharField(
        label=_("Entry (YAML)"),
        max_length=MAX_ENTRY_YAML,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100}),
    )
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=200, validators=[validate_no_secrets]
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[(f, labels.EXPORT_FORMATS[f]) for f in FORMATS]
    )
    as_of = forms.DateField(label=_("As at"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", "—"), *labels.ROLES.items()]
    )
    lang = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("fr", _("French")), ("en", _("English"))]
    )

    def clean_as_of(self) -> dt.date | None:
        value = self.cleaned_data.get("as_of")
        if value and value > dt.date.today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value
