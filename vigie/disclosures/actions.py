"""Audit event names of the disclosures domain (``disclosures:<object>:<verb>``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class DisclosureAction(StrEnum):
    DISCLOSURE_RECORD = "disclosures:disclosure:record"


def sentences() -> dict[str, Any]:
    """Each action as a sentence for the audit log page."""
    return {
        DisclosureAction.DISCLOSURE_RECORD: _(
            "recorded that a person's data was sent to a recipient of the register"
        ),
    }
