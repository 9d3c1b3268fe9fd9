"""The register's answers to infrastructure that may not import it: who the controller
is (``vigie.lib.controller``) and where a recipient's privacy contact is reached
(``vigie.mail.addressing``). Both read the current revision at the moment of use, so
an edit of the register applies to the next page or message.
"""

from __future__ import annotations

from typing import Any

from vigie.lib.controller import Controller, controller_from_document
from vigie.mail.addressing import Address, Unreachable
from vigie.register.document import text
from vigie.register.models import Revision


def current_controller_from_register() -> Controller | None:
    """The identity of the current revision, or None when no register is loaded."""
    # Only the controller section is read: the whole document is much larger.
    section = (
        Revision.objects.order_by("-number").values_list("document__controller", flat=True).first()
    )
    if not isinstance(section, dict):
        return None
    return controller_from_document(section)


def _current_recipients() -> list[dict[str, Any]]:
    recipients = (
        Revision.objects.order_by("-number").values_list("document__recipients", flat=True).first()
    )
    return recipients if isinstance(recipients, list) else []


def recipient_contact(key: str) -> Address:
    """The privacy contact of the register recipient ``key`` (Art. 19 notices, processor
    notices). It is the register's data, not a person's: the current revision is read."""
    for entry in _current_recipients():
        if isinstance(entry, dict) and entry.get("key") == key:
            contact = entry.get("privacy_contact")
            if not isinstance(contact, str) or "@" not in contact:
                raise Unreachable("NO_ADDRESS")
            return Address(email=contact.strip(), name=text(entry.get("name"), "fr"))
    raise Unreachable("RECIPIENT_NOT_IN_REGISTER")
