"""The people list's filters (django-filter): name or address, type, organisation.

The search box takes a name or an address. An address (it holds "@") is found
through the e-mail blind index, main address or contact point; anything else
through the blind index of name words (``people.names``). Nothing is decrypted to
search: the database compares keyed hashes only.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from vigie.people.models import Organisation, Person, SubjectType
from vigie.people.names import people_named
from vigie.people.services import email_index
from vigie.people.tasks import overdue_notices


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or e-mail address"), method="search")
    subject_type = django_filters.ChoiceFilter(
        label=_("Type"), choices=SubjectType.choices, method="of_type", empty_label=_("Any type")
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        empty_label=_("Any organisation"),
    )
    in_other_sources = django_filters.BooleanFilter(
        label=_("Also in another tool (helpdesk, billing…)"),
        method="in_sources",
        widget=forms.CheckboxInput,
    )
    overdue = django_filters.BooleanFilter(
        label=_("Art. 14 notice overdue"),
        method="art14_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        value = value.strip()
        if "@" in value:
            index = email_index(value)
            return queryset.filter(
                Q(email_index=index) | Q(contact_points__email_index=index)
            ).distinct()
        named = people_named(value)
        return queryset if named is None else queryset.filter(pk__in=named.values("pk"))

    def of_type(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        # The types are a JSON list; its text holds each value in quotes, which works
        # the same on SQLite and PostgreSQL (JSON "contains" does not exist on SQLite).
        return queryset.filter(subject_types__icontains=f'"{value}"')

    def in_sources(
        self, queryset: QuerySet[Person], name: str, value: bool | None
    ) -> QuerySet[Person]:
        # A checkbox: ticked narrows the list, unticked leaves it whole.
        if not value:
            return queryset
        return queryset.exclude(also_in_sources=[])

    def art14_overdue(
        self, queryset: QuerySet[Person], name: str, value: bool | None
    ) -> QuerySet[Person]:
        if not value:
            return queryset
        return queryset.filter(pk__in=overdue_notices().values("pk"))
