"""How the audit log page shows policy versions (see ``vigie.audit.display``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vigie.audit.display import register_object_kind


def _links(ids: list[str]) -> dict[str, str | tuple[str, str]]:
    from vigie.policy.models import PolicyVersion

    numbers = PolicyVersion.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    return {
        str(pk): (reverse("policy:detail", args=[number]), f"v{number}")
        for pk, number in numbers.values_list("pk", "number")
    }


def register_audit_display() -> None:
    register_object_kind("policy.policyversion", _("Privacy policy version"), _links)
