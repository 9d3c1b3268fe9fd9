"""The personal space (issue 13 item 6; R48, R59, Art. 12(2), Art. 16).

A person signs in with a link sent to their address on file: no password, no account
(they never become a Django user; the session holds their person id under its own
key, apart from staff sign-in). Asking for the link answers the same words, with the
same work, whatever the address (no enumeration): the page stores a deferred look-up
and queues a job that finds who holds the address (``people.lookups``), as the
preferences link does. The link is made when the e-mail is rendered from the person's
id, signed with the secret key and good for ``LINK_MINUTES``: nothing secret is
stored, in the database or the outbox.

Once signed in, the person reads their requests, their contact data, their
directives: each read is journaled with a ``subject`` actor (R29). They can correct
their phone at once and their e-mail address once the new address is confirmed (a
link sent to it); the old value is kept sealed in ``ContactChange`` (the audit event
names the field, never a value). A request filed there is verified by the session
(R48: ``IdentityMethod.PERSONAL_SPACE``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from vigie.accounts.ratelimit import Verdict, address_verdict
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.audit.services import object_ref, record_event, record_read
from vigie.lib import bounds, crypto, keyring
from vigie.mail.addressing import To
from vigie.mail.models import Kind
from vigie.mail.services import queue_message
from vigie.people.lookups import defer_lookup, take_lookup
from vigie.people.models import ContactKind, Person
from vigie.people.services import (
    InvalidPerson,
    PersonData,
    PersonUnavailable,
    email_index,
    find_by_email,
    normalise_contact,
    open_person,
    read_person,
    update_contact_details,
)
from vigie.rights import services
from vigie.rights.actions import RightsAction
from vigie.rights.models import Case, Challenge, Channel, IdentityMethod
from vigie.rights.sealing import Requester
from vigie.rights.space_models import ContactChange, PostMortemDirective

#: The sign-in form's name in the rate-limit counters.
FORM = "personal-space-link"
#: A sign-in link is good this long after the e-mail was written.
LINK_MINUTES = 60
#: A signed-in space closes this long after the sign-in.
SESSION_MINUTES = 60
#: A new e-mail address must be confirmed within this time.
EMAIL_CHANGE_HOURS = 48
MAX_DIRECTIVE = 10_000

_SIGN_IN_SALT = "vigie.rights.space.sign-in"
_EMAIL_SALT = "vigie.rights.space.email-change"
_KEY_PURPOSE = "rights-space"
#: The session key holding the signed-in person's id (staff sign-in uses others).
SESSION_KEY = "vigie_rights_space_person"


def subject(person: Person, ip: str | None = None) -> Actor:
    """The person acting for themselves in their space."""
    return Actor("subject", str(person.pk), ip)


# -- signing in ----------------------------------------------------------------------------


def request_sign_in_link(address: str, *, language: str) -> None:
    """Accept a request for a sign-in link (the client IP was counted around the view).
    The same happens for a known and an unknown address: a look-up stored, a job
    queued; over the address's limit nothing is queued and the page answers the same."""
    if address_verdict(FORM, email_index(address)) is Verdict.ALLOWED:
        with transaction.atomic():
            lookup = defer_lookup(address)
            send_sign_in_link.enqueue(str(lookup), "en" if language == "en" else "fr")


@task()
def send_sign_in_link(lookup_id: str, language: str) -> int:
    """Queue a sign-in link to every live person holding the looked-up address; return
    how many (0 for an unknown address: nothing is sent, nothing is recorded)."""
    with transaction.atomic():
        people = take_lookup(lookup_id)
        for person in people:
            queue_message(
                Actor.system("personal space link"),
                person,
                "rights_space_link",
                kind=Kind.SERVICE,
                # A reference only: a working link would be a bearer credential at rest.
                context={"person": str(person.pk)},
                language=language,
            )
    return len(people)


def sign_in_token(person_id: uuid.UUID) -> str:
    """The link's token: the person's id and the moment it was written, signed. It opens
    the space once: a sign-in ends every link written before it (``sign_in``)."""
    return signing.dumps([person_id.hex, timezone.now().timestamp()], salt=_SIGN_IN_SALT)


def sign_in_url(person_id: uuid.UUID, language: str = "fr") -> str:
    url = settings.SITE_URL.rstrip("/") + reverse(
        "rights:space-enter", args=[sign_in_token(person_id)]
    )
    return url + ("?lang=en" if language == "en" else "")


def space_link_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """The ``rights_space_link`` e-mail's link, made at render time (mail's builder)."""
    return {
        "space_url": sign_in_url(uuid.UUID(str(refs["person"])), language),
        "minutes": LINK_MINUTES,
    }


class BadLink(ValueError):
    """Forged, altered, expired or for someone no longer on file."""


def person_for_sign_in(token: str) -> Person:
    """The person a sign-in link was written for; ``BadLink`` when forged, altered,
    expired, for someone no longer on file, or already used (a sign-in since)."""
    try:
        person_hex, written = signing.loads(token, salt=_SIGN_IN_SALT, max_age=LINK_MINUTES * 60)
        person_id = uuid.UUID(hex=str(person_hex))
        written_at = datetime.fromtimestamp(float(written), tz=UTC)
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        raise BadLink("this link is not valid") from None
    person = Person.objects.filter(pk=person_id, shredded_at__isnull=True).first()
    if person is None or _signed_in_since(person, written_at):
        raise BadLink("this link is not valid")
    return person


def _signed_in_since(person: Person, moment: datetime) -> bool:
    """Whether the person opened their space at ``moment`` or later (the journal of
    sign-ins is the audit log's: ``signed_in``)."""
    return Event.objects.filter(
        object_type=object_ref(person).type,
        object_id=object_ref(person).id,
        action=RightsAction.SPACE_SIGN_IN,
        occurred_at__gte=moment,
    ).exists()


def sign_in(token: str, ip: str | None) -> Person:
    """Use a sign-in link: the person, journaled; the link (and any older one) is spent.
    ``BadLink`` when it may not be used (two clicks at once: the second waits, then fails)."""
    person = person_for_sign_in(token)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        person = person_for_sign_in(token)
        signed_in(subject(person, ip), person)
    return person


def signed_in(actor: Actor, person: Person) -> None:
    """Journal the sign-in (the session itself is the view's)."""
    record_event(actor, RightsAction.SPACE_SIGN_IN, person)


def person_of_session(person_id: str | None) -> Person | None:
    if not person_id:
        return None
    try:
        pk = uuid.UUID(str(person_id))
    except ValueError:
        return None
    return Person.objects.filter(pk=pk, shredded_at__isnull=True).first()


# -- what the space shows --------------------------------------------------------------------


@dataclass(frozen=True)
class SpaceView:
    person: Person
    data: PersonData
    cases: list[Case]
    directive: str
    directive_recorded_at: Any
    pending_email: bool


def open_space(actor: Actor, person: Person) -> SpaceView:
    """Everything the space shows, each read journaled for the person (R29)."""
    data = read_person(actor, person, view="rights:personal-space")
    # Their cases, and those filed from one of their addresses and not yet confirmed: the
    # link that opened the space went to that address, the same proof as the case's own
    # confirmation link (R48).
    found = {case.pk: case for case in services.cases_of_person(person)}
    for address in data.emails:
        for case in services.cases_from_address(address):
            if case.person_id in (None, person.pk):
                found.setdefault(case.pk, case)
    cases = sorted(found.values(), key=lambda case: case.received_at, reverse=True)
    for case in cases:
        record_read(actor, case, view="rights:personal-space")
    current = _current_directive(person)
    text = ""
    if current is not None:
        record_read(actor, person, view="rights:post-mortem-directive")
        text = _open(current.pk, "directive", current.text_sealed)
    pending = ContactChange.objects.filter(
        person=person,
        field=ContactChange.Field.EMAIL,
        applied_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()
    return SpaceView(person, data, cases, text, current.recorded_at if current else None, pending)


def cases_awaiting_link(person: Person, cases: list[Case]) -> set[Any]:
    """The ids of ``cases`` whose open confirmation link went to ``person``."""
    return set(
        Challenge.objects.filter(
            case__in=cases,
            sent_to_person=person,
            answered_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("case_id", flat=True)
    )


# -- sealing ---------------------------------------------------------------------------------


def _aad(row_id: Any, field: str) -> str:
    return f"rights.space:{row_id}:{field}"


def _seal(row_id: Any, field: str, text: str) -> bytes:
    return crypto.seal_text(keyring.derive_key(_KEY_PURPOSE), text, _aad(row_id, field))


def _open(row_id: Any, field: str, blob: bytes | memoryview | None) -> str:
    if not blob:
        return ""
    return crypto.open_text(keyring.derive_key(_KEY_PURPOSE), bytes(blob), _aad(row_id, field))


def change_history(person: Person) -> list[tuple[ContactChange, str, str]]:
    """Each applied correction with its old and new value (for staff pages, journaled there)."""
    return [
        (c, _open(c.pk, "old", c.old_value_sealed), _open(c.pk, "new", c.new_value_sealed))
        for c in ContactChange.objects.filter(person=person, applied_at__isnull=False)
    ]


# -- corrections (Art. 16) -------------------------------------------------------------------


def correct_phone(actor: Actor, person: Person, phone: str) -> bool:
    """Replace the person's phone at once; the old value is kept sealed. False when it
    did not change."""
    with transaction.atomic():
        try:
            phone = normalise_contact(ContactKind.PHONE, phone)
            # The person's own correction is what a restriction for contested
            # accuracy waits for (Art. 18(1)(a)): it goes through.
            before = update_contact_details(actor, person, phone=phone, despite_restriction=True)
        except (InvalidPerson, PersonUnavailable):
            raise services.RightsError(_("This is not a valid telephone number.")) from None
        if "phone" not in before:
            return False
        _record_change(actor, person, ContactChange.Field.PHONE, before["phone"], phone)
        # And in every source (Art. 16, R54): a source that fails undoes Vigie's change.
        from vigie.sources.services import rectify_subject
        from vigie.sources.sql_schema import SourceError
        from vigie.sources.types import Subject

        try:
            emails = open_person(person).emails
            rectify_subject(actor, Subject(email=emails), {"phone": phone}, person=person)
        except SourceError:
            raise services.RightsError(
                _("Your correction could not be saved everywhere; please try again later.")
            ) from None
    return True


def _record_change(actor: Actor, person: Person, field: str, old: str, new: str) -> None:
    now = timezone.now()
    change = ContactChange(
        person=person, field=field, requested_at=now, applied_at=now, expires_at=None
    )
    change.old_value_sealed = _seal(change.pk, "old", old)
    change.new_value_sealed = _seal(change.pk, "new", new)
    change.save(force_insert=True)
    record_event(actor, RightsAction.CONTACT_CORRECT, person, extra={"field": field})


def request_email_change(actor: Actor, person: Person, address: str, *, language: str) -> None:
    """Send a confirmation link to the new address; the address on file changes only
    when it is opened (the person proves they read it)."""
    try:
        bounds.check_email(address)
    except bounds.OutOfBounds as error:
        raise services.RightsError(str(error)) from None
    now = timezone.now()
    with transaction.atomic():
        change = ContactChange(
            person=person,
            field=ContactChange.Field.EMAIL,
            requested_at=now,
            expires_at=now + timedelta(hours=EMAIL_CHANGE_HOURS),
        )
        change.new_value_sealed = _seal(change.pk, "new", address.strip())
        change.save(force_insert=True)
        queue_message(
            actor,
            To.requester(f"{CHANGE_REF}{change.pk}"),
            "rights_email_change",
            kind=Kind.SERVICE,
            context={"change": str(change.pk)},
            language="en" if language == "en" else "fr",
        )
        record_event(actor, RightsAction.CONTACT_CONFIRM_SEND, person, extra={"field": "email"})


#: The mail recipient reference of a new address to confirm (``letters.requester_address``).
CHANGE_REF = "contact-change:"


def new_address_of(change_id: str) -> str:
    """The address a change asks for (mail's requester resolver, at send time)."""
    change = ContactChange.objects.filter(pk=uuid.UUID(change_id)).first()
    return _open(change.pk, "new", change.new_value_sealed) if change else ""


def email_change_token(change_id: uuid.UUID) -> str:
    return signing.dumps(change_id.hex, salt=_EMAIL_SALT)


def email_change_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    change_id = uuid.UUID(str(refs["change"]))
    url = settings.SITE_URL.rstrip("/") + reverse(
        "rights:space-email", args=[email_change_token(change_id)]
    )
    return {
        "confirm_url": url + ("?lang=en" if language == "en" else ""),
        "hours": EMAIL_CHANGE_HOURS,
    }


def read_email_change_token(token: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(hex=str(signing.loads(token, salt=_EMAIL_SALT)))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def confirm_email_change(token: str, *, ip: str | None = None) -> Person | None:
    """The new address was opened: it becomes the address on file (old one kept
    sealed). None for a forged, used or expired link, or an address another person
    holds now."""
    change_id = read_email_change_token(token)
    if change_id is None:
        return None
    with transaction.atomic():
        change = ContactChange.objects.select_for_update().filter(pk=change_id).first()
        now = timezone.now()
        if (
            change is None
            or change.applied_at is not None
            or change.expires_at is None
            or change.expires_at < now
        ):
            return None
        person = Person.objects.filter(pk=change.person_id, shredded_at__isnull=True).first()
        if person is None:
            return None
        address = _open(change.pk, "new", change.new_value_sealed)
        holder = find_by_email(address)
        if holder is not None and holder != person:
            return None
        actor = subject(person, ip)
        try:
            before = update_contact_details(actor, person, email=address, despite_restriction=True)
        except (InvalidPerson, PersonUnavailable):
            return None
        change.old_value_sealed = _seal(change.pk, "old", before.get("email", address))
        change.applied_at = now
        change.save(update_fields=["old_value_sealed", "applied_at"])
        record_event(actor, RightsAction.CONTACT_CORRECT, person, extra={"field": "email"})
    return person


# -- requests filed from the space (R48) ------------------------------------------------------


def file_request(
    actor: Actor, person: Person, *, types: list[str], description: str, language: str
) -> Case:
    """A request from a signed-in space: identity is verified by the session itself."""
    data = open_person(person)
    name = f"{data.first_name} {data.last_name}".strip()
    intake = services.open_case(
        actor,
        types=types,
        channel=Channel.PERSONAL_SPACE,
        requester=Requester(email=data.email, name=name),
        description=description,
        person=person,
        language=language,
        verified_by=IdentityMethod.PERSONAL_SPACE,
    )
    return intake.case


# -- post-mortem directives (R59; loi I&L art. 85) --------------------------------------------


def _current_directive(person: Person) -> PostMortemDirective | None:
    return PostMortemDirective.objects.filter(person=person, replaced_at__isnull=True).first()


def record_directive(actor: Actor, person: Person, text: str) -> PostMortemDirective:
    """Record the person's directives; the previous ones, if any, are marked replaced."""
    text = text.strip()
    if not text:
        raise services.RightsError(_("Write your directives."))
    try:
        bounds.check_text(text, max_length=MAX_DIRECTIVE)
    except bounds.OutOfBounds as error:
        raise services.RightsError(str(error)) from None
    now = timezone.now()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        replaced = PostMortemDirective.objects.filter(
            person=person, replaced_at__isnull=True
        ).update(replaced_at=now)
        directive = PostMortemDirective(person=person, recorded_at=now, text_sealed=b"")
        directive.save(force_insert=True)
        directive.text_sealed = _seal(directive.pk, "directive", text)
        directive.save(update_fields=["text_sealed"])
        record_event(actor, RightsAction.DIRECTIVE_RECORD, person, extra={"replaced": replaced})
    return directive
