"""E-mails to staff accounts: a privacy lead told of a role awaiting confirmation.

Issue 11: an administrator gave itself the privacy-lead role. Now a role that reaches
personal data waits for a second person (``accounts.services.request_role``), and
every active privacy lead is e-mailed at once (a service message, through the
outbox like any other). Accounts cannot import mail (mail imports accounts), so
accounts sends the ``role_grant_requested`` signal and mail connects this receiver.

The outbox stores the grant's id only; names and the role are read when the message
is rendered, the address when it is sent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from vigie.accounts.models import RoleGrant, User
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.mail.addressing import Address, Unreachable

TEMPLATE = "role_grant_request"


def staff_address(ref: str) -> Address:
    user = User.objects.filter(pk=int(ref)).first()
    if user is None or not user.is_active:
        raise Unreachable("STAFF_INACTIVE")
    if not user.email:
        raise Unreachable("NO_ADDRESS")
    return Address(email=user.email, first_name=user.first_name, last_name=user.last_name)


def role_grant_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    grant = RoleGrant.objects.select_related("user", "requested_by").get(pk=int(refs["grant"]))
    with translation.override(language):
        role = str(Role(grant.role).label)
    return {
        "grantee": grant.user.username,
        "role_label": role,
        "requested_by": grant.requested_by.username if grant.requested_by else "",
        "staff_url": settings.SITE_URL.rstrip("/") + reverse("accounts:staff-list"),
    }


def notify_privacy_leads(sender: Any, grant: RoleGrant, actor: Actor, **kwargs: Any) -> None:
    """Queue the notice to every active privacy lead but the account concerned."""
    from vigie.mail.services import queue_messages

    leads = User.objects.filter(is_active=True, role=Role.PRIVACY_LEAD).exclude(pk=grant.user_id)
    if leads.exists():
        queue_messages(
            Actor.system("role requests"),
            list(leads),
            TEMPLATE,
            kind="service",
            context={"grant": grant.pk},
        )
