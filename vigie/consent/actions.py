"""Audit event names of the consent domain (``consent:<purpose>:<verb>``).

Kept here rather than in ``vigie.audit.actions``: the purpose is part of the name
(``consent:newsletter:withdraw``), so the names are built from two small enums.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Verb(StrEnum):
    GRANT = "grant"
    SOFT_OPT_IN = "soft_opt_in"
    PENDING = "pending"
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"
    #: The daily job marked an unconfirmed double opt-in expired (R43).
    EXPIRE = "expire"


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


def sentences() -> dict[str, Any]:
    """Every consent action name as a sentence, for the audit log page."""
    from vigie.lib.purposes import PURPOSE_OR_ALL

    verbs = {
        Verb.GRANT: _("recorded a consent to “{purpose}”"),
        Verb.SOFT_OPT_IN: _("recorded a soft opt-in for “{purpose}”"),
        Verb.PENDING: _("started a double opt-in for “{purpose}”"),
        Verb.CONFIRM: _("confirmed a double opt-in for “{purpose}”"),
        Verb.WITHDRAW: _("recorded a withdrawal of consent to “{purpose}”"),
        Verb.EXPIRE: _("marked an unconfirmed double opt-in for “{purpose}” as expired"),
    }
    named: dict[str, Any] = {
        consent_action(purpose, verb): format_lazy(template, purpose=label)
        for purpose, label in PURPOSE_OR_ALL
        for verb, template in verbs.items()
    }

    named.update(
        {
            ConsentAction.OBJECT: _("recorded an objection to all marketing"),
            ConsentAction.IMPORT: _("imported consents from a file"),
            ConsentAction.AUDIENCE_CHECK: _("checked who may be e-mailed for a purpose"),
            SegmentAction.CREATE: _("created a targeting segment"),
            SegmentAction.ADD: _("added people to a targeting segment"),
        }
    )
    return named


def former_names() -> dict[str, str]:
    """Action names recorded under a former purpose key → their current names. Those
    events keep their name (the log is hash-chained) and read as the current purpose."""
    from vigie.lib.purposes import RENAMED

    return {
        consent_action(former, verb): consent_action(current, verb)
        for former, current in RENAMED.items()
        for verb in Verb
    }
