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
    CASE_QUALIFY = "rights:case:qualify"
    CASE_NOT_A_REQUEST = "rights:case:not_a_request"
    DEADLINE_ALERT = "rights:deadline:alert"
    DOCUMENT_REQUEST = "rights:document:request"
    DOCUMENT_STORE = "rights:document:store"
    DOCUMENT_VERIFY = "rights:document:verify"
    DOCUMENT_DELETE = "rights:document:delete"
    SCAN_ATTACH = "rights:scan:attach"
    SPACE_SIGN_IN = "rights:space:sign_in"
    CONTACT_CORRECT = "rights:contact:correct"
    CONTACT_CONFIRM_SEND = "rights:contact:confirm_send"
    DIRECTIVE_RECORD = "rights:directive:record"
    NOTICE_OPEN = "rights:notice:open"
    NOTICE_SEND = "rights:notice:send"
    NOTICE_DELIVERED = "rights:notice:delivered"
    NOTICE_DONE = "rights:notice:done"
    NOTICE_IMPOSSIBLE = "rights:notice:impossible"
    RECIPIENTS_SEND = "rights:recipients:send"
    RESTRICTION_SET = "rights:restriction:set"
    RESTRICTION_NOTICE = "rights:restriction:notice"
    RESTRICTION_LIFT = "rights:restriction:lift"
    PURPOSE_BLOCK = "rights:objection:block"
    PURPOSE_OVERRIDE = "rights:objection:override"
    ACCESS_COMPILE = "rights:access:compile"
    ACCESS_SEND = "rights:access:send"
    ACCESS_DOWNLOAD = "rights:access:download"
    PORTABILITY_BUILD = "rights:portability:build"
    PORTABILITY_DOWNLOAD = "rights:portability:download"
    PORTABILITY_LINK_SEND = "rights:portability:link_send"
    PORTABILITY_LINK_USE = "rights:portability:link_use"
    PORTABILITY_DELETE = "rights:portability:delete"
    ERASURE_PROPOSE = "rights:erasure:propose"
    ERASURE_CONFIRM = "rights:erasure:confirm"
    ERASURE_CLIENT_CONFIRM = "rights:erasure:client_confirm"
    ERASURE_RUN = "rights:erasure:run"
    DEATH_RECORD = "rights:death:record"
    RECTIFICATION_RECORD = "rights:rectification:record"
    RECTIFICATION_PROOF_ASK = "rights:rectification:proof_ask"
    RECTIFICATION_PROOF = "rights:rectification:proof"
    RECTIFICATION_APPLY = "rights:rectification:apply"
    RECTIFICATION_TASK_OPEN = "rights:rectification:task_open"
    RECTIFICATION_TASK_DONE = "rights:rectification:task_done"


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
        RightsAction.CASE_QUALIFY: _(
            "chose the types of a rights request received in the privacy mailbox"
        ),
        RightsAction.CASE_NOT_A_REQUEST: _(
            "closed a case opened by a message of the privacy mailbox: not a request"
        ),
        RightsAction.DEADLINE_ALERT: _(
            "alerted the handler and the privacy leads that a rights request is nearly due or late"
        ),
        RightsAction.DOCUMENT_REQUEST: _(
            "asked a requester for a copy of an identity document (last resort)"
        ),
        RightsAction.DOCUMENT_STORE: _("stored a requester's identity document, sealed"),
        RightsAction.DOCUMENT_VERIFY: _(
            "recorded that a requester's identity was verified with an identity document"
        ),
        RightsAction.DOCUMENT_DELETE: _("deleted the file of a requester's identity document"),
        RightsAction.NOTICE_OPEN: _(
            "opened a task to tell a recipient of the change to data it received (Art. 19)"
        ),
        RightsAction.NOTICE_SEND: _(
            "queued the e-mail telling a recipient of the change to data it received (Art. 19)"
        ),
        RightsAction.NOTICE_DELIVERED: _(
            "recorded that an Art. 19 notice reached the recipient's mail server"
        ),
        RightsAction.NOTICE_DONE: _("recorded that a recipient was told by other means (Art. 19)"),
        RightsAction.NOTICE_IMPOSSIBLE: _(
            "recorded, with the reason, that telling a recipient is impossible or "
            "disproportionate (Art. 19)"
        ),
        RightsAction.RECIPIENTS_SEND: _(
            "sent a person the list of the recipients of their data (Art. 19)"
        ),
        RightsAction.ACCESS_COMPILE: _(
            "compiled the access package of a rights request (a copy of the person's data)"
        ),
        RightsAction.ACCESS_SEND: _(
            "sent the person the signed link to download their access package"
        ),
        RightsAction.ACCESS_DOWNLOAD: _("downloaded an access package"),
        RightsAction.SCAN_ATTACH: _("attached the scan of a rights request received by post"),
        RightsAction.SPACE_SIGN_IN: _("signed in to their personal space with a link"),
        RightsAction.CONTACT_CORRECT: _("corrected their contact details in their personal space"),
        RightsAction.CONTACT_CONFIRM_SEND: _(
            "asked to change their e-mail address (confirmation link sent to the new one)"
        ),
        RightsAction.DIRECTIVE_RECORD: _("recorded their post-mortem directives"),
        RightsAction.RESTRICTION_SET: _("restricted the processing of a requester's data"),
        RightsAction.RESTRICTION_NOTICE: _(
            "told a requester that the restriction of their data will be lifted"
        ),
        RightsAction.RESTRICTION_LIFT: _("lifted the restriction of a requester's data"),
        RightsAction.PURPOSE_BLOCK: _(
            "stopped the purposes a requester objected to (objection recorded)"
        ),
        RightsAction.PURPOSE_OVERRIDE: _(
            "recorded compelling grounds that override a requester's objection"
        ),
        RightsAction.PORTABILITY_BUILD: _("made the portability export of a rights request"),
        RightsAction.PORTABILITY_DOWNLOAD: _(
            "downloaded the portability export of a rights request"
        ),
        RightsAction.PORTABILITY_LINK_SEND: _(
            "sent a one-time link to the portability export to a receiving controller"
        ),
        RightsAction.PORTABILITY_DELETE: _(
            "deleted the files of a portability export past its expiry"
        ),
        RightsAction.PORTABILITY_LINK_USE: _(
            "downloaded a portability export through its one-time link (receiving controller)"
        ),
        RightsAction.ERASURE_PROPOSE: _("proposed what an erasure erases and keeps"),
        RightsAction.ERASURE_CONFIRM: _("confirmed what an erasure erases and keeps"),
        RightsAction.ERASURE_CLIENT_CONFIRM: _(
            "recorded that a current client confirmed their service may stop"
        ),
        RightsAction.ERASURE_RUN: _("carried out an erasure in every source"),
        RightsAction.DEATH_RECORD: _("recorded a person's death, with its proof"),
        RightsAction.RECTIFICATION_RECORD: _("recorded the corrections of a rectification request"),
        RightsAction.RECTIFICATION_PROOF_ASK: _(
            "asked a requester for a proof before changing identity data"
        ),
        RightsAction.RECTIFICATION_PROOF: _("recorded the proof of an identity data change"),
        RightsAction.RECTIFICATION_APPLY: _("applied a rectification in every source"),
        RightsAction.RECTIFICATION_TASK_OPEN: _(
            "opened a task to correct by hand a place a source does not map"
        ),
        RightsAction.RECTIFICATION_TASK_DONE: _("recorded a rectification task as done"),
    }
