"""Back-office forms: a new draft, and the publication of a draft."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.pii.fields import validate_no_secrets
from vigie.policy.services import ON_PUBLICATION, SUMMARY_MAX, Effective

PARIS = ZoneInfo("Europe/Paris")


def effective_moment(day: dt.date | None) -> Effective:
    """The effective date asked for by picking ``day`` (Paris time).

    No day: None, not given (publishing keeps the draft's date, or takes effect at
    once). Today: ON_PUBLICATION, at once; midnight today has already passed.
    A later day: midnight in Paris on that day.
    """
    if day is None:
        return None
    if day == timezone.localdate(timezone=PARIS):
        return ON_PUBLICATION
    return dt.datetime.combine(day, dt.time(), tzinfo=PARIS)


class _EffectiveDate(forms.Form):
    effective_on = forms.DateField(
        label=_("Effective date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave blank for the day of publication."),
    )

    def clean_effective_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("effective_on")
        # A version never takes effect before it is public (R75).
        if day is not None and day < timezone.localdate(timezone=PARIS):
            raise forms.ValidationError(_("The effective date cannot be in the past."))
        return day

    def effective_at(self) -> Effective:
        return effective_moment(self.cleaned_data.get("effective_on"))


class DraftForm(_EffectiveDate):
    change_summary_fr = forms.CharField(
        label=_("Change summary (French)"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_secrets],
    )
    change_summary_en = forms.CharField(
        label=_("Change summary (English)"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_secrets],
    )
    material = forms.BooleanField(
        label=_("Material change (people are told by e-mail before it takes effect)"),
        required=False,
    )

    field_order = ["change_summary_fr", "change_summary_en", "material", "effective_on"]


class PublishForm(_EffectiveDate):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].help_text = _(
            "Leave blank to keep the draft's effective date; if it has none or it has "
            "passed, the version takes effect on publication. Today means at once."
        )
