"""Record consent, double opt-in, withdrawal, objection and unsubscribes (Art. 7, 21; R34-R44).

Every change appends a ``ConsentEvent`` (the proof), updates the derived
``Subscription`` and records the audit event in one transaction. Changes to one
person's marketing state are serialised by locking the person's row, so that two
one-click POSTs arriving together still make a single event.

Unsubscribes and objections put a keyed hash of the address on the suppression
list (R41). Staff, API clients and imports can never lift it (R43): only the person,
by confirming a double opt-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.consent.actions import ConsentAction, Verb, consent_action
from vigie.consent.audience import Reason, Result, check_audience
from vigie.consent.ledger import (
    SUBJECT_KINDS,
    Act,
    ConsentError,
    address_of,
    addresses_of,
    append_event,
    check_method,
    check_purpose,
    lock_person,
    set_state,
)
from vigie.consent.models import (
    ConsentEvent,
    Kind,
    Method,
    Status,
    Subscription,
    SuppressionReason,
)
from vigie.consent.segments import remove_from_every_segment
from vigie.consent.suppression import (
    active_entries,
    is_suppressed,
    lift_suppression,
    suppress_all,
)
from vigie.consent.wording import confirmation_wording
from vigie.lib import tokens
from vigie.lib.purposes import ALL_PURPOSES, Purpose
from vigie.people.models import Person, Source, SubjectType
from vigie.people.routers import KEYS_DB
from vigie.people.services import create_person, find_by_email

__all__ = [
    "ConsentError",
    "Reason",
    "Result",
    "check_audience",
    "confirm_double_opt_in",
    "is_suppressed",
    "object_to_marketing",
    "record_consent",
    "sign_up",
    "start_double_opt_in",
    "unsubscribe",
    "withdraw",
]

#: R43: an unconfirmed web sign-up expires after 7 days.
DOUBLE_OPT_IN_DAYS = 7
CONFIRM_SALT = "vigie.consent.double-opt-in"
#: R35: a soft opt-in is for existing clients, and only for the company's own offers.
SOFT_OPT_IN_PURPOSES = frozenset({Purpose.OFFRES})
CLIENT_TYPES = frozenset({SubjectType.CLIENT_INDIVIDUAL_B2C, SubjectType.CLIENT_CONTACT_B2B})
#: States in which marketing may not be switched back on except by the person (R43).
STOPPED = frozenset({Status.WITHDRAWN, Status.OBJECTED})


class ReservedToSubject(ConsentError):
    """R43: only the person, through the double opt-in, can re-enable marketing."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Action reserved to the person concerned: this address unsubscribed or "
                "objected. Only the person can subscribe again, through the sign-up form "
                "and its confirmation e-mail."
            )
        )


class ConfirmationInvalid(ConsentError):
    """A double opt-in link that is forged, unknown or superseded."""


class ConfirmationExpired(ConfirmationInvalid):
    """A double opt-in link older than 7 days (R43); ``purpose`` is the one the request
    was for (``""`` when its request is no longer on file), so the page can offer it again."""

    def __init__(self, message: Any, purpose: str = "") -> None:
        super().__init__(message)
        self.purpose = purpose


def _expired_purpose(token: str) -> str:
    """The purpose of the request behind an expired link (its signature was checked)."""
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT)
    except signing.BadSignature:
        return ""
    return (
        ConsentEvent.objects.filter(pk=pk, kind=Kind.PENDING)
        .values_list("purpose", flat=True)
        .first()
        or ""
    )


def subject_actor(ip: str | None = None) -> Actor:
    """The person acting for themselves from a public page or an e-mail link."""
    return Actor("subject", "", ip)


def send_confirmation_hook(person: Person, token: str) -> None:
    """Queue the double opt-in confirmation e-mail (a service message).

    Called once per started double opt-in with the person and the confirmation
    token. Nothing else is sent while the request is pending (R43).
    """
    from vigie.mail.services import queue_message

    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    queue_message(
        Actor.system("double opt-in"),
        person,
        "newsletter_confirmation",
        kind="service",
        # The pending event's id, not the link: the link is made at render time
        # (confirmation_context), so the outbox holds no working confirmation link.
        context={"pending": _pending_event_id(token)},
        language=language,
    )


def _pending_event_id(token: str) -> int:
    # The token was just made by start_double_opt_in: its signature is checked, not its age.
    return int(signing.loads(token, salt=CONFIRM_SALT))


def confirmation_path(token: str) -> str:
    return reverse("consent:confirm", args=[token])


def confirmation_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """The ``newsletter_confirmation`` e-mail's link, made at render time from the
    pending event's id (registered with mail by ``ConsentConfig.ready``). Its 7 days
    (R43) run from the pending event, checked at confirmation, whatever the token's age."""
    from vigie.mail.rendering import RenderError

    pending = ConsentEvent.objects.filter(pk=int(refs["pending"]), kind=Kind.PENDING).first()
    if pending is None:
        raise RenderError("PENDING_GONE: the double opt-in request is not on file")
    token = signing.dumps(pending.pk, salt=CONFIRM_SALT)
    # The purpose asked for, in its own words (each purpose its wording, issue 10).
    wording = confirmation_wording(pending.purpose, language)
    return {
        "confirm_url": settings.SITE_URL.rstrip("/") + confirmation_path(token),
        "confirmation_subject": wording["subject"],
        "confirmation_request": wording["request"],
    }


# -- Consent ------------------------------------------------------------------------------


def record_consent(
    actor: Actor,
    person: Person,
    purpose: str,
    *,
    wording: str,
    method: str,
    channel: str = "",
    ip: str | None = None,
    proof_ref: str = "",
    occurred_at: datetime | None = None,
    soft_opt_in: bool = False,
) -> ConsentEvent:
    """Record a consent given to ``actor`` (Art. 7(1), R34), or a flagged soft opt-in (R35).

    Refused with ``ReservedToSubject`` when the address is suppressed or the person
    withdrew or objected: staff, API clients and imports cannot re-enable
    marketing (R43).
    """
    check_purpose(purpose)
    check_method(method)
    if not wording.strip():
        raise ConsentError(_("The exact wording shown to the person is required (R34)."))
    at = occurred_at or timezone.now()
    if at > timezone.now():
        raise ConsentError(_("A consent cannot be dated in the future."))
    if soft_opt_in:
        if purpose not in SOFT_OPT_IN_PURPOSES:
            raise ConsentError(_("A soft opt-in covers only the company's own offers (offres)."))
        if not set(person.subject_types) & CLIENT_TYPES:
            raise ConsentError(_("A soft opt-in is only for an existing client."))
    address = address_of(person)
    act = Act(actor, method, channel, ip, wording, proof_ref)
    with transaction.atomic():
        subs = lock_person(person)
        current = subs.get(purpose)
        if (address and is_suppressed(address, purpose)) or (
            current is not None and current.status in STOPPED
        ):
            raise ReservedToSubject()
        kind = Kind.SOFT_OPT_IN if soft_opt_in else Kind.GRANT
        event = append_event(act, person, purpose, kind, at, address=address)
        # A soft opt-in never downgrades a real consent.
        keeps_consent = (
            current is not None and current.status == Status.SUBSCRIBED and not current.soft_opt_in
        )
        set_state(
            subs,
            person,
            purpose,
            Status.SUBSCRIBED,
            event,
            soft_opt_in=soft_opt_in and not keeps_consent,
        )
        verb = Verb.SOFT_OPT_IN if soft_opt_in else Verb.GRANT
        record_event(
            actor,
            consent_action(purpose, verb),
            person,
            extra={"event": event.pk, "method": method},
        )
    return event


#: A new sign-up within this time of the pending one sends no new confirmation e-mail.
CONFIRMATION_RESEND_AFTER = timedelta(hours=1)


def _confirmation_sent_lately(current: Subscription | None, at: datetime) -> bool:
    if current is None or current.status != Status.PENDING or current.pending_expires_at is None:
        return False
    asked_at = current.pending_expires_at - timedelta(days=DOUBLE_OPT_IN_DAYS)
    return at - asked_at < CONFIRMATION_RESEND_AFTER


def start_double_opt_in(
    actor: Actor,
    person: Person,
    purpose: str,
    *,
    wording: str,
    channel: str = "",
    ip: str | None = None,
) -> str | None:
    """Start a web sign-up: pending until confirmed, expiring after 7 days (R43).

    Returns the confirmation token, or None when the person is already subscribed or
    was sent a confirmation for this purpose less than an hour ago (the public page
    answers the same either way, so it reveals nothing). Nothing is sent meanwhile
    except the confirmation request itself.
    """
    check_purpose(purpose)
    if not wording.strip():
        raise ConsentError(_("The exact wording shown to the person is required (R34)."))
    address = address_of(person)
    if actor.kind not in SUBJECT_KINDS and address and is_suppressed(address, purpose):
        raise ReservedToSubject()
    at = timezone.now()
    act = Act(actor, Method.WEB_FORM, channel, ip, wording)
    with transaction.atomic():
        subs = lock_person(person)
        current = subs.get(purpose)
        if current is not None and current.status == Status.SUBSCRIBED:
            return None
        if _confirmation_sent_lately(current, at):
            # At most one confirmation e-mail per address and purpose an hour: a flood
            # of sign-ups must not become a flood of e-mails to someone's mailbox.
            return None
        before = ""
        if current is not None:
            before = (
                current.status_before_pending
                if current.status == Status.PENDING
                else current.status
            )
        event = append_event(act, person, purpose, Kind.PENDING, at, address=address)
        set_state(
            subs,
            person,
            purpose,
            Status.PENDING,
            event,
            expires=at + timedelta(days=DOUBLE_OPT_IN_DAYS),
            before_pending=before,
        )
        record_event(
            actor, consent_action(purpose, Verb.PENDING), person, extra={"event": event.pk}
        )
    return signing.dumps(event.pk, salt=CONFIRM_SALT)


def sign_up(
    actor: Actor,
    *,
    email: str,
    first_name: str,
    purpose: str,
    wording: str,
    channel: str = "",
    ip: str | None = None,
) -> Person:
    """A web sign-up in one transaction: find or create the person, start the double
    opt-in (R43) and queue its confirmation e-mail. A failure at any step leaves
    nothing written: no person without their pending consent, no pending consent
    without its e-mail. Raises ``InvalidPerson`` for an address that is not one."""
    # The person's data key lives in the keys database: its transaction is the inner
    # one, so that it commits first; should the main commit then fail, what remains is
    # a key with nothing sealed under it, never a person whose key is missing.
    with transaction.atomic(), transaction.atomic(using=KEYS_DB):
        person = find_by_email(email) or create_person(
            actor,
            email=email,
            first_name=first_name,
            subject_types=[SubjectType.NEWSLETTER_SUBSCRIBER],
            source=Source.SUBJECT,
        )
        token = start_double_opt_in(actor, person, purpose, wording=wording, channel=channel, ip=ip)
        if token is not None:
            send_confirmation_hook(person, token)
    return person


def confirm_double_opt_in(token: str, *, ip: str | None = None, channel: str = "") -> Subscription:
    """The person clicked the confirmation link: subscribe them (R43).

    Lifts the suppression for that purpose only: this is the one way back in after
    an unsubscribe or an objection. A second click changes nothing.
    """
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(days=DOUBLE_OPT_IN_DAYS))
    except signing.SignatureExpired:
        raise ConfirmationExpired(
            _("This confirmation link has expired."), _expired_purpose(token)
        ) from None
    except signing.BadSignature:
        raise ConfirmationInvalid(_("This confirmation link is not valid.")) from None
    pending = ConsentEvent.objects.filter(pk=pk, kind=Kind.PENDING).select_related("person").first()
    if pending is None:
        raise ConfirmationInvalid(_("This confirmation link is not valid."))
    person = pending.person
    at = timezone.now()
    actor = subject_actor(ip)
    with transaction.atomic():
        subs = lock_person(person)
        current = subs.get(pending.purpose)
        if ConsentEvent.objects.filter(confirms=pending).exists() and current is not None:
            return current
        if (
            current is not None
            and current.last_event_id == pk
            and current.status != Status.PENDING
            and current.pending_expires_at is not None
        ):
            # Marked expired by the daily job (consent.expiry).
            raise ConfirmationExpired(_("This confirmation link has expired."), pending.purpose)
        if current is None or current.status != Status.PENDING or current.last_event_id != pk:
            raise ConfirmationInvalid(_("This confirmation link was replaced by a newer one."))
        if current.pending_expires_at is not None and at > current.pending_expires_at:
            raise ConfirmationExpired(_("This confirmation link has expired."), pending.purpose)
        address = address_of(person)
        act = Act(actor, Method.WEB_FORM, channel, ip, pending.wording)
        event = append_event(
            act,
            person,
            pending.purpose,
            Kind.CONFIRM,
            at,
            address=address,
            confirms=pending,
            policy_version=pending.policy_version,
        )
        sub = set_state(subs, person, pending.purpose, Status.SUBSCRIBED, event)
        lifted = lift_suppression(address, pending.purpose, at, event)
        record_event(
            actor,
            consent_action(pending.purpose, Verb.CONFIRM),
            person,
            extra={"event": event.pk, "suppression_lifted": lifted},
        )
    return sub


# -- Withdrawal and objection ---------------------------------------------------------------


def withdraw(
    actor: Actor,
    person: Person,
    purpose: str,
    *,
    method: str,
    channel: str = "",
    ip: str | None = None,
    proof_ref: str = "",
    wording: str = "",
) -> ConsentEvent | None:
    """Withdraw consent for one purpose (Art. 7(3)); None when already stopped.

    The address goes on the suppression list for that purpose (R41). No
    justification is asked (R40).
    """
    check_purpose(purpose)
    check_method(method)
    addresses = addresses_of(person)
    address = addresses[0] if addresses else ""
    at = timezone.now()
    act = Act(actor, method, channel, ip, wording, proof_ref)
    with transaction.atomic():
        subs = lock_person(person)
        current = subs.get(purpose)
        if current is not None and current.status in STOPPED:
            # Idempotent (R39): the first unsubscribe time is kept, no new event.
            suppress_all(addresses, purpose, SuppressionReason.UNSUBSCRIBED, at)
            return None
        event = append_event(act, person, purpose, Kind.WITHDRAW, at, address=address)
        set_state(subs, person, purpose, Status.WITHDRAWN, event)
        suppress_all(addresses, purpose, SuppressionReason.UNSUBSCRIBED, at)
        record_event(
            actor,
            consent_action(purpose, Verb.WITHDRAW),
            person,
            extra={"event": event.pk, "method": method},
        )
    return event


def object_to_marketing(
    actor: Actor,
    person: Person,
    *,
    method: str,
    channel: str = "",
    ip: str | None = None,
    proof_ref: str = "",
    wording: str = "",
) -> ConsentEvent | None:
    """Record an objection to all direct marketing (Art. 21(2)-(3), R42).

    Absolute: every purpose becomes ``objected`` (so the person drops out of every
    audience and segment), the address is suppressed for all lists, and no
    balancing assessment is involved. None when the person had already objected.
    """
    check_method(method)
    addresses = addresses_of(person)
    address = addresses[0] if addresses else ""
    at = timezone.now()
    act = Act(actor, method, channel, ip, wording, proof_ref)
    with transaction.atomic():
        subs = lock_person(person)
        if all(
            subs.get(p) is not None and subs[p].status == Status.OBJECTED for p in Purpose.values
        ):
            suppress_all(addresses, ALL_PURPOSES, SuppressionReason.OBJECTED, at)
            return None
        event = append_event(act, person, ALL_PURPOSES, Kind.OBJECT, at, address=address)
        for purpose in Purpose.values:
            set_state(subs, person, purpose, Status.OBJECTED, event)
        suppress_all(addresses, ALL_PURPOSES, SuppressionReason.OBJECTED, at)
        removed = remove_from_every_segment(person)
        record_event(
            actor,
            ConsentAction.OBJECT,
            person,
            extra={"event": event.pk, "method": method, "segments_left": removed},
        )
    return event


@dataclass(frozen=True)
class Unsubscribed:
    purpose: str
    changed: bool


def unsubscribe(
    token: str,
    *,
    ip: str | None = None,
    everything: bool = False,
    channel: str = "",
    method: str = Method.UNSUBSCRIBE_PAGE,
) -> Unsubscribed:
    """One-click unsubscribe from an e-mail link (RFC 8058, R39); idempotent.

    A token for ``all`` purposes, or ``everything``, is an objection to all
    marketing ("ne plus recevoir aucun e-mail commercial"). A repeat changes
    nothing and records nothing. ``method`` says how it came (the one-click POST of a
    mail client, or the page's button) and is stored on the event. Raises
    ``tokens.BadToken`` for a bad link.
    """
    link = tokens.read_token(token)
    if link.purpose not in {*Purpose.values, ALL_PURPOSES}:
        raise tokens.BadToken("unknown purpose")
    person = Person.objects.filter(pk=link.person_id).first()
    if person is None:
        raise tokens.BadToken("unknown person")
    actor = subject_actor(ip)
    if everything or link.purpose == ALL_PURPOSES:
        event = object_to_marketing(actor, person, method=method, channel=channel, ip=ip)
        return Unsubscribed(ALL_PURPOSES, event is not None)
    event = withdraw(actor, person, link.purpose, method=method, channel=channel, ip=ip)
    return Unsubscribed(link.purpose, event is not None)


def already_unsubscribed(person: Person, purpose: str) -> bool:
    """Whether an unsubscribe link has nothing left to do (R39): the person withdrew
    from ``purpose`` or objected (for an ``all`` link: objected to everything)."""
    states = dict(Subscription.objects.filter(person=person).values_list("purpose", "status"))
    if purpose == ALL_PURPOSES:
        return bool(states) and all(states.get(p) == Status.OBJECTED for p in Purpose.values)
    return states.get(purpose) in STOPPED


def objected(person: Person) -> bool:
    """Whether the person objected to all marketing (every purpose ``objected``)."""
    return already_unsubscribed(person, ALL_PURPOSES)


def person_for_token(token: str) -> tuple[Person, str]:
    """The person and purpose of a signed e-mail link; ``tokens.BadToken`` otherwise."""
    link = tokens.read_token(token)
    if link.purpose not in {*Purpose.values, ALL_PURPOSES}:
        raise tokens.BadToken("unknown purpose")
    person = Person.objects.filter(pk=link.person_id, shredded_at__isnull=True).first()
    if person is None:
        raise tokens.BadToken("unknown person")
    return person, link.purpose


def subscription_states(person: Person) -> dict[str, Subscription]:
    return {sub.purpose: sub for sub in Subscription.objects.filter(person=person)}


@dataclass(frozen=True)
class ConsentActivity:
    given: int
    unsubscribed: int
    suppressed: int


def consent_activity(since: datetime) -> ConsentActivity:
    """Consents given and unsubscribes/objections since ``since``, and the size of the
    suppression list (distinct addresses), in two queries (the back-office home)."""
    events = ConsentEvent.objects.filter(occurred_at__gte=since).aggregate(
        given=Count("pk", filter=Q(kind__in=[Kind.GRANT, Kind.CONFIRM])),
        unsubscribed=Count("pk", filter=Q(kind__in=[Kind.WITHDRAW, Kind.OBJECT])),
    )
    suppressed = active_entries().values("address_hash").distinct().count()
    return ConsentActivity(events["given"], events["unsubscribed"], suppressed)


def check_audience_as(actor: Actor, purpose: str, addresses: list[str]) -> list[Result]:
    """``check_audience`` for an API client or a user, with an audit event (counts only)."""
    results = check_audience(purpose, addresses)
    with transaction.atomic():
        record_event(
            actor,
            ConsentAction.AUDIENCE_CHECK,
            extra={
                "purpose": purpose,
                "addresses": len(results),
                "allowed": sum(r.allowed for r in results),
            },
        )
    return results
