"""Back-office: the data map (R4) and where one person's data is (Art. 15, R51).

The data map shows manifests and check results: no personal data. The person's
page runs ``find`` on every source and shows counts only; the find is journaled
by the service (R29).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, read_person
from vigie.register.models import DataCategory
from vigie.sources import services
from vigie.sources.manifest import ConnectionUnavailable, InvalidManifest, Manifest
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import Subject


@dataclass(frozen=True)
class TableView:
    name: str
    identity: bool
    categories: list[str]
    personal_columns: int
    columns: int
    retention: str


def _labels() -> dict[str, str]:
    english = (get_language() or "fr").startswith("en")
    return {
        c.key: c.label_en if english else c.label_fr
        for c in DataCategory.objects.filter(in_register=True)
    }


def _tables(manifest: Manifest, labels: dict[str, str]) -> list[TableView]:
    identities = {i.table for i in manifest.identities.values()}
    views = []
    for name, table in manifest.tables.items():
        categories = sorted({c.category for c in table.columns.values() if c.category})
        retention = ""
        if table.retention is not None:
            rule = table.retention
            if rule.follows is not None:
                start = _("its row in %(table)s") % {"table": rule.follows.table}
            else:
                start = rule.start or ""
            retention = _("%(category)s, from %(start)s%(fy)s; then %(action)s") % {
                "category": labels.get(rule.category, rule.category),
                "start": start,
                "fy": _(" (close of its fiscal year)") if rule.from_fiscal_year_close else "",
                "action": _("anonymise") if rule.action == "anonymise" else _("delete"),
            }
        views.append(
            TableView(
                name=name,
                identity=name in identities,
                categories=[labels.get(c, c) for c in categories],
                personal_columns=sum(1 for c in table.columns.values() if c.category),
                columns=len(table.columns),
                retention=retention,
            )
        )
    return views


@requires(Permission.SOURCES_VIEW)
@require_GET
def data_map(request: HttpRequest) -> HttpResponse:
    """Each source, its tables, categories and retention rules, and its last check (R4)."""
    labels = _labels()
    english = (get_language() or "fr").startswith("en")
    sources: list[dict[str, Any]] = []
    for source in services.list_sources():
        entry: dict[str, Any] = {"source": source, "problems": source.last_check.get("problems")}
        try:
            manifest = services.source_manifest(source)
        except InvalidManifest as error:
            entry["error"] = str(error)
        else:
            entry["label"] = manifest.label.get("en" if english else "fr", manifest.source)
            entry["system"] = manifest.system
            entry["tables"] = _tables(manifest, labels)
        sources.append(entry)
    return render(request, "sources/data_map.html", {"sources": sources})


@requires(Permission.SOURCES_VIEW)
@require_GET
def person_sources(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Where this person's data is: rows per source, table and category (counts only)."""
    if not request.user.has_vigie_permission(Permission.PEOPLE_VIEW):  # type: ignore[union-attr]
        # The page names the person: reading people is a permission of its own.
        raise PermissionDenied(Permission.PEOPLE_VIEW.value)
    person = get_object_or_404(Person, pk=pk)
    actor = Actor.from_request(request)
    context: dict[str, Any] = {"person": person}
    try:
        data = read_person(actor, person, view="sources:person")
    except PersonUnavailable:
        context["erased"] = True
        return render(request, "sources/person.html", context)
    labels = _labels()
    try:
        results = services.find_subject(actor, Subject(email=data.emails))
    except (ConnectionUnavailable, SourceError, InvalidManifest) as error:
        context["error"] = str(error)
        return render(request, "sources/person.html", context, status=503)
    context["data"] = data
    context["results"] = [
        {
            "source": result.source,
            # A row holding several categories is listed once per category, counted once.
            "total": len({(row.table, row.key) for row in result.rows}),
            "lines": [
                {"table": table, "category": labels.get(category, category), "rows": count}
                for (table, category), count in sorted(result.counts.items())
            ],
        }
        for result in results
    ]
    return render(request, "sources/person.html", context)
