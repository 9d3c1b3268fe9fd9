"""Audit event names of the consent domain (``consent:<purpose>:<verb>``).

Kept here rather than in ``vigie.audit.actions``: the purpose is part of the name
(``consent:newsletter:withdraw``), so the names are built from two small enums.
"""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    GRANT = "grant"
    SOFT_OPT_IN = "soft_opt_in"
    PENDING = "pending"
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"


class ConsentAction(StrEnum):
    # R42: a global objection covers every purpose at once.
    OBJECT = "consent:marketing:object"
    IMPORT = "consent:import:run"
    # Who asked whether which list may be mailed: counts only, never the addresses.
    AUDIENCE_CHECK = "consent:audience:check"


class SegmentAction(StrEnum):
    CREATE = "consent:segment:create"
    ADD = "consent:segment:add"


def consent_action(purpose: str, verb: Verb) -> str:
    """``consent:newsletter:grant`` and the like."""
    return f"consent:{purpose}:{verb}"
