"""How the audit log page shows sources (see ``vigie.audit.display``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vigie.audit.display import register_object_kind


def _links(ids: list[str]) -> dict[str, str]:
    from vigie.sources.models import Source

    sources = Source.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    base = reverse("sources:map")
    return {str(pk): f"{base}#source-{name}" for pk, name in sources.values_list("pk", "name")}


def register_audit_display() -> None:
    register_object_kind("sources.source", _("Data source"), _links)
    # A subject is named by a keyed hash of their identifiers, never by the identifiers.
    register_object_kind("sources.subject", _("Person (by a keyed reference)"))
