"""Filters of the audit log page (django-filter): actor, action, object, dates."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.audit import display
from vigie.audit.models import Event


def _action_choices() -> list[tuple[str, str]]:
    return sorted(
        ((code, str(label)) for code, label in display.known_actions().items()),
        key=lambda choice: choice[1].lower(),
    )


def _object_choices() -> list[tuple[str, str]]:
    return sorted(display.object_kinds().items(), key=lambda choice: choice[1].lower())


class EventFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        label=_("Who"),
        queryset=User.objects.order_by("username"),
        method="filter_actor",
        empty_label=_("Anyone"),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"),
        choices=_action_choices,
        empty_label=_("Any action"),
        method="filter_action",
    )
    object_type = django_filters.ChoiceFilter(
        label=_("Object"), choices=_object_choices, empty_label=_("Any object")
    )
    object_id = django_filters.CharFilter(label=_("Object identifier"), max_length=64)
    after = django_filters.DateFilter(
        label=_("From"),
        field_name="occurred_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    before = django_filters.DateFilter(
        label=_("To"),
        field_name="occurred_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_actor(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        if value is None:
            return queryset
        return queryset.filter(actor_type="user", actor_id=str(value.pk))

    def filter_action(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        # Events recorded under a former name of the action are found too.
        return queryset.filter(action__in=display.names_for(value)) if value else queryset
