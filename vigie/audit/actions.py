"""Audit event names: one enum of structured values ``domain:object:verb``."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    # Staff accounts (R27, R28).
    USER_CREATE = "accounts:user:create"
    USER_ROLE_CHANGE = "accounts:user:role_change"
    USER_ROLE_REQUEST = "accounts:user:role_request"
    USER_ROLE_CONFIRM = "accounts:user:role_confirm"
    USER_ROLE_REFUSE = "accounts:user:role_refuse"
    USER_UNDERTAKINGS = "accounts:user:undertakings"
    USER_PASSWORD_CHANGE = "accounts:user:password_change"  # noqa: S105 (a name)
    USER_DEACTIVATE = "accounts:user:deactivate"
    USER_LOGIN = "accounts:user:login"
    USER_LOGOUT = "accounts:user:logout"
    TOTP_ENROL = "accounts:totp:enrol"
    APIKEY_CREATE = "accounts:apikey:create"
    APIKEY_REVOKE = "accounts:apikey:revoke"
    # The register of processing (R3) and the privacy policy (R74).
    REGISTER_CHANGE = "register:register:change"
    REGISTER_EXPORT = "register:register:export"
    POLICY_DRAFT = "policy:version:draft"
    POLICY_PUBLISH = "policy:version:publish"
    # People and their keys (R30).
    PERSON_CREATE = "people:person:create"
    PERSON_SHRED = "people:person:shred"
    PERSON_CONTACT_ADD = "people:contact_point:add"
    ORGANISATION_CONTACT_SET = "people:organisation:contact"
    ORGANISATION_CREATE = "people:organisation:create"
    PERSON_UPDATE = "people:person:update"
    PERSON_NAMES_INDEX = "people:names:index"
    PERSON_SOURCES_MARK = "people:sources:mark"
    KEYS_ROTATE = "people:keys:rotate"
    # Restriction (Art. 18, R55) and objection blocks (Art. 21, R56, R42).
    RESTRICTION_SET = "people:restriction:set"
    RESTRICTION_NOTICE = "people:restriction:notice"
    RESTRICTION_LIFT = "people:restriction:lift"
    PURPOSE_BLOCK = "people:purpose:block"
    PURPOSE_OVERRIDE = "people:purpose:override"
    # Free text scanned for personal data: third parties masked in an access copy (R52).
    PII_MASK = "sources:pii:mask"
    # Sources of personal data and what is done to a subject in them (R4, R53).
    SOURCE_REGISTER = "sources:source:register"
    SOURCE_CHECK = "sources:source:check"
    SUBJECT_ERASE = "sources:subject:erase"
    SUBJECT_RESIDUE_CHECK = "sources:subject:residue-check"
    SUBJECT_RECTIFY = "sources:subject:rectify"
    # The log itself.
    AUDIT_PURGE = "audit:log:purge"
    AUDIT_VERIFY = "audit:log:verify"
    # Reads of personal data (R29): kept 6 months, then purged.
    PERSONAL_DATA_READ = "personal_data:read"
    AUDIT_LOG_READ = "audit:log:read"


#: Read events go to their own chain, the one the 6-month purge may shorten.
READ_ACTIONS: frozenset[str] = frozenset({Action.PERSONAL_DATA_READ, Action.AUDIT_LOG_READ})
