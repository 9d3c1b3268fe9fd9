"""Canonical form and keyed hashes of audit events, heads and checkpoints.

The hash is an HMAC-SHA256 keyed by ``settings.AUDIT_KEY``, which lives outside
the database: someone who can write to the database but does not hold the key
cannot rebuild a consistent chain after editing, deleting or inserting an event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

GENESIS = "0" * 64


def _mac(message: str) -> str:
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def canonical_event(fields: dict[str, Any]) -> str:
    """The exact text an event's hash covers: sorted JSON of every stored field."""
    content = {
        "chain": fields["chain"],
        "seq": int(fields["seq"]),
        "occurred_at": fields["occurred_at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_type": fields["actor_type"],
        "actor_id": fields["actor_id"],
        "action": fields["action"],
        "object_type": fields["object_type"],
        "object_id": fields["object_id"],
        "ip": fields["ip"] or "",
        "extra": fields["extra"],
        "prev_hash": fields["prev_hash"],
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(fields: dict[str, Any]) -> str:
    return _mac("event\n" + canonical_event(fields))


def head_mac(chain: str, seq: int, link: str) -> str:
    return _mac(f"head\n{chain}\n{seq}\n{link}")


def checkpoint_mac(chain: str, seq: int, link: str, cutoff: datetime, purged: int) -> str:
    # UTC with a fixed precision: the value reads back the same from any database.
    moment = cutoff.astimezone(UTC).isoformat(timespec="microseconds")
    return _mac(f"checkpoint\n{chain}\n{seq}\n{link}\n{moment}\n{purged}")


def anchor_mac(chain: str, seq: int, link: str) -> str:
    return _mac(f"anchor\n{chain}\n{seq}\n{link}")
