"""The requester's details and the request's words, sealed (R30).

A case may be opened by someone Vigie does not know: their details cannot go under a
person's key, so they are sealed with a key derived for this domain, bound to the case
(the additional data names the case and the field, so a blob cannot be moved to another
case). Deleting the case at the end of its retention deletes them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass

from vigie.lib import crypto, keyring

_KEY_PURPOSE = "rights-case"


@dataclass(frozen=True)
class Requester:
    """Who filed the request, as they gave it."""

    email: str = ""
    name: str = ""
    phone: str = ""
    postal_address: str = ""
    #: The address the requester says Vigie holds (they write from a new one).
    on_file_email: str = ""
    #: A customer or contract reference the requester quoted.
    reference: str = ""


def _aad(case_id: uuid.UUID, field: str) -> str:
    return f"rights.case:{case_id}:{field}"


def seal_requester(case_id: uuid.UUID, requester: Requester) -> bytes:
    text = json.dumps(asdict(requester), ensure_ascii=False)
    return crypto.seal_text(keyring.derive_key(_KEY_PURPOSE), text, _aad(case_id, "requester"))


def open_requester(case_id: uuid.UUID, blob: bytes | memoryview | None) -> Requester:
    if not blob:
        return Requester()
    text = crypto.open_text(
        keyring.derive_key(_KEY_PURPOSE), bytes(blob), _aad(case_id, "requester")
    )
    return Requester(**json.loads(text))


def seal_description(case_id: uuid.UUID, text: str) -> bytes:
    return crypto.seal_text(keyring.derive_key(_KEY_PURPOSE), text, _aad(case_id, "description"))


def open_description(case_id: uuid.UUID, blob: bytes | memoryview | None) -> str:
    if not blob:
        return ""
    return crypto.open_text(
        keyring.derive_key(_KEY_PURPOSE), bytes(blob), _aad(case_id, "description")
    )
