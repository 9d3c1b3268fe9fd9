"""Permissions as people read them (API key scopes, staff pages).

Kept beside ``permissions`` rather than in it: the names are the contract with other
software (API scopes), the labels are for people and may be reworded. A permission
without a label shows its name, and a test fails on it.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from vigie.accounts.permissions import Permission

PERMISSION_LABELS = {
    Permission.BACKOFFICE_VIEW: _("Open the back-office"),
    Permission.ACCOUNTS_USER_VIEW: _("See staff accounts"),
    Permission.ACCOUNTS_USER_MANAGE: _("Manage staff accounts"),
    Permission.ACCOUNTS_APIKEY_MANAGE: _("Manage API keys"),
    Permission.ACCOUNTS_ROLE_CONFIRM: _("Confirm a role another staff member asked for"),
    Permission.AUDIT_LOG_VIEW: _("Read the audit log"),
    Permission.AUDIT_LOG_VERIFY: _("Verify the audit log"),
    Permission.REGISTER_VIEW: _("Read the register"),
    Permission.REGISTER_EXPORT: _("Export the register"),
    Permission.REGISTER_EDIT: _("Edit the register"),
    Permission.POLICY_VIEW: _("Read the privacy policy versions"),
    Permission.POLICY_EDIT: _("Draft the privacy policy"),
    Permission.POLICY_PUBLISH: _("Publish the privacy policy"),
    Permission.PEOPLE_VIEW: _("See people"),
    Permission.PEOPLE_CREATE: _("Create people"),
    Permission.CONSENT_VIEW: _("See consents"),
    Permission.CONSENT_RECORD: _("Record consents"),
    Permission.CONSENT_IMPORT: _("Import consents"),
    Permission.AUDIENCE_CHECK: _("Check who may be e-mailed"),
    Permission.MAIL_VIEW: _("See the outbox"),
    Permission.MAIL_RETRY: _("Send a failed e-mail again"),
    Permission.MAIL_SEND: _("Send e-mails"),
    Permission.SOURCES_VIEW: _("See the data sources"),
    Permission.SOURCES_MANAGE: _("Manage the data sources"),
    Permission.SOURCES_ERASE: _("Erase a person in every source"),
    Permission.RIGHTS_CASE_CREATE: _("Record a rights request received"),
    Permission.RIGHTS_CASE_VIEW: _("See the rights requests"),
    Permission.RIGHTS_CASE_HANDLE: _("Handle rights requests"),
    Permission.RIGHTS_CASE_REFUSE: _("Refuse a rights request (or charge a fee)"),
    Permission.RIGHTS_IDENTITY_DOCUMENT: _("Ask for and see an identity document"),
    Permission.RIGHTS_DEADLINE_SET: _("Set the deadline of a complaint or CNIL inquiry"),
    Permission.RIGHTS_TRIAGE: _("Sort the privacy mailbox"),
    Permission.DISCLOSURES_VIEW: _("See who received a person's data"),
    Permission.DISCLOSURES_RECORD: _("Record a disclosure to a recipient"),
    Permission.API_IDENTITY_VIEW: _("Identify itself (API)"),
}


def permission_label(name: str) -> str:
    try:
        return str(PERMISSION_LABELS[Permission(name)])
    except (KeyError, ValueError):
        return name


def permission_choice(name: str) -> SafeString:
    """The label, and the scope's name in small print for whoever configures the software."""
    return format_html('{} <small class="tech">{}</small>', permission_label(name), name)
