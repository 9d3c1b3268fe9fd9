"""The rights dashboard's filters (django-filter): status, type, clock colour, handler."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vigie.lib.legal_calendar import ClockColour
from vigie.rights.dashboard import COLOUR_LABELS, colour_q
from vigie.rights.forms import HandlerChoice, handlers
from vigie.rights.models import OPEN_STATUSES, Case, RequestType, Status


class HandlerFilter(django_filters.ModelChoiceFilter):
    # Names, not logins, in the list.
    field_class = HandlerChoice


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(s.value, s.label) for s in Status if s in OPEN_STATUSES],
        empty_label=_("Any open status"),
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=RequestType.choices, method="of_type", empty_label=_("Any type")
    )
    colour = django_filters.ChoiceFilter(
        label=pgettext_lazy("legal deadline", "Clock"),
        choices=[(c.value, COLOUR_LABELS[c]) for c in ClockColour],
        method="of_colour",
        empty_label=_("Any deadline"),
    )
    handler = HandlerFilter(
        label=_("Handler"), queryset=lambda request: handlers(), empty_label=_("Any handler")
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def of_type(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # A JSON list: its text holds each value in quotes (SQLite and PostgreSQL alike).
        return queryset.filter(types__icontains=f'"{value}"')

    def of_colour(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(colour_q(value, timezone.now()))
