"""What mail needs from the domains, as small protocols the domains register at start-up.

Mail is infrastructure: it imports no domain app (DESIGN.md, layers). Yet at send
time it must open a recipient's address, and before any marketing message it must
ask whether that person may receive it. So mail declares here what it needs and
the domain apps register their answer in their ``AppConfig.ready()``:

- an *address resolver* per kind of recipient: ``person`` (people), ``organisation``
  (people: the organisation's contact mailbox) and ``recipient`` (register: a
  recipient's privacy contact, by its register key). It opens the address, name
  and language when the message is sent, never before: the outbox stores only the
  reference (R30);
- the *marketing gate*: may these persons receive marketing for this purpose now?
  (consent: R35, R36, R41, R42). With no gate registered, no marketing goes out at
  all: the safe default;
- *context builders*: a template that refers to a domain object by id (a policy
  version) gets its values from the domain that owns it, at render time;
- *delivery listeners*: a domain that must know whether a message of one of its
  templates reached the mail server (an Art. 14 notice counts only once delivered,
  R9) is told of each outcome, in the transaction that records it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

#: The kinds of recipient a message may go to.
PERSON = "person"
ORGANISATION = "organisation"
RECIPIENT = "recipient"
#: A staff account (a privacy lead told of a role awaiting confirmation): the
#: address is the account's, read at send time (``mail.staff_notices``).
STAFF = "staff"
#: Whoever filed a rights request, known or not (a case's sealed contact address,
#: opened by the rights domain at send time): the neutral reply to an address Vigie
#: does not know must reach it without making it a person (R48).
REQUESTER = "requester"
KINDS = (PERSON, ORGANISATION, RECIPIENT, STAFF, REQUESTER)


@dataclass(frozen=True)
class Address:
    """A recipient as opened at send time: never stored."""

    email: str
    first_name: str = ""
    last_name: str = ""
    #: For an organisation or a register recipient: its name, for the greeting.
    name: str = ""


class Unreachable(Exception):
    """The recipient cannot be written to; ``reason`` is a code for the outbox."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class To:
    """Whom a message goes to, by reference only: a person's id, an organisation's id
    or a register recipient's key."""

    kind: str
    ref: str

    @classmethod
    def of(cls, value: To | models.Model) -> To:
        """A ``To`` as is, or a Person / Organisation row (mail cannot import their
        classes, so the row is recognised by its model name)."""
        if isinstance(value, To):
            return value
        if isinstance(value, models.Model):
            name = value._meta.model_name
            if name in (PERSON, ORGANISATION):
                return cls(name, str(value.pk))
            if name == "user":
                return cls(STAFF, str(value.pk))
        raise TypeError(f"cannot address a message to {value!r}")

    @classmethod
    def recipient(cls, key: str) -> To:
        return cls(RECIPIENT, key)

    @classmethod
    def requester(cls, case_id: str) -> To:
        """The requester of a rights case, by the case's id."""
        return cls(REQUESTER, case_id)


@dataclass(frozen=True)
class Outcome:
    """What became of one message: ``status`` is ``sent`` (the server accepted it),
    ``failed`` or ``refused``; ``reason`` the outbox's reason (no address in it)."""

    message: uuid.UUID
    to: To
    template: str
    status: str
    at: datetime
    reason: str = ""


Resolver = Callable[[str], Address]
#: (person ids, purpose) → {person id: (allowed, reason code)}
MarketingGate = Callable[[Sequence[uuid.UUID], str], dict[uuid.UUID, tuple[bool, str]]]
ContextBuilder = Callable[[dict[str, Any], str], dict[str, Any]]
DeliveryListener = Callable[[Outcome], None]

_resolvers: dict[str, Resolver] = {}
_gate: MarketingGate | None = None
_builders: dict[str, ContextBuilder] = {}
_listeners: dict[str, DeliveryListener] = {}


def register_resolver(kind: str, resolver: Resolver) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown recipient kind {kind!r}")
    _resolvers[kind] = resolver


def register_marketing_gate(gate: MarketingGate | None) -> None:
    global _gate
    _gate = gate


def register_context_builder(template: str, builder: ContextBuilder) -> None:
    _builders[template] = builder


def context_builder(template: str) -> ContextBuilder | None:
    return _builders.get(template)


def register_delivery_listener(template: str, listener: DeliveryListener) -> None:
    """``listener`` is told the outcome of every message of ``template``."""
    _listeners[template] = listener


def tell_outcome(outcome: Outcome) -> None:
    """Called by delivery inside the transaction that records the outcome: the
    listener's writes commit with it, or not at all."""
    listener = _listeners.get(outcome.template)
    if listener is not None:
        listener(outcome)


def resolve(to: To) -> Address:
    """Open the recipient's address now; raises ``Unreachable`` with a reason code."""
    resolver = _resolvers.get(to.kind)
    if resolver is None:
        raise Unreachable(f"NO_RESOLVER: nothing registered to address a {to.kind}")
    return resolver(to.ref)


def marketing_verdicts(
    person_ids: Sequence[uuid.UUID], purpose: str
) -> dict[uuid.UUID, tuple[bool, str]]:
    """The gate's verdict for each person; all refused when no gate is registered."""
    if _gate is None:
        return {pk: (False, "AUDIENCE_CHECK_UNAVAILABLE") for pk in person_ids}
    verdicts = _gate(list(person_ids), purpose)
    return {pk: verdicts.get(pk, (False, "UNKNOWN")) for pk in person_ids}


def marketing_allowed(person_id: uuid.UUID, purpose: str) -> tuple[bool, str]:
    """May this person receive marketing for ``purpose`` now? (allowed, reason code)."""
    return marketing_verdicts([person_id], purpose)[person_id]
