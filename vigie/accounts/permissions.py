"""Permissions and roles (R28): who may do what in the back-office and the API.

Permissions are one enum of structured names ``domain:object:verb``. Each role is a
fixed set of them. A permission marked as reaching personal data can only be held
by an account whose confidentiality undertaking and GDPR training are recorded
(Art. 29, 32(4)). Every back-office view and API route declares one permission, or
is declared public; a test walks the URL conf to make sure of it.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Permission(StrEnum):
    # The back-office shell itself: any active staff account with a role.
    BACKOFFICE_VIEW = "backoffice:home:view"
    # Staff accounts and API keys.
    ACCOUNTS_USER_VIEW = "accounts:user:view"
    ACCOUNTS_USER_MANAGE = "accounts:user:manage"
    ACCOUNTS_APIKEY_MANAGE = "accounts:apikey:manage"
    # The second person who confirms a role that reaches personal data (issue 11).
    ACCOUNTS_ROLE_CONFIRM = "accounts:role:confirm"
    # The audit log and its verification.
    AUDIT_LOG_VIEW = "audit:log:view"
    AUDIT_LOG_VERIFY = "audit:log:verify"
    # The register of processing (Art. 30): read, export, edit.
    REGISTER_VIEW = "register:register:view"
    REGISTER_EXPORT = "register:register:export"
    REGISTER_EDIT = "register:register:edit"
    # The privacy policy: read drafts and diffs, write drafts, publish.
    POLICY_VIEW = "policy:version:view"
    POLICY_EDIT = "policy:version:edit"
    POLICY_PUBLISH = "policy:version:publish"
    # People, consents, audiences and e-mail (R8, R34-R44).
    PEOPLE_VIEW = "people:person:view"
    PEOPLE_CREATE = "people:person:create"
    CONSENT_VIEW = "consent:consent:view"
    CONSENT_RECORD = "consent:consent:record"
    CONSENT_IMPORT = "consent:import:run"
    AUDIENCE_CHECK = "consent:audience:check"
    MAIL_VIEW = "mail:outbox:view"
    MAIL_SEND = "mail:outbox:send"
    MAIL_RETRY = "mail:outbox:retry"
    # Sources of personal data (R4): see them and their inventory check, register
    # or change one, and erase a subject in every source (Art. 17, R53).
    SOURCES_VIEW = "sources:source:view"
    SOURCES_MANAGE = "sources:source:manage"
    SOURCES_ERASE = "sources:subject:erase"
    # Rights requests (R46–R50, R80): any member of staff records a request they
    # received (R46); handlers see and work cases; a refusal or a fee is the privacy
    # lead's (R49), as are an identity document (R48) and the deadline of a complaint
    # or CNIL inquiry (R80); the triage of the privacy mailbox (R78).
    RIGHTS_CASE_CREATE = "rights:case:create"
    RIGHTS_CASE_VIEW = "rights:case:view"
    RIGHTS_CASE_HANDLE = "rights:case:handle"
    RIGHTS_CASE_REFUSE = "rights:case:refuse"
    RIGHTS_IDENTITY_DOCUMENT = "rights:identity:document"
    RIGHTS_DEADLINE_SET = "rights:deadline:set"
    RIGHTS_TRIAGE = "rights:triage:handle"
    # The disclosure log (R22): read a person's log, record a transmission to a
    # recipient of the register (form, API, CSV import).
    DISCLOSURES_VIEW = "disclosures:disclosure:view"
    DISCLOSURES_RECORD = "disclosures:disclosure:record"
    # Used by API keys to prove who they are (the "whoami" route).
    API_IDENTITY_VIEW = "api:identity:view"


#: Permissions that show or change personal data (a staff member's account is
#: personal data too). Holding one requires the R28 undertakings.
PERSONAL_DATA_PERMISSIONS: frozenset[Permission] = frozenset(
    {
        Permission.PEOPLE_VIEW,
        Permission.PEOPLE_CREATE,
        Permission.CONSENT_VIEW,
        Permission.CONSENT_RECORD,
        Permission.CONSENT_IMPORT,
        Permission.AUDIENCE_CHECK,
        Permission.MAIL_VIEW,
        Permission.MAIL_SEND,
        Permission.MAIL_RETRY,
        Permission.ACCOUNTS_USER_VIEW,
        Permission.ACCOUNTS_USER_MANAGE,
        Permission.ACCOUNTS_ROLE_CONFIRM,
        Permission.AUDIT_LOG_VIEW,
        Permission.SOURCES_ERASE,
        Permission.RIGHTS_CASE_CREATE,
        Permission.RIGHTS_CASE_VIEW,
        Permission.RIGHTS_CASE_HANDLE,
        Permission.RIGHTS_CASE_REFUSE,
        Permission.RIGHTS_IDENTITY_DOCUMENT,
        Permission.RIGHTS_DEADLINE_SET,
        Permission.RIGHTS_TRIAGE,
        Permission.DISCLOSURES_VIEW,
        Permission.DISCLOSURES_RECORD,
    }
)


class Role(models.TextChoices):
    NONE = "none", _("No role")
    ADMIN = "admin", _("Administrator")
    PRIVACY_LEAD = "privacy_lead", _("Privacy lead")
    SALES = "sales", _("Sales")
    TECHNICIAN = "technician", _("Technician")
    ACCOUNTING = "accounting", _("Accounting")
    ARCHIVE_LEGAL = "archive_legal", _("Archive and legal")
    AUDITOR = "auditor", _("Auditor (read-only)")


_EVERY_STAFF = {Permission.BACKOFFICE_VIEW, Permission.API_IDENTITY_VIEW}
#: R46: whoever receives a request records it (forwarded within one working day).
_RECORDS_REQUESTS = {Permission.RIGHTS_CASE_CREATE}
_HANDLES_REQUESTS = {
    Permission.RIGHTS_CASE_CREATE,
    Permission.RIGHTS_CASE_VIEW,
    Permission.RIGHTS_CASE_HANDLE,
}
#: R22: whoever sends a person's data to a recipient logs it, and reads the log.
_DISCLOSES = {Permission.DISCLOSURES_VIEW, Permission.DISCLOSURES_RECORD}
_MARKETING = {
    Permission.PEOPLE_VIEW,
    Permission.PEOPLE_CREATE,
    Permission.CONSENT_VIEW,
    Permission.CONSENT_RECORD,
    Permission.CONSENT_IMPORT,
    Permission.AUDIENCE_CHECK,
    Permission.MAIL_VIEW,
    Permission.MAIL_SEND,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.NONE: frozenset(),
    Role.ADMIN: frozenset(
        _EVERY_STAFF
        | {
            Permission.ACCOUNTS_USER_VIEW,
            Permission.ACCOUNTS_USER_MANAGE,
            Permission.ACCOUNTS_APIKEY_MANAGE,
            Permission.ACCOUNTS_ROLE_CONFIRM,
            Permission.AUDIT_LOG_VIEW,
            Permission.AUDIT_LOG_VERIFY,
            Permission.REGISTER_VIEW,
            Permission.POLICY_VIEW,
        }
    ),
    Role.PRIVACY_LEAD: frozenset(
        _EVERY_STAFF
        | _MARKETING
        | {
            Permission.REGISTER_VIEW,
            Permission.REGISTER_EXPORT,
            Permission.REGISTER_EDIT,
            Permission.POLICY_VIEW,
            Permission.POLICY_EDIT,
            Permission.POLICY_PUBLISH,
            Permission.ACCOUNTS_USER_VIEW,
            Permission.ACCOUNTS_APIKEY_MANAGE,
            Permission.ACCOUNTS_ROLE_CONFIRM,
            Permission.AUDIT_LOG_VIEW,
            Permission.AUDIT_LOG_VERIFY,
            Permission.SOURCES_VIEW,
            Permission.SOURCES_MANAGE,
            Permission.SOURCES_ERASE,
            Permission.MAIL_RETRY,
            *_HANDLES_REQUESTS,
            Permission.RIGHTS_CASE_REFUSE,
            Permission.RIGHTS_IDENTITY_DOCUMENT,
            Permission.RIGHTS_DEADLINE_SET,
            Permission.RIGHTS_TRIAGE,
            *_DISCLOSES,
        }
    ),
    # Sales answer clients' requests day to day (without refusing one: R49).
    Role.SALES: frozenset(_EVERY_STAFF | _MARKETING | _HANDLES_REQUESTS | _DISCLOSES),
    # Technicians dispatch interventions to subcontractors; accounting hands files to
    # debt collectors: each logs what it sent (R22), through the API or an import.
    Role.TECHNICIAN: frozenset(_EVERY_STAFF | _RECORDS_REQUESTS | {Permission.DISCLOSURES_RECORD}),
    Role.ACCOUNTING: frozenset(_EVERY_STAFF | _RECORDS_REQUESTS | {Permission.DISCLOSURES_RECORD}),
    Role.ARCHIVE_LEGAL: frozenset(_EVERY_STAFF | _HANDLES_REQUESTS | _DISCLOSES),
    Role.AUDITOR: frozenset(
        _EVERY_STAFF
        | {
            Permission.AUDIT_LOG_VIEW,
            Permission.AUDIT_LOG_VERIFY,
            Permission.REGISTER_VIEW,
            Permission.REGISTER_EXPORT,
            Permission.POLICY_VIEW,
            Permission.CONSENT_VIEW,
            Permission.SOURCES_VIEW,
            Permission.RIGHTS_CASE_VIEW,
            Permission.DISCLOSURES_VIEW,
        }
    ),
}

#: R27: these roles must pass a second factor (TOTP) before reaching anything.
ROLES_REQUIRING_TOTP: frozenset[str] = frozenset({Role.ADMIN, Role.PRIVACY_LEAD})

#: Roles whose work is on personal data by nature, even before later domains add
#: their permissions (sales: prospects and clients; technician: tickets; …).
_ROLES_ON_PERSONAL_DATA: frozenset[str] = frozenset(
    {
        Role.ADMIN,
        Role.PRIVACY_LEAD,
        Role.SALES,
        Role.TECHNICIAN,
        Role.ACCOUNTING,
        Role.ARCHIVE_LEGAL,
        Role.AUDITOR,
    }
)


def permissions_of(role: str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def role_reaches_personal_data(role: str) -> bool:
    """Return True when granting ``role`` needs the R28 undertakings first."""
    return role in _ROLES_ON_PERSONAL_DATA or bool(permissions_of(role) & PERSONAL_DATA_PERMISSIONS)
