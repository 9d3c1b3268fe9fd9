"""Append a consent event and update the derived subscription state (R34, R75).

The building blocks of ``services``: an event always carries the R34 proof (who,
what, exact wording, policy version in force, channel, time, IP, method,
collector) and the state row changes with it, in the caller's transaction, under
a lock on the person's row.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vigie.audit.actor import Actor
from vigie.consent.models import ConsentEvent, Kind, Method, Subscription
from vigie.lib.purposes import Purpose
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, email_index, open_person
from vigie.policy.services import current_version

#: Actor kinds that are the data subject acting for themselves (public pages).
SUBJECT_KINDS = frozenset({"subject", "anonymous"})


class ConsentError(ValueError):
    """The consent action cannot be done as asked; the message says why."""


def collector(actor: Actor) -> str:
    if actor.kind in SUBJECT_KINDS:
        return "subject"
    return f"{actor.kind}:{actor.id}"[:80]


def normal_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        raise ConsentError(_("Not an IP address: %(ip)s") % {"ip": value}) from None


def policy_number(at: datetime) -> int | None:
    """R75: the number of the policy version in force when the person acted."""
    version = current_version(at=at)
    return version.number if version is not None else None


def address_of(person: Person) -> str:
    try:
        return open_person(person).email
    except PersonUnavailable:
        return ""


def addresses_of(person: Person) -> list[str]:
    """Every e-mail address of the person (main first); none once shredded."""
    try:
        return open_person(person).emails
    except PersonUnavailable:
        return []


def check_purpose(purpose: str) -> None:
    if purpose not in Purpose.values:
        raise ConsentError(_("Unknown purpose: %(purpose)s") % {"purpose": purpose})


def check_method(method: str) -> None:
    if method not in Method.values:
        raise ConsentError(_("Unknown method: %(method)s") % {"method": method})


def lock_person(person: Person) -> dict[str, Subscription]:
    """Lock the person's row (serialising their consent changes); their subscriptions."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    subs: QuerySet[Subscription] = Subscription.objects.filter(person=person)
    return {sub.purpose: sub for sub in subs}


def forget_subscriptions(person: Person) -> int:
    """Delete the person's derived subscription state, for an erasure (Art. 17); the
    consent events it was derived from stay, as proof (Art. 7(1))."""
    deleted, _detail = Subscription.objects.filter(person=person).delete()
    return deleted


@dataclass(frozen=True)
class Act:
    """Who did what, where and how: the R34 fields common to every event."""

    actor: Actor
    method: str
    channel: str = ""
    ip: str | None = None
    wording: str = ""
    proof_ref: str = ""


def append_event(
    act: Act,
    person: Person,
    purpose: str,
    kind: str,
    at: datetime,
    *,
    address: str,
    confirms: ConsentEvent | None = None,
    policy_version: int | None = None,
) -> ConsentEvent:
    event = ConsentEvent(
        person=person,
        email_index=email_index(address) if address else "",
        purpose=purpose,
        kind=kind,
        wording=act.wording,
        policy_version=policy_version if confirms is not None else policy_number(at),
        channel=act.channel[:500],
        occurred_at=at,
        ip=normal_ip(act.ip),
        method=act.method,
        collector=collector(act.actor),
        proof_ref=act.proof_ref[:200],
        confirms=confirms,
        confirmed_at=at if kind == Kind.CONFIRM else None,
    )
    event.save()
    return event


def set_state(
    subs: dict[str, Subscription],
    person: Person,
    purpose: str,
    status: str,
    event: ConsentEvent,
    *,
    soft_opt_in: bool = False,
    expires: datetime | None = None,
    before_pending: str = "",
) -> Subscription:
    sub = subs.get(purpose)
    if sub is None:
        sub = Subscription(person=person, purpose=purpose, since=event.occurred_at)
        subs[purpose] = sub
    elif sub.status != status:
        sub.since = event.occurred_at
    sub.status = status
    sub.soft_opt_in = soft_opt_in
    sub.pending_expires_at = expires
    sub.status_before_pending = before_pending
    sub.last_event = event
    sub.save()
    return sub
