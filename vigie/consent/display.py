"""How the audit log page shows the consent domain's events (see ``vigie.audit.display``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vigie.audit.display import register_former_names, register_object_kind, register_sentences
from vigie.consent.actions import former_names, sentences


def _segment_links(ids: list[str]) -> dict[str, str]:
    return dict.fromkeys(ids, reverse("consent:segments"))


def register_audit_display() -> None:
    register_sentences(sentences())
    register_former_names(former_names())
    register_object_kind(
        "consent.segment",
        _("Targeting segment"),
        lambda ids: dict.fromkeys(ids, reverse("consent:segments")),
    )
    register_object_kind("consent.consentevent", _("Consent event"))
