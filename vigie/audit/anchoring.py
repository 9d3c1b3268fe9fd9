"""The audit chains anchored outside the main database (R29, Art. 5(2)).

Each chain's head — its last sequence number and link, signed with the audit key — is
copied into the key-store database (``VIGIE_KEYS_DATABASE_URL``) once the event that
moved it is committed. Whoever can write the main database but not the key store (a
stolen or restored dump, a compromised database account) could otherwise delete every
event, head and checkpoint and leave a log that verifies as a new, empty installation;
with the anchor, ``verify`` fails whenever a chain is shorter than its anchor or does
not go through the anchored link.

The anchor is written after the commit, never before: a rolled-back event must not
leave an anchor ahead of the log. It only moves forward (a conditional update, and a
trigger on PostgreSQL), so concurrent writers committing out of order cannot pull it
back. A failed anchor write is logged on ``vigie.security`` and leaves the anchor
behind the log, which verification tolerates: the log may be longer than its anchor,
never shorter.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, connection, router, transaction
from django.utils import timezone

from vigie.audit import chain as hashing
from vigie.audit.models import Anchor, ChainHead

security_log = logging.getLogger("vigie.security")


_deferred = threading.local()


def anchor_after_commit(chain: str, seq: int, link: str) -> None:
    """Anchor ``(seq, link)`` of ``chain`` once the caller's transaction commits (in
    ``anchors_deferred``: note the chain, anchored at the end of the batch)."""
    touched: set[str] | None = getattr(_deferred, "chains", None)
    if touched is not None:
        transaction.on_commit(lambda: touched.add(chain))
        return
    transaction.on_commit(lambda: write_anchor(chain, seq, link))


@contextmanager
def anchors_deferred() -> Iterator[None]:
    """A long run of small transactions (an import: one per line) anchors the chains it
    moved once per batch (``flush_deferred_anchors``) and at the end, not after every
    commit: one key-store write instead of one per line. Meanwhile the log is ahead of
    its anchor, which verification tolerates (as after a failed anchor write)."""
    if getattr(_deferred, "chains", None) is not None:
        yield
        return
    _deferred.chains = set()
    try:
        yield
    finally:
        touched = _deferred.chains
        _deferred.chains = None
        anchor_heads(touched)


def flush_deferred_anchors() -> None:
    """In ``anchors_deferred``, between two transactions: anchor what committed so far."""
    touched: set[str] | None = getattr(_deferred, "chains", None)
    if touched:
        anchor_heads(touched)
        touched.clear()


def anchor_heads(chains: Iterable[str]) -> None:
    """Anchor the committed head of each chain. Only outside a transaction: inside one,
    the head may hold events that will yet be rolled back (left for the next anchor)."""
    if connection.in_atomic_block:
        return
    for chain in sorted(set(chains)):
        head = ChainHead.objects.filter(chain=chain).first()
        if head is not None:
            write_anchor(chain, head.seq, head.hash)


def write_anchor(chain: str, seq: int, link: str) -> bool:
    """Move the anchor of ``chain`` forward to ``seq``; False if it could not be written."""
    fields = {
        "seq": seq,
        "hash": link,
        "mac": hashing.anchor_mac(chain, seq, link),
        "anchored_at": timezone.now(),
    }
    using = router.db_for_write(Anchor)
    try:
        with transaction.atomic(using=using):
            moved = Anchor.objects.filter(chain=chain, seq__lt=seq).update(**fields)
            if not moved and not Anchor.objects.filter(chain=chain).exists():
                try:
                    with transaction.atomic(using=using):
                        Anchor.objects.create(chain=chain, **fields)
                except IntegrityError:
                    # Another writer created it meanwhile: move it if still behind.
                    Anchor.objects.filter(chain=chain, seq__lt=seq).update(**fields)
    except (DatabaseError, AssertionError) as error:
        # The event is committed; only its anchor is missing (the key store down, say).
        # AssertionError: a test that did not declare the key-store database.
        security_log.error(
            "audit anchor of the %s chain not written at seq %s: %s",
            chain,
            seq,
            type(error).__name__,
        )
        return False
    return True


@dataclass(frozen=True)
class AnchorState:
    chain: str
    seq: int
    hash: str
    valid: bool


def read_anchors() -> dict[str, AnchorState]:
    """The anchor of each chain, with whether its signature holds."""
    found = {}
    for anchor in Anchor.objects.all():
        mac = hashing.anchor_mac(anchor.chain, anchor.seq, anchor.hash)
        found[anchor.chain] = AnchorState(anchor.chain, anchor.seq, anchor.hash, mac == anchor.mac)
    return found
