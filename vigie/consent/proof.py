"""The consent proof of a person: every R34 field of every event (Art. 7(1)).

Each line is one append-only event. A double opt-in request shows the time it was
confirmed, taken from the confirmation event that points at it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from vigie.accounts.models import User
from vigie.consent.models import ConsentEvent, Kind
from vigie.people.models import Person


@dataclass(frozen=True)
class ProofLine:
    event_id: int
    purpose: str
    kind: str
    wording: str
    policy_version: int | None
    channel: str
    occurred_at: datetime
    ip: str | None
    method: str
    collector: str
    collector_name: str
    proof_ref: str
    confirmed_at: datetime | None
    email_index: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for field in ("occurred_at", "confirmed_at"):
            if data[field] is not None:
                data[field] = data[field].isoformat()
        return data


def _staff_names(collectors: set[str]) -> dict[str, str]:
    ids = [c.split(":", 1)[1] for c in collectors if c.startswith("user:")]
    users = User.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    return {f"user:{u.pk}": u.get_username() for u in users}


def consent_proof(person: Person) -> list[ProofLine]:
    """Every consent event of ``person``, oldest first, with its double opt-in confirmation."""
    events = list(ConsentEvent.objects.filter(person=person).order_by("occurred_at", "pk"))
    confirmed = {e.confirms_id: e.confirmed_at for e in events if e.kind == Kind.CONFIRM}
    names = _staff_names({e.collector for e in events})
    return [
        ProofLine(
            event_id=e.pk,
            purpose=e.purpose,
            kind=e.kind,
            wording=e.wording,
            policy_version=e.policy_version,
            channel=e.channel,
            occurred_at=e.occurred_at,
            ip=e.ip,
            method=e.method,
            collector=e.collector,
            collector_name=names.get(e.collector, ""),
            proof_ref=e.proof_ref,
            confirmed_at=e.confirmed_at if e.kind == Kind.CONFIRM else confirmed.get(e.pk),
            email_index=e.email_index,
        )
        for e in events
    ]
