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
from vigie.sources.display import source_names
from vigie.sources.inventory import problem_text
from vigie.sources.manifest import ConnectionUnavailable, InvalidManifest, Manifest, Table
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import Subject


@dataclass(frozen=True)
class TableView:
    name: str
    label: str
    identity: bool
    categories: list[str]
    personal_columns: int
    columns: int
    retention: str


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _labels() -> dict[str, str]:
    english = _language() == "en"
    return {
        c.key: c.label_en if english else c.label_fr
        for c in DataCategory.objects.filter(in_register=True)
    }


def _retention_text(manifest: Manifest, table: Table, labels: dict[str, str]) -> str:
    """The table's retention rule in words: the start column by its manifest label."""
    rule = table.retention
    if rule is None:
        return ""
    lang = _language()
    category = labels.get(rule.category, rule.category)
    if rule.follows is not None:
        parent = manifest.tables.get(rule.follows.table)
        text = _("%(category)s, with its row in “%(table)s”") % {
            "category": category,
            "table": parent.label_text(lang) if parent else rule.follows.table,
        }
    elif rule.from_fiscal_year_close:
        text = _("%(category)s, from the close of the fiscal year (%(start)s)") % {
            "category": category,
            "start": rule.start_text(lang),
        }
    else:
        text = _("%(category)s, from the %(start)s") % {
            "category": category,
            "start": rule.start_text(lang),
        }
    then = _("then anonymised") if rule.action == "anonymise" else _("then deleted")
    return f"{text} ; {then}" if lang == "fr" else f"{text}; {then}"


def _tables(manifest: Manifest, labels: dict[str, str]) -> list[TableView]:
    identities = {i.table for i in manifest.identities.values()}
    lang = _language()
    return [
        TableView(
            name=name,
            label=table.label_text(lang),
            identity=name in identities,
            categories=[labels.get(c, c) for c in table.categories],
            personal_columns=len(table.personal_columns),
            columns=len(table.columns),
            retention=_retention_text(manifest, table, labels),
        )
        for name, table in manifest.tables.items()
    ]


@requires(Permission.SOURCES_VIEW)
@require_GET
def data_map(request: HttpRequest) -> HttpResponse:
    """Each source, its tables, categories and retention rules, and its last check (R4)."""
    labels = _labels()
    lang = _language()
    sources: list[dict[str, Any]] = []
    for source in services.list_sources():
        problems = [
            {"path": p.get("path", ""), "message": problem_text(p)}
            for p in source.last_check.get("problems") or []
        ]
        entry: dict[str, Any] = {"source": source, "problems": problems}
        try:
            manifest = services.source_manifest(source)
        except InvalidManifest as error:
            entry["error"] = str(error)
        else:
            entry["label"] = manifest.label.get(lang, manifest.source)
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
    names = source_names()
    context["results"] = [
        {
            "source": names.get(result.source, (result.source, {}))[0],
            "name": result.source,
            # A row holding several categories is listed once per category, counted once.
            "total": len({(row.table, row.key) for row in result.rows}),
            "lines": [
                {
                    "table": table,
                    "label": names.get(result.source, ("", {}))[1].get(table, table),
                    "category": labels.get(category, category),
                    "rows": count,
                }
                for (table, category), count in sorted(result.counts.items())
            ],
        }
        for result in results
    ]
    return render(request, "sources/person.html", context)
