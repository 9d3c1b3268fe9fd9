"""People in the back-office: decrypted only on the detail page, each read journaled (R29)."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, find_by_email, read_person
from vigie.people.tasks import overdue_notices


@requires(Permission.PEOPLE_VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    """Ids, types and provenance only; search by exact e-mail through the blind index."""
    query = request.GET.get("email", "").strip()
    people = Person.objects.filter(shredded_at__isnull=True).order_by("-created_at")
    if query:
        found = find_by_email(query)
        people = people.filter(pk=found.pk) if found else people.none()
    if request.GET.get("overdue"):
        people = overdue_notices().order_by("art14_notice_due_at")
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "people/list.html", {"page": page, "query": query})


@requires(Permission.PEOPLE_VIEW)
def person_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    try:
        data = read_person(Actor.from_request(request), person, view="people:detail")
    except PersonUnavailable:
        data = None
    return render(request, "people/detail.html", {"person": person, "data": data})
