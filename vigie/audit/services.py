"""Record, verify and purge the audit log (R29, Art. 5(2)).

``record_event`` is the only way in. It joins the caller's transaction, so an
event exists exactly when the change it describes was committed. It stores who,
when, what and on which object, never the personal data itself.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from vigie.audit import chain as hashing
from vigie.audit.actions import READ_ACTIONS, Action
from vigie.audit.actor import Actor
from vigie.audit.anchoring import AnchorState, anchor_after_commit, read_anchors
from vigie.audit.models import Chain, ChainHead, Checkpoint, Event

security_log = logging.getLogger("vigie.security")


@dataclass(frozen=True)
class ObjectRef:
    type: str
    id: str = ""


def object_ref(obj: models.Model | ObjectRef | None) -> ObjectRef:
    if obj is None:
        return ObjectRef("")
    if isinstance(obj, ObjectRef):
        return obj
    return ObjectRef(obj._meta.label_lower, str(obj.pk))


def record_event(
    actor: Actor,
    action: Action | str,
    obj: models.Model | ObjectRef | None = None,
    *,
    ip: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Event:
    """Append one event to its chain, inside the caller's transaction.

    ``extra`` carries references and counts (field names, scopes, ids), never
    personal data: the log must stay shareable with an auditor (CNIL 2021-122).
    """
    ref = object_ref(obj)
    chain = Chain.READ if str(action) in READ_ACTIONS else Chain.CHANGE
    address = _normal_ip(ip if ip is not None else actor.ip)
    details = _normal_extra(extra or {})
    # Inside the caller's transaction no savepoint of its own (two round trips fewer):
    # the event is part of that transaction and fails with it.
    with transaction.atomic(savepoint=False):
        # Lock the chain head: appenders queue here, so the chain never forks.
        head = ChainHead.objects.select_for_update().filter(chain=chain).first()
        if head is None:
            # First event ever on this chain; get_or_create settles a race between
            # two first writers, then the row is locked like any other time.
            ChainHead.objects.get_or_create(
                chain=chain,
                defaults={
                    "seq": 0,
                    "hash": hashing.GENESIS,
                    "mac": hashing.head_mac(chain, 0, hashing.GENESIS),
                },
            )
            head = ChainHead.objects.select_for_update().get(chain=chain)
        fields: dict[str, Any] = {
            "chain": chain.value,
            "seq": head.seq + 1,
            "occurred_at": timezone.now(),
            "actor_type": actor.kind,
            "actor_id": actor.id,
            "action": str(action),
            "object_type": ref.type,
            "object_id": ref.id,
            "ip": address,
            "extra": details,
            "prev_hash": head.hash,
        }
        event = Event(**fields, hash=hashing.event_hash(fields))
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.mac = hashing.head_mac(chain, head.seq, head.hash)
        head.save()
        # A copy of the new head goes to the key store once this commits (anchoring.py).
        anchor_after_commit(chain, head.seq, head.hash, (event.seq - 1, event.prev_hash))
    return event


def _normal_ip(value: str | None) -> str | None:
    """The form the database gives back (IPv6 compressed, lower case), so the hash holds."""
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return None


def _normal_extra(extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` as it will read back from a JSON column: string keys, no floats.

    Floats are refused because PostgreSQL's jsonb may give them back in another
    form (1e16 → 10000000000000000), which would break the hash of an intact event.
    """

    def check(value: Any) -> None:
        if isinstance(value, float):
            raise TypeError("audit extra must not hold floats; use strings or integers")
        if isinstance(value, dict):
            for item in value.values():
                check(item)
        elif isinstance(value, list):
            for item in value:
                check(item)

    check(extra)
    normal: dict[str, Any] = json.loads(json.dumps(extra, default=str))
    return normal


def record_read(
    actor: Actor, obj: models.Model | ObjectRef, *, view: str, extra: dict[str, Any] | None = None
) -> Event:
    """Journal that ``actor`` was shown ``obj``'s personal data on ``view`` (R29)."""
    return record_event(
        actor, Action.PERSONAL_DATA_READ, obj, extra={"view": view, **(extra or {})}
    )


@dataclass(frozen=True)
class Problem:
    chain: str
    event_id: int | None
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"event #{self.event_id} ({self.chain} chain, seq {self.seq})"
        if self.event_id is None:
            where = f"{self.chain} chain" + (f" after seq {self.seq}" if self.seq else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Verification:
    checked: int
    problem: Problem | None
    #: Chains whose anchor in the key store was found and matched (see anchoring.py).
    anchored: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chains(chains: Iterable[str] = (Chain.CHANGE, Chain.READ)) -> Verification:
    """Walk each chain in order; report the first event that breaks it, or a chain
    shorter than its anchor in the key store (an emptied or cut-back log)."""
    checked = 0
    # The anchors first: one written while the chains are walked is behind what the
    # walk sees, never ahead of it.
    try:
        anchors = read_anchors()
    except DatabaseError as error:
        unreadable = Problem(
            "change", None, None, f"the anchor in the key store cannot be read ({error})"
        )
        security_log.error("audit chain not verified: %s", unreadable)
        return Verification(0, unreadable)
    stray = Event.objects.exclude(chain__in=list(Chain.values)).order_by("pk").first()
    if stray is not None:
        inserted = Problem(stray.chain, stray.pk, stray.seq, "belongs to no known chain (inserted)")
        security_log.error("audit chain broken: %s", inserted)
        return Verification(0, inserted)
    anchored = []
    for name in chains:
        count, problem = _verify_chain(name, anchors.get(name))
        checked += count
        if problem is not None:
            security_log.error("audit chain broken: %s", problem)
            return Verification(checked, problem)
        if name in anchors:
            anchored.append(name)
    return Verification(checked, None, tuple(anchored))


def _verify_chain(name: str, anchor: AnchorState | None) -> tuple[int, Problem | None]:
    if anchor is not None and not anchor.valid:
        return 0, Problem(name, None, anchor.seq, "its anchor in the key store has a bad signature")
    for _attempt in range(3):
        checkpoints = list(Checkpoint.objects.filter(chain=name).order_by("seq"))
        checked, problem, last_seq = _walk_events(name, anchor, checkpoints)
        if problem is None or Checkpoint.objects.filter(chain=name).count() == len(checkpoints):
            break
        # The purge committed a batch during the walk (a new checkpoint, its events
        # gone): walk again from it rather than report them as deleted.
    if problem is None and anchor is not None and last_seq < anchor.seq:
        # Emptied or cut back, heads and checkpoints included: only the anchor, out of
        # the main database's reach, still knows how long the chain was.
        problem = Problem(
            name,
            None,
            last_seq,
            f"the log ends at seq {last_seq} but was anchored at seq {anchor.seq} "
            "in the key store: events were deleted",
        )
    return checked, problem


def _walk_events(
    name: str, anchor: AnchorState | None, checkpoints: list[Checkpoint]
) -> tuple[int, Problem | None, int]:
    """Walk one chain from its last checkpoint; return the events checked, the first
    problem and the last seq verified. The chain must go through its anchored link.

    The head is read first and the walk stops there: an event another process appends
    while the walk goes on lies past it and is left to the next run, instead of being
    taken for a head pointing at missing events."""
    head = ChainHead.objects.filter(chain=name).first()
    expected_seq, link = 1, hashing.GENESIS
    for cp in checkpoints:
        mac = hashing.checkpoint_mac(name, cp.seq, cp.hash, cp.cutoff, cp.purged_count)
        if mac != cp.mac:
            return 0, Problem(name, None, cp.seq, f"checkpoint #{cp.pk} has a bad signature"), 0
        if anchor is not None and cp.seq == anchor.seq and cp.hash != anchor.hash:
            return 0, Problem(name, None, cp.seq, "checkpoint does not match the anchor"), 0
        expected_seq, link = cp.seq + 1, cp.hash

    checked = 0
    anchor_seq, anchor_hash = (anchor.seq, anchor.hash) if anchor is not None else (None, None)
    events = Event.objects.filter(chain=name).order_by("seq")
    if head is not None:
        events = events.filter(seq__lte=head.seq)
    for event in events.iterator(chunk_size=2000):
        problem = _check_event(event, expected_seq, link)
        if problem is None and event.seq == anchor_seq and event.hash != anchor_hash:
            problem = Problem(name, event.pk, event.seq, "is not the event anchored here")
        if problem is not None:
            return checked, problem, 0
        checked += 1
        expected_seq, link = event.seq + 1, event.hash

    last_seq = expected_seq - 1
    if head is None:
        if last_seq > 0:
            return checked, Problem(name, None, last_seq, "the chain head is missing"), 0
        return checked, None, last_seq
    if head.mac != hashing.head_mac(name, head.seq, head.hash):
        return checked, Problem(name, None, head.seq, "the chain head has a bad signature"), 0
    if head.seq != last_seq or head.hash != link:
        return (
            checked,
            Problem(
                name,
                None,
                last_seq,
                f"the chain head is at seq {head.seq}: events {last_seq + 1}..{head.seq} "
                "are missing",
            ),
            0,
        )
    # Past the head: appended since it was read (the head has moved on since), or put
    # there behind the log's back (it has not).
    beyond = Event.objects.filter(chain=name, seq__gt=head.seq).order_by("seq").first()
    if beyond is not None:
        now = ChainHead.objects.filter(chain=name).values_list("seq", flat=True).first()
        if now is None or now < beyond.seq:
            problem = _check_event(beyond, expected_seq, link) or Problem(
                name, beyond.pk, beyond.seq, "lies past the chain head"
            )
            return checked, problem, 0
    return checked, None, last_seq


def _check_event(event: Event, expected_seq: int, link: str) -> Problem | None:
    def problem(message: str) -> Problem:
        return Problem(event.chain, event.pk, event.seq, message)

    if event.seq < expected_seq:
        return problem("inserted before the last purge checkpoint")
    if event.seq != expected_seq:
        missing = (
            f"{expected_seq}"
            if event.seq == expected_seq + 1
            else f"{expected_seq}..{event.seq - 1}"
        )
        return problem(f"previous event(s) missing (seq {missing} deleted)")
    if event.prev_hash != link:
        return problem("does not link to the previous event (inserted or re-ordered)")
    fields = {
        f: getattr(event, f)
        for f in (
            "chain",
            "seq",
            "occurred_at",
            "actor_type",
            "actor_id",
            "action",
            "object_type",
            "object_id",
            "ip",
            "extra",
            "prev_hash",
        )
    }
    if hashing.event_hash(fields) != event.hash:
        return problem("content does not match its hash (edited or forged)")
    return None


def purge_read_events(actor: Actor, *, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete read events older than the retention (R29: 6 months rolling).

    Only a prefix of the read chain goes, one bounded batch per transaction; each
    batch leaves a signed checkpoint naming its last deleted link, so ``verify``
    keeps working and an interrupted purge can simply be run again.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_READ_RETENTION_DAYS)
    purged = 0
    while True:
        with transaction.atomic():
            # The head row is locked for the whole batch: no append can slip in.
            ChainHead.objects.select_for_update().filter(chain=Chain.READ).first()
            read_events = Event.objects.filter(chain=Chain.READ)
            # A prefix of the chain, even if the clock once went backwards: stop
            # before the first event that is still within retention.
            first_kept = (
                read_events.filter(occurred_at__gte=cutoff).order_by("seq").values("seq")[:1]
            )
            candidates = read_events.order_by("seq")
            if first_kept:
                candidates = candidates.filter(seq__lt=first_kept[0]["seq"])
            batch = list(candidates.values_list("seq", "hash")[:batch_size])
            if not batch:
                break
            last_seq, last_hash = batch[-1]
            checkpoint = Checkpoint(
                chain=Chain.READ,
                seq=last_seq,
                hash=last_hash,
                cutoff=cutoff,
                purged_count=len(batch),
                created_at=timezone.now(),
            )
            checkpoint.mac = hashing.checkpoint_mac(
                Chain.READ, last_seq, last_hash, cutoff, len(batch)
            )
            checkpoint.save()
            _delete_read_prefix(last_seq)
            # The purge leaves its own trace in the same transaction as the deletion.
            record_event(
                actor,
                Action.AUDIT_PURGE,
                ObjectRef("audit.checkpoint", str(checkpoint.pk)),
                extra={"purged": len(batch), "up_to_seq": last_seq, "cutoff": cutoff.isoformat()},
            )
            purged += len(batch)
    return purged


def _delete_read_prefix(last_seq: int) -> None:
    """Delete read events up to ``last_seq``, past the ORM guard and the DB trigger."""
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A function running with its owner's rights: the application's role has no
            # DELETE on the log (docs/deployment.md). It sets the flag the trigger wants,
            # for this transaction only; the trigger still lets only old read events go.
            cursor.execute("SELECT vigie_audit_purge_read(%s)", [last_seq])
            return
        cursor.execute(
            f"DELETE FROM {table} WHERE chain = %s AND seq <= %s",  # noqa: S608
            [Chain.READ.value, last_seq],
        )


@dataclass(frozen=True)
class LastVerification:
    """The latest verification of the chains, as journaled by whoever ran it."""

    at: datetime
    ok: bool
    checked: int
    # Events appended since: not covered by that verification.
    since: int


def last_verification() -> LastVerification | None:
    """The outcome of the latest ``verify`` (back-office button or ``vigie audit verify``)."""
    event = Event.objects.filter(action=Action.AUDIT_VERIFY).order_by("-pk").first()
    if event is None:
        return None
    since = Event.objects.filter(pk__gt=event.pk).count()
    return LastVerification(
        at=event.occurred_at,
        ok=bool(event.extra.get("ok")),
        checked=int(event.extra.get("checked") or 0),
        since=since,
    )
