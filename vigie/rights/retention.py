"""How long a closed case is kept: the register's ``dsr-case-files`` rule (R12, R46)."""

from __future__ import annotations

from datetime import date

from vigie.lib.legal_calendar import add_period, parse_period
from vigie.register.services import current_document

CATEGORY = "dsr-case-files"
#: Used when no register is loaded or the category has no rule: the civil limitation
#: period (C. civ. 2224), the register shipped with Vigie says the same.
DEFAULT_PERIOD = "P5Y"


def case_retention_end(closed_on: date) -> date:
    """The day a case closed on ``closed_on`` may be deleted: active time (none once
    closed) then the intermediate archive."""
    rule: dict[str, object] = {}
    document = current_document() or {}
    for category in document.get("data_categories", []) or []:
        if isinstance(category, dict) and category.get("key") == CATEGORY:
            rule = category.get("retention") or {}
    period = rule.get("archive_duration") or rule.get("active_duration") or DEFAULT_PERIOD
    return add_period(closed_on, parse_period(str(period)))
