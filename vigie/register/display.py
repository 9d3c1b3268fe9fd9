"""How the audit log page shows register revisions and lines (see ``vigie.audit.display``)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from vigie.audit.display import register_object_kind


def _revision_links(ids: list[str]) -> dict[str, str | tuple[str, str]]:
    from vigie.register.models import Revision

    revisions = Revision.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    return {
        str(pk): (reverse("register:revision", args=[number]), f"n° {number}")
        for pk, number in revisions.values_list("pk", "number")
    }


def _processor_line_links(ids: list[str]) -> dict[str, str | tuple[str, str]]:
    links: dict[str, str | tuple[str, str]] = {}
    for key in ids:
        try:
            links[key] = reverse("register:edit-entry", args=["processor_register", key])
        except NoReverseMatch:
            continue
    return links


def register_audit_display() -> None:
    register_object_kind("register.revision", _("Register revision"), _revision_links)
    register_object_kind(
        "register.processor_line", _("Processor register line"), _processor_line_links
    )
