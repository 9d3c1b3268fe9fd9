"""The disclosure log's door (R22): record a transmission, read a person's recipients.

Every write is one transaction with its audit event; the event carries the recipient's
key, the categories and the reference, never the person's data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.disclosures.actions import DisclosureAction
from vigie.disclosures.models import Channel, Disclosure
from vigie.people.models import Person
from vigie.people.restrictions import is_restricted
from vigie.people.services import find_by_email
from vigie.register.models import DataCategory, Recipient


class DisclosureError(ValueError):
    """A disclosure that cannot be recorded as given (the message says why)."""


#: The legal basis that lets restricted data go out (Art. 18(2): legal claims).
LEGAL_CLAIMS = "legal_claims"


def record_disclosure(
    actor: Actor,
    person: Person,
    recipient_key: str,
    categories: Iterable[str],
    disclosed_at: dt.datetime,
    *,
    purpose: str = "",
    legal_basis: str = "",
    reference: str = "",
    channel: Channel = Channel.STAFF,
) -> tuple[Disclosure, bool]:
    """Log one transmission; ``(disclosure, created)``. The same line again changes nothing.

    Refused with ``DisclosureError`` when the recipient is not in the register (R21:
    register it first), a category is not one of the register's, or the person's data
    is restricted (Art. 18, R55) and the legal basis is not ``legal_claims``.
    """
    recipient = Recipient.objects.filter(key=recipient_key, in_register=True).first()
    if recipient is None:
        raise DisclosureError(
            _("« %(key)s » is not a recipient of the register: register it first.")
            % {"key": recipient_key}
        )
    keys = list(dict.fromkeys(c.strip() for c in categories if c and c.strip()))
    if not keys:
        raise DisclosureError(_("Name at least one data category sent."))
    known = set(DataCategory.objects.filter(key__in=keys).values_list("key", flat=True))
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise DisclosureError(
            _("Not a data category of the register: %(keys)s") % {"keys": ", ".join(unknown)}
        )
    if disclosed_at.tzinfo is None:
        raise DisclosureError(_("The date of the disclosure needs a time zone."))
    with transaction.atomic():
        existing = Disclosure.objects.filter(
            person=person, recipient=recipient, disclosed_at=disclosed_at, reference=reference
        ).first()
        if existing is not None:
            return existing, False
        if legal_basis.strip() != LEGAL_CLAIMS and is_restricted(person, keys):
            raise DisclosureError(
                _(
                    "This person's data is restricted (« LIMITÉ », Art. 18): it may go out "
                    "only for legal claims (legal basis « %(basis)s »)."
                )
                % {"basis": LEGAL_CLAIMS}
            )
        operator = actor.user if actor.kind == "user" else None
        try:
            with transaction.atomic():
                disclosure = Disclosure.objects.create(
                    person=person,
                    recipient=recipient,
                    categories=keys,
                    disclosed_at=disclosed_at,
                    purpose=purpose,
                    legal_basis=legal_basis,
                    reference=reference,
                    channel=channel,
                    operator=operator,
                )
        except IntegrityError:
            # The same line recorded at the same moment by another request.
            return Disclosure.objects.get(
                person=person, recipient=recipient, disclosed_at=disclosed_at, reference=reference
            ), False
        record_event(
            actor,
            DisclosureAction.DISCLOSURE_RECORD,
            disclosure,
            extra={
                "recipient": recipient.key,
                "categories": keys,
                "channel": str(channel),
                # The reference is free text (it may name someone): the log says only
                # whether there is one; the row itself holds it.
                "with_reference": bool(reference),
            },
        )
    return disclosure, True


def disclosures_of(person: Person) -> list[Disclosure]:
    """The person's disclosure log, newest first (access package R51 item 5, R57)."""
    return list(Disclosure.objects.filter(person=person).select_related("recipient"))


@dataclass(frozen=True)
class Received:
    """What one recipient received about a person: the categories and the last date."""

    recipient: Recipient
    categories: tuple[str, ...]
    last_disclosed_at: dt.datetime


def recipients_of(person: Person, categories: Iterable[str] | None = None) -> list[Received]:
    """Each recipient that received the person's data, restricted to ``categories`` when
    given (those affected by a rectification, erasure or restriction; R57)."""
    wanted = None if categories is None else set(categories)
    found: dict[int, tuple[Recipient, dict[str, None], dt.datetime]] = {}
    for disclosure in disclosures_of(person):
        sent = [c for c in disclosure.categories if wanted is None or c in wanted]
        if not sent:
            continue
        recipient, cats, last = found.get(
            disclosure.recipient_id, (disclosure.recipient, {}, disclosure.disclosed_at)
        )
        cats.update(dict.fromkeys(sent))
        found[disclosure.recipient_id] = (recipient, cats, max(last, disclosure.disclosed_at))
    return [
        Received(recipient, tuple(cats), last)
        for recipient, cats, last in sorted(found.values(), key=lambda item: item[0].key)
    ]


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def category_words(keys: Iterable[str], lang: str | None = None) -> list[str]:
    """Register data-category keys as their labels, in the page's language."""
    lang = lang or _lang()
    keys = list(keys)
    labels = {
        c.key: (c.label_en if lang == "en" else c.label_fr)
        for c in DataCategory.objects.filter(key__in=keys)
    }
    return [labels.get(k, k) for k in keys]


def registered_recipients() -> list[Recipient]:
    """The recipients a disclosure may name: those of the current register, by name."""
    lang = _lang()
    return sorted(Recipient.objects.filter(in_register=True), key=lambda r: r.name(lang).lower())


def find_person(*, email: str = "", person_id: uuid.UUID | None = None) -> Person | None:
    """The live person with this id, or with this address (main or further)."""
    if person_id is not None:
        return Person.objects.filter(pk=person_id, shredded_at__isnull=True).first()
    if email:
        return find_by_email(email)
    return None
