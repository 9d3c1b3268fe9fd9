"""Audit event names of the rights domain (``rights:<object>:<verb>``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class RightsAction(StrEnum):
    CASE_OPEN = "rights:case:open"
    CASE_RECEIVED_AT = "rights:case:received_at"
    CASE_ASSIGN = "rights:case:assign"
    IDENTITY_CHALLENGE = "rights:identity:challenge"
    IDENTITY_VERIFY = "rights:identity:verify"
    CLOCK_SUSPEND = "rights:clock:suspend"
    CLOCK_RESUME = "rights:clock:resume"
    CLOCK_EXTEND = "rights:clock:extend"
    DEADLINE_SET = "rights:deadline:set"
    CASE_DECIDE = "rights:case:decide"
    CASE_ANSWER = "rights:case:answer"
    CASE_CLOSE_UNVERIFIED = "rights:case:close_unverified"
    LETTER_QUEUE = "rights:letter:queue"
    CASE_DELETE = "rights:case:delete"


def sentences() -> dict[str, Any]:
    """Each action as a sentence for the audit log page."""
    return {
        RightsAction.CASE_OPEN: _("opened a rights request case"),
        RightsAction.CASE_RECEIVED_AT: _("corrected the date a rights request was received"),
        RightsAction.CASE_ASSIGN: _("assigned a rights request case"),
        RightsAction.IDENTITY_CHALLENGE: _("sent an identity challenge for a rights request"),
        RightsAction.IDENTITY_VERIFY: _("recorded that a requester's identity was verified"),
        RightsAction.CLOCK_SUSPEND: _("suspended the legal clock of a rights request"),
        RightsAction.CLOCK_RESUME: _("restarted the legal clock of a rights request"),
        RightsAction.CLOCK_EXTEND: _("extended the deadline of a rights request by two months"),
        RightsAction.DEADLINE_SET: _("set the deadline of a complaint or a CNIL inquiry"),
        RightsAction.CASE_DECIDE: _("recorded a decision on a rights request"),
        RightsAction.CASE_ANSWER: _("answered a rights request"),
        RightsAction.CASE_CLOSE_UNVERIFIED: _(
            "closed a rights request whose requester could not be identified"
        ),
        RightsAction.LETTER_QUEUE: _("queued a letter about a rights request"),
        RightsAction.CASE_DELETE: _("deleted a rights request case past its retention date"),
    }
