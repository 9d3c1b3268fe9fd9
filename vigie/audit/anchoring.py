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
back; and only along the chain: it moves only if the main database still holds the
anchored link (the event, or a signed checkpoint past it), so a log emptied and written
again past its anchor does not carry the anchor along. A failed anchor write is logged
on ``vigie.security`` and leaves the anchor behind the log, which verification
tolerates: the log may be longer than its anchor, never shorter.
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
from vigie.audit.models import Anchor, ChainHead, Checkpoint, Event

security_log = logging.getLogger("vigie.security")


_deferred = threading.local()


def anchor_after_commit(
    chain: str, seq: int, link: str, previous: tuple[int, str] | None = None
) -> None:
    """Anchor ``(seq, link)`` of ``chain`` once the caller's transaction commits (in
    ``anchors_deferred``: note the chain, anchored at the end of the batch).
    ``previous``: the link the event follows, where the anchor most likely is."""
    touched: set[str] | None = getattr(_deferred, "chains", None)
    if touched is not None:
        transaction.on_commit(lambda: touched.add(chain))
        return
    transaction.on_commit(lambda: write_anchor(chain, seq, link, previous))


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


def write_anchor(chain: str, seq: int, link: str, previous: tuple[int, str] | None = None) -> bool:
    """Move the anchor of ``chain`` forward to ``seq``; False if it could not be written.

    ``previous`` (the link just before ``seq``, where the anchor is when every event is
    anchored in turn) allows the short way: the log still holds that link (checked, as
    always) and one conditional ``UPDATE`` moves the anchor only if it is exactly there
    — two round trips instead of five. Anywhere else (behind, moved by another writer,
    missing), the long way below decides, with the same rules.
    """
    fields = {
        "seq": seq,
        "hash": link,
        "mac": hashing.anchor_mac(chain, seq, link),
        "anchored_at": timezone.now(),
    }
    using = router.db_for_write(Anchor)
    try:
        if previous is not None and previous[0] < seq and _goes_through(chain, *previous):
            # One statement, atomic on its own: no transaction to open on the key store.
            moved = Anchor.objects.filter(chain=chain, seq=previous[0], hash=previous[1]).update(
                **fields
            )
            if moved:
                return True
        with transaction.atomic(using=using):
            current = Anchor.objects.filter(chain=chain).values_list("seq", "hash").first()
            if current is None:
                try:
                    with transaction.atomic(using=using):
                        Anchor.objects.create(chain=chain, **fields)
                        return True
                except IntegrityError:
                    # Another writer created it meanwhile: move it if still behind.
                    current = Anchor.objects.filter(chain=chain).values_list("seq", "hash").get()
            if current[0] >= seq:
                return True
            if not _goes_through(chain, *current):
                # The log no longer holds the anchored link (emptied, cut back, then
                # written again): the anchor stays where it is, so verify keeps failing.
                security_log.error(
                    "audit anchor of the %s chain not moved to seq %s: the log no longer "
                    "goes through the anchored seq %s",
                    chain,
                    seq,
                    current[0],
                )
                return False
            # Conditional on the anchor read: one moved meanwhile is left as it is.
            Anchor.objects.filter(chain=chain, seq=current[0], hash=current[1]).update(**fields)
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


def _goes_through(chain: str, seq: int, link: str) -> bool:
    """Does the chain in the main database still hold ``link`` at ``seq``?

    The event itself, or a signed checkpoint at or past it (the purge removes old read
    events and leaves a checkpoint). Without this, a log emptied and then written again
    past its anchor would carry the anchor along and verify as intact.
    """
    event = Event.objects.filter(chain=chain, seq=seq).values_list("hash", flat=True).first()
    if event is not None:
        return event == link
    checkpoint = Checkpoint.objects.filter(chain=chain, seq__gte=seq).order_by("seq").first()
    if checkpoint is None:
        return False
    if checkpoint.mac != hashing.checkpoint_mac(
        chain, checkpoint.seq, checkpoint.hash, checkpoint.cutoff, checkpoint.purged_count
    ):
        return False
    return checkpoint.seq > seq or checkpoint.hash == link


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
