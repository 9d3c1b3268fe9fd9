"""Back-office forms: a new draft, and the publication of a draft."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.policy.services import SUMMARY_MAX

PARIS = ZoneInfo("Europe/Paris")


def effective_moment(day: dt.date | None) -> dt.datetime | None:
    """Midnight in Paris on ``day``; None (= on publication) for no day or today."""
    if day is None or day == timezone.localdate(timezone=PARIS):
        return None
    return dt.datetime.combine(day, dt.time(), tzinfo=PARIS)


class _EffectiveDate(forms.Form):
    effective_on = forms.DateField(
        label=_("Effective date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave blank for the day of publication."),
    )

    def clean_effective_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("effective_on")
        # A version never takes effect before it is public (R75).
        if day is not None and day < timezone.localdate(timezone=PARIS):
            raise forms.ValidationError(_("The effective date cannot be in the past."))
        return day

    def effective_at(self) -> dt.datetime | None:
        return effective_moment(self.cleaned_data.get("effective_on"))


class DraftForm(_EffectiveDate):
    change_summary_fr = forms.CharField(
        label=_("Change summary (French)"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    change_summary_en = forms.CharField(
        label=_("Change summary (English)"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    material = forms.BooleanField(
        label=_("Material change (people are told by e-mail before it takes effect)"),
        required=False,
    )

    field_order = ["change_summary_fr", "change_summary_en", "material", "effective_on"]


class PublishForm(_EffectiveDate):
    pass
