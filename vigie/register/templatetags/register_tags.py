from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key)


@register.filter
def lang(value: Any, code: str) -> str:
    """The ``code`` text of a bilingual {fr, en} value; an "N/A: …" string as is."""
    from vigie.register.document import text

    return text(value, code)


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def role_label(role: str, code: str) -> str:
    from vigie.register.exports import ROLE_LABELS

    return ROLE_LABELS.get(code, ROLE_LABELS["fr"]).get(role, role)


@register.filter
def basis_labels(purposes: list[dict[str, Any]], code: str) -> str:
    """The distinct legal bases of an activity's purposes, in the page's language."""
    from vigie.register.exports import LEGAL_BASIS_LABELS

    labels = LEGAL_BASIS_LABELS.get(code, LEGAL_BASIS_LABELS["fr"])
    seen = dict.fromkeys(p["legal_basis"] for p in purposes)
    return ", ".join(labels.get(b, b) for b in seen)
