"""The back-office forms of the rights domain: staff intake and the case page's actions.

The forms check shapes and bounds; the rules (who may, when, what the clock allows)
are the services', whose ``RightsError`` the views show as a form error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.forms import DateInput
from vigie.accounts.models import User
from vigie.accounts.permissions import Permission, permissions_of
from vigie.lib.bounds import (
    MAX_EMAIL,
    MAX_NAME,
    MAX_PHONE,
    validate_date,
    validate_email_bounds,
    validate_name,
    validate_phone,
)
from vigie.lib.legal_calendar import PARIS
from vigie.people.models import Person
from vigie.rights.models import Channel, IdentityMethod, Outcome, RequestType
from vigie.rights.scans import MAX_SCAN_BYTES

#: What a member of staff records by hand (the portal, the mailbox and the API have
#: their own doors).
STAFF_CHANNELS = [Channel.EMAIL, Channel.POST, Channel.PHONE, Channel.COLLEAGUE]
#: How a member of staff may say identity is known without a document (R48).
STAFF_METHODS = [IdentityMethod.KNOWN_TO_STAFF, IdentityMethod.CUSTOMER_REFERENCE]
MAX_TEXT = 10_000


def _choices(enum: Any, members: list[Any]) -> list[tuple[str, Any]]:
    return [(m.value, enum(m).label) for m in members]


def received_moment(day: dt.date) -> dt.datetime:
    """A day of receipt as a moment: now for today, else noon in Paris that day (the
    clock counts Paris days, C1)."""
    now = timezone.now()
    if day == now.astimezone(PARIS).date():
        return now
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=PARIS)


class ReceivedDayField(forms.DateField):
    widget = DateInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validators=[validate_date], **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value > timezone.now().astimezone(PARIS).date():
            raise ValidationError(_("A request cannot be received in the future."))


class IntakeForm(forms.Form):
    """A request received by a member of staff (R46, R78)."""

    channel = forms.ChoiceField(
        label=_("Received by"), choices=_choices(Channel, STAFF_CHANNELS), widget=forms.RadioSelect
    )
    received_on = ReceivedDayField(
        label=_("Received on"),
        help_text=_("The day the request reached the company, or the colleague who first got it."),
    )
    types = forms.MultipleChoiceField(
        label=_("What the person asks"),
        choices=RequestType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    name = forms.CharField(
        label=_("Requester's name"), max_length=MAX_NAME, required=False, validators=[validate_name]
    )
    email = forms.EmailField(
        label=_("Requester's e-mail address"),
        max_length=MAX_EMAIL,
        required=False,
        validators=[validate_email_bounds],
    )
    phone = forms.CharField(
        label=_("Requester's phone"),
        max_length=MAX_PHONE,
        required=False,
        validators=[validate_phone],
    )
    postal_address = forms.CharField(
        label=_("Requester's postal address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reference = forms.CharField(
        label=_("Customer or contract reference quoted"),
        max_length=MAX_NAME,
        required=False,
        validators=[validate_name],
    )
    description = forms.CharField(
        label=_("The request, in the person's words"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    person_query = forms.CharField(
        label=_("The person on file (optional)"),
        max_length=MAX_EMAIL,
        required=False,
        help_text=_("Their e-mail address on file, or their first and last name."),
    )
    verified_by = forms.ChoiceField(
        label=_("Identity"),
        choices=[
            ("", _("Not established: Vigie checks it")),
            *_choices(IdentityMethod, STAFF_METHODS),
        ],
        required=False,
    )
    scan = forms.FileField(
        label=_("Scan of the letter (PDF or image)"),
        required=False,
        help_text=_("Required for a request received by post; at most 10 MB."),
    )

    def __init__(self, *args: Any, may_identify: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person: Person | None = None
        if not may_identify:
            # Staff who record without handling (a technician, accounting) neither look
            # the person up (the answer would say who is on file) nor vouch for their
            # identity (R48: the handlers' step); Vigie checks it from the address.
            del self.fields["person_query"]
            del self.fields["verified_by"]
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.now().astimezone(PARIS).date())

    def clean_person_query(self) -> str:
        from vigie.people.names import people_named
        from vigie.people.services import find_by_email

        query = self.cleaned_data.get("person_query", "").strip()
        if not query:
            return ""
        # The people list's own look-ups: blind indexes, nothing decrypted to search.
        if "@" in query:
            self.person = find_by_email(query)
            if self.person is None:
                raise ValidationError(_("Nobody on file has this address."))
            return query
        named = people_named(query)
        found = list(named[:2]) if named is not None else []
        if not found:
            raise ValidationError(_("Nobody on file has this name."))
        if len(found) > 1:
            raise ValidationError(
                _("Several people on file have this name: give their e-mail address.")
            )
        self.person = found[0]
        return query

    def clean_scan(self) -> Any:
        scan = self.cleaned_data.get("scan")
        if scan is not None and scan.size > MAX_SCAN_BYTES:
            raise ValidationError(_("The scan is larger than 10 MB."))
        return scan

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == Channel.POST and not data.get("scan"):
            self.add_error("scan", _("Attach the scan of the letter, dated on receipt."))
        if data.get("verified_by") and not (self.person or data.get("person_query")):
            self.add_error(
                "person_query", _("Say who the person on file is when you know their identity.")
            )
        if not any(data.get(f) for f in ("name", "email", "phone", "postal_address")):
            raise ValidationError(_("Give at least a name, an address or a phone number."))
        return data


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How the identity was verified"),
        # The confirmation link and the personal space record themselves; an identity
        # document is the privacy lead's, on its own page (R48).
        choices=_choices(IdentityMethod, STAFF_METHODS),
    )


class ReceivedAtForm(forms.Form):
    received_on = ReceivedDayField(label=_("Received on"))


class ReasonsForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(forms.Form):
    request_type = forms.ChoiceField(label=_("Type"), choices=RequestType.choices)
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    grounds = forms.CharField(
        label=_("Reasons and legal grounds"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, types: list[str], may_refuse: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(RequestType.choices)
        self.fields["request_type"].choices = [  # type: ignore[attr-defined]
            (t, labels.get(t, t)) for t in types
        ]
        if not may_refuse:
            # R49: a refusal is the privacy lead's; the service refuses it anyway.
            self.fields["outcome"].choices = [  # type: ignore[attr-defined]
                (Outcome.GRANTED.value, Outcome.GRANTED.label)
            ]


class CloseUnverifiedForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the identity could not be verified"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def handlers() -> Any:
    """Active staff whose role handles rights requests."""
    roles = [role for role, _label in User._meta.get_field("role").choices]  # type: ignore[union-attr]
    handling = [r for r in roles if Permission.RIGHTS_CASE_HANDLE in permissions_of(r)]
    return User.objects.filter(is_active=True, role__in=handling).order_by("username")


class HandlerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class AssignForm(forms.Form):
    handler = HandlerChoice(
        label=_("Handler"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Not assigned"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers()  # type: ignore[attr-defined]


class DeadlineForm(forms.Form):
    due_date = forms.DateField(label=_("Deadline"), widget=DateInput, validators=[validate_date])
