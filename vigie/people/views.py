"""People in the back-office; every display of a name or an address is journaled (R29).

The list shows names, decrypted for the page in one pass and journaled as one read
event naming the people shown; the detail page opens one person, journaled too.
Searching decrypts nothing: it goes through blind indexes (``people.filters``).
"""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.people.filters import PersonFilter
from vigie.people.models import BlockStatus, Person, SubjectType
from vigie.people.panels import person_panels
from vigie.people.reading import read_names
from vigie.people.restrictions import active_restrictions, blocks_of
from vigie.people.services import PersonUnavailable, read_person

PAGE_SIZE = 50


def type_labels(person: Person) -> list[str]:
    labels = dict(SubjectType.choices)
    return [str(labels.get(t, t)) for t in person.subject_types]


@requires(Permission.PEOPLE_VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    people = Person.objects.filter(shredded_at__isnull=True).select_related("organisation")
    filters = PersonFilter(request.GET or None, queryset=people.order_by("-created_at"))
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    names = read_names(Actor.from_request(request), shown, view="people:list")
    rows = [(p, names.get(p.pk), type_labels(p)) for p in shown]
    context = {"filters": filters, "page": page, "rows": rows}
    # The search box asks for the results only (htmx): the page around them stays.
    partial = bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]
    template = "people/_results.html" if partial else "people/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@requires(Permission.PEOPLE_VIEW)
def person_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    try:
        data = read_person(Actor.from_request(request), person, view="people:detail")
    except PersonUnavailable:
        data = None
    context = {
        "person": person,
        "data": data,
        "types": type_labels(person),
        "panels": person_panels(request, person) if data is not None else [],
        # R55: « LIMITÉ » while a restriction holds; edits are refused meanwhile.
        "restrictions": active_restrictions(person),
        "blocks": [b for b in blocks_of(person) if b.status == BlockStatus.BLOCKED],
    }
    return render(request, "people/detail.html", context)
