"""How the audit log page shows sources (see ``vigie.audit.display``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vigie.audit.display import register_object_kind


def _links(ids: list[str]) -> dict[str, str | tuple[str, str]]:
    from django.utils.translation import get_language

    from vigie.sources.manifest import InvalidManifest
    from vigie.sources.models import Source
    from vigie.sources.services import source_manifest

    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    base = reverse("sources:map")
    links: dict[str, str | tuple[str, str]] = {}
    for source in Source.objects.filter(pk__in=[i for i in ids if i.isdigit()]):
        try:
            title = source_manifest(source).label.get(lang, source.name)
        except InvalidManifest:
            title = source.name
        links[str(source.pk)] = (f"{base}#source-{source.name}", title)
    return links


def register_audit_display() -> None:
    register_object_kind("sources.source", _("Data source"), _links)
    # A subject is named by a keyed hash of their identifiers, never by the identifiers.
    register_object_kind("sources.subject", _("Person (by a keyed reference)"))
