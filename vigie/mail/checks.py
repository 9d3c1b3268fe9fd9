"""``vigie check --deploy``: a privacy contact that nobody reads.

R78 asks that the privacy mailbox be read every working day and every message become
a case. When the register names a privacy contact but no IMAP server is configured,
Vigie never sees those messages: somebody must read them by hand, and say so.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from vigie.lib.controller import current_controller


@register(Tags.security, deploy=True)
def check_privacy_mailbox_read(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.IMAP_HOST:
        return []
    try:
        controller = current_controller()
    except DatabaseError:
        # No database yet (before `vigie migrate`): no register to read.
        return []
    if controller is None or not controller.privacy_contact:
        return []
    return [
        Warning(
            f"The register names the privacy contact {controller.privacy_contact} but no "
            "IMAP server is configured: Vigie does not read that mailbox (R78).",
            hint="Set VIGIE_IMAP_HOST, VIGIE_IMAP_USER and VIGIE_IMAP_PASSWORD_FILE "
            "(docs/configuration.md), or have that mailbox read by hand every working day.",
            id="vigie.mail.W001",
        )
    ]
