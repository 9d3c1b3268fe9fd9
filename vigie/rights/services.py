"""Rights requests: the only door other apps and the views use (R46–R50, R78–R80).

Every step is one transaction that writes the case, its timeline entry and the audit
event together; letters go through the mail outbox in the same transaction (service
mail, never marketing), so a step and its letter exist together or not at all.

Identity (R48, correcting the policy's weak point L2): no document by default.
A request is verified at once when it comes from a signed-in personal space, from the
address on file written to the privacy mailbox, or when a member of staff records how
they know the person. Otherwise a confirmation link goes **to the address on file**
(never to the address the request came from, which gets a neutral reply that neither
confirms nor denies that data is held), and until it is answered nothing is disclosed
or erased. When the request came from an address Vigie does not know, the clock is
suspended from that challenge to the answer (R48 ``suspended_from/to``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_event, record_read
from vigie.lib import bounds
from vigie.lib.legal_calendar import (
    DeadlineError,
    Extension,
    RequestClock,
    Suspension,
    outer_limit,
    paris_day,
)
from vigie.mail.addressing import To, Unreachable, resolve
from vigie.mail.models import Kind
from vigie.mail.services import queue_message
from vigie.people.models import Person
from vigie.people.services import email_index, find_by_email
from vigie.rights.actions import RightsAction
from vigie.rights.art19 import check_notices_ended
from vigie.rights.links import challenge_token, read_challenge_token
from vigie.rights.models import (
    OWN_DEADLINE_TYPES,
    Case,
    CaseCounter,
    CaseEvent,
    Challenge,
    Channel,
    Decision,
    IdentityMethod,
    IdentityStatus,
    Letter,
    Outcome,
    RequestType,
    Status,
)
from vigie.rights.sealing import (
    Requester,
    open_description,
    open_requester,
    seal_description,
    seal_requester,
)

#: A challenge link stays valid this long; the case closes unanswered after
#: ``VIGIE_RIGHTS_IDENTITY_DAYS`` (R48: 30 days by default).
CHALLENGE_DAYS = 30
MAX_DESCRIPTION = 10_000


class RightsError(ValueError):
    """A step the rules do not allow; the text is for the person who asked."""


class NotAllowed(PermissionError):
    """The actor's role does not allow this step (R49: refusals are the privacy lead's)."""


# -- reading --------------------------------------------------------------------------------


def clock_of(case: Case) -> RequestClock:
    """The case's legal clock, rebuilt from what the case stores."""
    suspensions = tuple(
        Suspension(datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
        for start, end in case.suspensions
    )
    extension = Extension(case.extended_at, case.extension_reasons) if case.extended_at else None
    return RequestClock(case.received_at, suspensions, extension)


def requester_of(case: Case) -> Requester:
    return open_requester(case.id, case.requester_sealed)


@dataclass(frozen=True)
class CaseView:
    """A case as a page shows it: the sealed parts opened (the read is journaled)."""

    case: Case
    requester: Requester
    description: str


def read_case(actor: Actor, case: Case, *, view: str) -> CaseView:
    """Open the requester's details and words for ``actor``; journaled (R29)."""
    record_read(actor, case, view=view)
    return CaseView(case, requester_of(case), open_description(case.id, case.description_sealed))


def cases_of_person(person: Person) -> list[Case]:
    return list(Case.objects.filter(person=person).order_by("-received_at"))


def cases_from_address(address: str) -> list[Case]:
    """Cases filed from ``address`` (by its blind index), newest first."""
    return list(
        Case.objects.filter(requester_email_index=email_index(address)).order_by("-received_at")
    )


# -- internals ------------------------------------------------------------------------------


def _require(actor: Actor, permission: Permission) -> None:
    """Staff and API keys act within their role; the command line and the system are
    trusted operators (the CLI runs on the server)."""
    if actor.kind in ("user", "api_key"):
        user = actor.user
        if user is None or not user.has_vigie_permission(permission):
            raise NotAllowed(permission.value)


def _actor_label(actor: Actor) -> str:
    return f"{actor.kind}:{actor.id}"


def _next_number(year: int) -> str:
    """``DDP-<year>-<n>``: numbers without gaps, one counter row per year (locked)."""
    CaseCounter.objects.get_or_create(year=year)
    counter = CaseCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"DDP-{year}-{counter.last:04d}"


def _log(actor: Actor, case: Case, action: RightsAction, kind: str, **extra: Any) -> None:
    """The timeline entry and the audit event of one step (no personal data in either)."""
    CaseEvent.objects.create(
        case=case,
        occurred_at=timezone.now(),
        actor_type=actor.kind,
        actor_id=actor.id,
        kind=kind,
        extra=extra,
    )
    record_event(actor, action, case, extra={"number": case.number, **extra})


def _store_clock(case: Case, clock: RequestClock) -> None:
    case.suspensions = [
        [s.start.isoformat(), s.end.isoformat() if s.end else None] for s in clock.suspensions
    ]
    last = clock.suspensions[-1] if clock.suspensions else None
    case.suspended_from = last.start if last else None
    case.suspended_to = last.end if last else None
    if case.deadline_set_by_privacy_lead:
        return
    case.due_date = clock.due_date
    case.outer_limit = clock.outer_limit


def _to_requester(case: Case) -> To:
    return To.requester(str(case.id))


def send_letter(actor: Actor, case: Case, template: str, to: To, **refs: Any) -> Letter:
    """Queue a letter about ``case`` (service mail, the case's language) and keep it
    in the case's documents (R46). ``refs`` are references only (mail refuses names
    and addresses in its context)."""
    from vigie.rights.letters import remedy_problems

    problems = remedy_problems(template)
    if problems:
        # R79: a letter that answers, extends or refuses without the CNIL block and the
        # judicial remedy is never sent.
        raise RightsError(f"{template}: " + "; ".join(problems))
    message = queue_message(
        actor,
        to,
        template,
        kind=Kind.SERVICE,
        context={"case": str(case.id), **refs},
        language=case.language,
    )
    letter = Letter.objects.create(
        case=case,
        template=template,
        message_id=message.pk,
        to_kind=to.kind,
        language=case.language,
        queued_at=timezone.now(),
        failed_reason=message.last_error[:200] if message.status == "refused" else "",
    )
    _log(actor, case, RightsAction.LETTER_QUEUE, "letter", template=template, to=to.kind)
    return letter


def _new_challenge(case: Case, person: Person) -> Challenge:
    now = timezone.now()
    return Challenge.objects.create(
        case=case,
        sent_to_person=person,
        created_at=now,
        expires_at=now + timedelta(days=identity_days()),
    )


def identity_days() -> int:
    return int(getattr(settings, "RIGHTS_IDENTITY_DAYS", CHALLENGE_DAYS))


def _check_types(types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(t) for t in types))
    if not chosen:
        raise RightsError(_("Choose at least one type of request."))
    unknown = [t for t in chosen if t not in RequestType.values]
    if unknown:
        raise RightsError(_("Unknown type of request: %(types)s.") % {"types": ", ".join(unknown)})
    return chosen


def _check_requester(requester: Requester) -> Requester:
    try:
        if requester.email:
            bounds.check_email(requester.email)
        if requester.on_file_email:
            bounds.check_email(requester.on_file_email)
        bounds.check_name(requester.name)
        if requester.phone:
            bounds.check_phone(requester.phone)
        bounds.check_text(requester.postal_address)
        bounds.check_name(requester.reference)
    except bounds.OutOfBounds as error:
        raise RightsError(str(error)) from None
    return requester


def _check_received_at(received_at: datetime, now: datetime) -> datetime:
    if timezone.is_naive(received_at):
        raise RightsError(_("The date of receipt needs a time zone."))
    if received_at > now + timedelta(minutes=5):
        raise RightsError(_("A request cannot be received in the future."))
    try:
        bounds.check_date(received_at.date())
    except bounds.OutOfBounds as error:
        raise RightsError(str(error)) from None
    return received_at


# -- intake (R46, R48, R78) -----------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """What opening a case did, for the page or the API that asked (never shown to an
    anonymous requester beyond « received »: no enumeration)."""

    case: Case
    #: The challenge token when one was sent (tests and the personal space use it).
    challenge_token: str = ""


def open_case(
    actor: Actor,
    *,
    types: Iterable[str],
    channel: str,
    requester: Requester,
    description: str = "",
    received_at: datetime | None = None,
    person: Person | None = None,
    language: str = "fr",
    verified_by: str = "",
    source_message: uuid.UUID | None = None,
) -> Intake:
    """Open a case for a request received on ``channel`` (R46).

    ``received_at`` is when the request reached the company (default: now); staff set it
    back to the day a colleague first received it. ``person`` is the person the request
    is about when the caller knows it (a signed-in personal space, a member of staff who
    looked them up). ``verified_by`` is an :class:`IdentityMethod` when identity is
    already established (personal space, known to staff, customer reference checked).
    """
    if actor.kind in ("user", "api_key"):
        _require(actor, Permission.RIGHTS_CASE_CREATE)
        if verified_by:
            # Vouching for an identity is the handlers' step (``verify_identity``).
            _require(actor, Permission.RIGHTS_CASE_HANDLE)
    # A message of the privacy mailbox opens its case before anyone has read it (R78):
    # its types are chosen when it is sorted (``qualify_case``).
    chosen = [] if source_message is not None else _check_types(types)
    if channel not in Channel.values:
        raise RightsError(_("Unknown channel: %(channel)s.") % {"channel": channel})
    if verified_by and verified_by not in IdentityMethod.values:
        raise RightsError(_("Unknown identity method: %(m)s.") % {"m": verified_by})
    if verified_by == IdentityMethod.ID_DOCUMENT:
        raise RightsError(_("An identity document is recorded on the case, by the privacy lead."))
    requester = _check_requester(requester)
    try:
        bounds.check_text(description, max_length=MAX_DESCRIPTION)
    except bounds.OutOfBounds as error:
        raise RightsError(str(error)) from None
    now = timezone.now()
    received = _check_received_at(received_at or now, now)
    language = language if language in ("fr", "en") else "fr"
    # Whose address is on file: the person named by the caller, the sender's own address,
    # or the address the requester says we hold (they write from a new one).
    sender_on_file = find_by_email(requester.email) if requester.email else None
    on_file = person or sender_on_file
    if on_file is None and requester.on_file_email:
        on_file = find_by_email(requester.on_file_email)
    case_id = uuid.uuid4()
    with transaction.atomic():
        case = Case(
            id=case_id,
            number=_next_number(paris_day(received).year),
            types=chosen,
            channel=channel,
            received_at=received,
            recorded_by=_actor_label(actor),
            person=person,
            language=language,
            requester_email_index=email_index(requester.email) if requester.email else "",
            requester_sealed=seal_requester(case_id, requester),
            description_sealed=seal_description(case_id, description) if description else None,
            source_message=source_message,
            deadline_set_by_privacy_lead=bool(chosen) and set(chosen) <= OWN_DEADLINE_TYPES,
        )
        clock = RequestClock(received)
        _store_clock(case, clock)
        case.save(force_insert=True)
        # Recorded after its one-month deadline (a letter found late, a colleague back
        # from leave): the case is kept and flagged, overdue from the start.
        late = clock.due_date is not None and paris_day(now) > clock.due_date
        _log(
            actor,
            case,
            RightsAction.CASE_OPEN,
            "opened",
            types=chosen,
            channel=channel,
            received_at=received.isoformat(),
            **({"late": True} if late else {}),
        )
        token = ""
        # The privacy mailbox: a request written from the address on file is from its
        # owner (R48, "verified automatically").
        from_own_address = (
            channel == Channel.MAILBOX
            and sender_on_file is not None
            and person in (None, sender_on_file)
        )
        if verified_by or from_own_address:
            case.person = case.person or sender_on_file
            _verified(actor, case, verified_by or IdentityMethod.ON_FILE_ADDRESS, at=now)
            _acknowledge(actor, case, To.of(case.person) if case.person else _to_requester(case))
        elif on_file is not None and on_file == sender_on_file:
            # The request names the address on file: the acknowledgement (case number and
            # due date) carries a confirmation link to it. No doubt, so the clock runs.
            token = _challenge(actor, case, on_file, suspend=False)
        else:
            # Reasonable doubt (R48): an address Vigie does not know. The requester gets a
            # neutral reply; the owner of the address on file, if any, the confirmation
            # link. The clock stops until the answer, unless the request reached the
            # company after its deadline (recorded late): a clock that has run out cannot
            # be suspended, so the case stays overdue (red, alerted) for staff to handle.
            if requester.email:
                send_letter(actor, case, "rights_neutral_reply", _to_requester(case))
            if on_file is not None:
                token = _challenge(actor, case, on_file, suspend=not late)
            else:
                # No address on file to send a link to: identity stays « not checked »
                # (nothing was sent that could confirm it) while the case waits.
                case.status = Status.AWAITING_IDENTITY
                if not late:
                    _suspend(actor, case, now, reason="identity", challenged=False)
        case.save()
    return Intake(case, token)


def _acknowledge(actor: Actor, case: Case, to: To) -> None:
    """R78: the acknowledgement gives the case number and the due date, within minutes
    (by e-mail when there is an address; a request by post or phone without one is
    acknowledged by hand)."""
    if reachable(to):
        send_letter(actor, case, "rights_acknowledgement", to)


def reachable(to: To) -> bool:
    """Whether an e-mail can be written to ``to`` now (its address opened, not kept)."""
    try:
        resolve(to)
    except Unreachable:
        return False
    return True


def _challenge(actor: Actor, case: Case, person: Person, *, suspend: bool) -> str:
    challenge = _new_challenge(case, person)
    case.identity_status = IdentityStatus.AWAITING
    case.status = Status.AWAITING_IDENTITY
    # The link is made from the challenge's id when the e-mail is rendered (links.py).
    send_letter(actor, case, "rights_identity_challenge", To.of(person), challenge=challenge.pk)
    _log(actor, case, RightsAction.IDENTITY_CHALLENGE, "challenge", suspended=suspend)
    if suspend:
        _suspend(actor, case, timezone.now(), reason="identity")
    return challenge_token(challenge.pk)


def _suspend(
    actor: Actor, case: Case, at: datetime, *, reason: str, challenged: bool = True
) -> None:
    clock = clock_of(case)
    if clock.suspended:
        return
    _store_clock(case, clock.suspend(at))
    case.status = Status.AWAITING_IDENTITY if reason == "identity" else case.status
    if reason == "identity" and challenged:
        case.identity_status = IdentityStatus.AWAITING
    _log(actor, case, RightsAction.CLOCK_SUSPEND, "suspended", reason=reason)


def _resume(actor: Actor, case: Case, at: datetime) -> None:
    clock = clock_of(case)
    if not clock.suspended:
        return
    clock = clock.resume(at)
    _store_clock(case, clock)
    _log(
        actor,
        case,
        RightsAction.CLOCK_RESUME,
        "resumed",
        due_date=case.due_date.isoformat() if case.due_date else "",
    )


def _verified(actor: Actor, case: Case, method: str, *, at: datetime) -> None:
    case.identity_status = IdentityStatus.VERIFIED
    case.identity_method = method
    case.identity_verified_at = at
    case.identity_verified_by = _actor_label(actor)
    if case.status == Status.AWAITING_IDENTITY:
        case.status = Status.IN_PROGRESS
    _resume(actor, case, at)
    _log(actor, case, RightsAction.IDENTITY_VERIFY, "verified", method=method)
    # Any identity document of the case has served its purpose: it goes in 7 days (R48).
    from vigie.rights.identity import schedule_deletion

    schedule_deletion(case, paris_day(at))
    # Art. 18(1)(a): asked with a rectification, the restriction holds while it is checked.
    from vigie.rights.restriction import restrict_on_verification

    restrict_on_verification(actor, case)


def confirm_challenge(token: str) -> Case | None:
    """The requester opened the confirmation link (R48): identity verified by the address
    on file. ``None`` for an unknown, used or expired link (the page says so, the same
    way for each)."""
    challenge_id = read_challenge_token(token)
    now = timezone.now()
    if challenge_id is None:
        return None
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().filter(pk=challenge_id).first()
        if challenge is None or challenge.answered_at or challenge.expires_at < now:
            return None
        case = Case.objects.select_for_update().get(pk=challenge.case_id)
        if not case.is_open:
            return None
        challenge.answered_at = now
        challenge.save(update_fields=["answered_at"])
        actor = Actor("subject", str(case.id))
        was_suspended = clock_of(case).suspended
        case.person = case.person or challenge.sent_to_person
        _verified(actor, case, IdentityMethod.ON_FILE_ADDRESS, at=now)
        if was_suspended and case.person is not None:
            # The owner of the address learns the case number and the due date now.
            _acknowledge(actor, case, To.of(case.person))
        case.save()
    return case


def verify_identity(actor: Actor, case: Case, method: str, *, person: Person | None = None) -> Case:
    """A member of staff records how identity was established (R48); an identity
    document is the privacy lead's (``rights.identity``)."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    if method not in IdentityMethod.values or method == IdentityMethod.ID_DOCUMENT:
        raise RightsError(_("Choose how the identity was verified."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        if person is not None:
            case.person = person
        _verified(actor, case, method, at=timezone.now())
        case.save()
    return case


def challenge_identity(actor: Actor, case: Case) -> str:
    """Send the confirmation link to the address on file of the case's person and stop
    the clock until it is answered (R48: reasonable doubt)."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        if case.identity_status == IdentityStatus.VERIFIED:
            raise RightsError(_("The identity is already verified: there is nothing to confirm."))
        if case.person is None:
            raise RightsError(
                _("No person is attached to this case: there is no address on file to write to.")
            )
        # A clock that has run out (a request recorded late) cannot stop; the link goes all
        # the same.
        late = case.due_date is not None and paris_day(timezone.now()) > case.due_date
        token = _challenge(actor, case, case.person, suspend=not late)
        case.save()
    return token


def _check_open(case: Case) -> None:
    if not case.is_open:
        raise RightsError(_("This case is closed."))


# -- the clock (R47, C1–C2; policy weak point L3) -------------------------------------------


def set_received_at(actor: Actor, case: Case, received_at: datetime) -> Case:
    """R46: the request reached a colleague before it was recorded; the clock runs from
    that day."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        received = _check_received_at(received_at, timezone.now())
        if received > case.recorded_at:
            raise RightsError(_("The request cannot have arrived after it was recorded."))
        previous = case.received_at
        case.received_at = received
        try:
            _store_clock(case, clock_of(case))
        except DeadlineError as error:
            raise RightsError(error.message) from None
        case.save()
        _log(
            actor,
            case,
            RightsAction.CASE_RECEIVED_AT,
            "received_at",
            before=previous.isoformat(),
            after=received.isoformat(),
        )
    return case


def extend_deadline(actor: Actor, case: Case, reasons: str, *, at: datetime | None = None) -> Case:
    """Art. 12(3): two further months, only before the due date, with reasons, and only
    once the notice to the requester is on its way (else « délai initial expiré » or
    « notice not sent »)."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    at = at or timezone.now()
    try:
        bounds.check_text(reasons, max_length=2000)
    except bounds.OutOfBounds as error:
        raise RightsError(str(error)) from None
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        if case.deadline_set_by_privacy_lead:
            raise RightsError(_("This case's deadline is set by the privacy lead, not extended."))
        if clock_of(case).suspended:
            # No due date runs while the identity is checked (R48), and the notice would
            # go to a requester not yet verified; the month is not used up meanwhile.
            raise RightsError(
                _(
                    "The clock is suspended until the identity is verified: there is no "
                    "deadline to extend yet."
                )
            )
        sent: list[Letter] = []

        def notice() -> bool:
            to = letter_recipient(case)
            if not reachable(to):
                # By post or by phone: the notice is sent by hand first (R47).
                return False
            case.extension_reasons = reasons.strip()
            letter = send_letter(actor, case, "rights_extension_notice", to)
            sent.append(letter)
            return not letter.failed_reason

        try:
            clock = clock_of(case).extend(at, reasons=reasons, notice_sent=notice)
        except DeadlineError as error:
            raise RightsError(error.message) from None
        case.extended_at = at
        case.extension_reasons = reasons.strip()
        case.extension_notice_sent_at = sent[0].queued_at
        _store_clock(case, clock)
        case.save()
        _log(
            actor,
            case,
            RightsAction.CLOCK_EXTEND,
            "extended",
            due_date=case.due_date.isoformat() if case.due_date else "",
        )
    return case


def set_deadline(actor: Actor, case: Case, due: date) -> Case:
    """R80: a complaint or a CNIL inquiry has the deadline the privacy lead sets."""
    _require(actor, Permission.RIGHTS_DEADLINE_SET)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        if not set(case.types) <= OWN_DEADLINE_TYPES:
            raise RightsError(
                _(
                    "Only a complaint or a CNIL inquiry has a deadline set by hand; "
                    "the others follow Art. 12(3)."
                )
            )
        if due < paris_day(case.received_at):
            raise RightsError(_("The deadline cannot come before the request was received."))
        case.due_date = due
        case.outer_limit = outer_limit(due)
        case.save()
        _log(actor, case, RightsAction.DEADLINE_SET, "deadline", due_date=due.isoformat())
    return case


# -- decisions and answers (R49, R79) -------------------------------------------------------


def letter_recipient(case: Case) -> To:
    """Answers go to the person's address on file once identity is verified; before
    that, only to the requester's own address (and then say nothing about data)."""
    if case.person is not None and case.identity_status == IdentityStatus.VERIFIED:
        return To.of(case.person)
    return _to_requester(case)


def decide(actor: Actor, case: Case, request_type: str, outcome: str, grounds: str) -> Decision:
    """A decision on one type; a refusal, total or partial, is the privacy lead's, with
    its justification (R49), and its letter carries the CNIL block and the judicial
    remedy (R79)."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    if outcome not in Outcome.values:
        raise RightsError(_("Unknown outcome."))
    if outcome != Outcome.GRANTED:
        _require(actor, Permission.RIGHTS_CASE_REFUSE)
    grounds = grounds.strip()
    try:
        bounds.check_text(grounds, max_length=4000)
    except bounds.OutOfBounds as error:
        raise RightsError(str(error)) from None
    if outcome != Outcome.GRANTED and not grounds:
        raise RightsError(_("A refusal needs its reasons and legal grounds (Art. 12(4))."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        if request_type not in case.types:
            raise RightsError(_("This case does not ask for that."))
        if case.identity_status != IdentityStatus.VERIFIED and outcome == Outcome.GRANTED:
            raise RightsError(
                _("Identity is not verified: nothing may be disclosed or erased yet.")
            )
        decision = Decision.objects.create(
            case=case,
            request_type=request_type,
            outcome=outcome,
            grounds=grounds,
            decided_at=timezone.now(),
            decided_by=_actor_label(actor),
        )
        _log(actor, case, RightsAction.CASE_DECIDE, "decided", type=request_type, outcome=outcome)
        if outcome != Outcome.GRANTED:
            template = "rights_refusal" if outcome == Outcome.REFUSED else "rights_partial_refusal"
            send_letter(actor, case, template, letter_recipient(case), decision=decision.pk)
            decided = {d.request_type: d.outcome for d in case.decisions.all()}
            if set(decided) >= set(case.types):
                outcomes = set(decided.values())
                case.status = (
                    Status.REFUSED if outcomes == {Outcome.REFUSED} else Status.PARTIALLY_REFUSED
                )
                check_notices_ended(case)  # Art. 19 (R57): no closing with a task open
                _close(case)
                case.save()
    return decision


def answer(actor: Actor, case: Case) -> Case:
    """Send the answer's cover letter and close the case as answered."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        if case.identity_status != IdentityStatus.VERIFIED:
            raise RightsError(_("Identity is not verified: nothing may be disclosed yet."))
        check_notices_ended(case)  # Art. 19 (R57): no closing with a task open
        send_letter(actor, case, "rights_answer_cover", letter_recipient(case))
        refused = case.decisions.exclude(outcome=Outcome.GRANTED).exists()
        case.status = Status.PARTIALLY_REFUSED if refused else Status.ANSWERED
        _close(case)
        case.save()
        _log(actor, case, RightsAction.CASE_ANSWER, "answered", status=case.status)
    return case


def close_unverified(actor: Actor, case: Case, reason: str) -> Case:
    """Art. 12(2): the person could not be identified; they are told why, with the CNIL
    block. Also the end of a challenge left unanswered (``expire_unverified``)."""
    if actor.kind != "system":
        _require(actor, Permission.RIGHTS_CASE_HANDLE)
    reason = reason.strip()
    if not reason:
        raise RightsError(_("Say why the identity could not be verified."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        if case.identity_status == IdentityStatus.VERIFIED:
            raise RightsError(_("The identity is verified: answer the request instead."))
        check_notices_ended(case)  # Art. 19 (R57): no closing with a task open
        case.identity_status = IdentityStatus.FAILED
        case.status = Status.UNVERIFIED
        case.closing_reason = reason
        _close(case)
        case.save()
        send_letter(actor, case, "rights_identification_impossible", _to_requester(case))
        _log(actor, case, RightsAction.CASE_CLOSE_UNVERIFIED, "closed_unverified")
    return case


def _close(case: Case) -> None:
    """Closed now; kept per the register's ``dsr-case-files`` rule (5 years after closure)."""
    from vigie.rights.retention import case_retention_end

    case.closed_at = timezone.now()
    case.retain_until = case_retention_end(paris_day(case.closed_at))
    # An identity document never used goes 7 days after the closure (R48).
    from vigie.rights.identity import schedule_deletion

    schedule_deletion(case, paris_day(case.closed_at))


def assign(actor: Actor, case: Case, handler: Any) -> Case:
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    if handler is not None and not handler.has_vigie_permission(Permission.RIGHTS_CASE_HANDLE):
        raise RightsError(_("This member of staff cannot handle rights requests."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.handler = handler
        case.save(update_fields=["handler"])
        _log(
            actor,
            case,
            RightsAction.CASE_ASSIGN,
            "assigned",
            handler=handler.pk if handler else None,
        )
    return case
