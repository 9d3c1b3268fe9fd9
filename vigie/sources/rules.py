"""Retention rules per register data category (R12), as the sources apply them."""

from __future__ import annotations

from dataclasses import dataclass

from vigie.lib.legal_calendar import Period, parse_period


@dataclass(frozen=True)
class RetentionRule:
    """A category's total time (active base + intermediate archive) and its legal ground."""

    category: str
    period: Period
    legal_reference: str
    final_action: str = "delete"

    @property
    def has_duration(self) -> bool:
        return self.period != Period()


def register_rules() -> dict[str, RetentionRule]:
    """The rules of the current register's categories, by key."""
    from vigie.register.models import DataCategory

    rules = {}
    for category in DataCategory.objects.filter(in_register=True):
        rules[category.key] = RetentionRule(
            category=category.key,
            period=parse_period(category.active_duration) + parse_period(category.archive_duration),
            legal_reference=category.legal_reference,
            final_action=category.final_action,
        )
    return rules
