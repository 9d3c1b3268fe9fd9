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
