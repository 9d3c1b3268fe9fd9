"""Vigie's own store as a source, with the same four calls as an external one (Art. 15, 17).

``find`` looks the subject up by any of their addresses (the person's own and every
further contact point, through the blind indexes) and reads everything Vigie holds
on them: the person (decrypted), their contact points, consent proofs, subscriptions,
segment memberships, outbox messages, and whether their addresses are on the
suppression list (by keyed hash: the list holds no address). Each row is grouped by
the register category its model declares for the fields shown (``PERSONAL_DATA``).

``erase`` reaches the same rows: it crypto-shreds the person through the people
services (R30: every copy of their fields and contact points, backups included,
becomes unreadable) and deletes their subscription state and segment memberships.
What the law wants kept is reported as kept, with its ground: consent events (Art.
7(1), 5(2)), the suppression hashes (R41: the address must never be marketed again)
and the outbox log (ids only; nothing can be delivered once the person is shredded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet

from vigie.audit.actor import Actor
from vigie.consent.ledger import forget_subscriptions
from vigie.consent.models import ConsentEvent, SegmentMember, Subscription, SuppressionEntry
from vigie.consent.segments import remove_from_every_segment
from vigie.consent.suppression import suppression_hash
from vigie.disclosures.models import Disclosure
from vigie.mail.models import Message
from vigie.people.models import ContactPoint, Person
from vigie.people.services import (
    PersonData,
    PersonUnavailable,
    find_all_by_email,
    open_person,
    shred_person,
    update_contact_details,
    update_person,
)
from vigie.sources.rules import RetentionRule
from vigie.sources.types import (
    EraseReport,
    FindResult,
    FoundRow,
    Keep,
    KeptRow,
    Plan,
    PurgeReport,
    RectifiedValue,
    RectifyReport,
    Selection,
    Subject,
)

NAME = "vigie"
PERSON_TABLE = "people.person"
CONTACT_TABLE = "people.contactpoint"
CONSENT_TABLE = "consent.consentevent"
SUBSCRIPTION_TABLE = "consent.subscription"
SEGMENT_TABLE = "consent.segmentmember"
SUPPRESSION_TABLE = "consent.suppressionentry"
OUTBOX_TABLE = "mail.message"
DISCLOSURE_TABLE = "disclosures.disclosure"
IDENTITY = Person.PERSONAL_DATA["email_sealed"]
CONSENT_PROOFS = ConsentEvent.PERSONAL_DATA["wording"]
SUBSCRIPTIONS = Subscription.PERSONAL_DATA["status"]
TARGETING = SegmentMember.PERSONAL_DATA["segment"]
SUPPRESSION = SuppressionEntry.PERSONAL_DATA["address_hash"]
OUTBOX = Message.PERSONAL_DATA["sent_at"]
DISCLOSURES = Disclosure.PERSONAL_DATA["reference"]
CONSENT_GROUND = "RGPD art. 7(1), 5(2) : preuve du consentement et de son retrait"
SUPPRESSION_GROUND = (
    "RGPD art. 21(3), CNIL (liste d'opposition) : empreinte de l'adresse seulement, "
    "pour ne plus jamais la prospecter"
)
OUTBOX_GROUND = (
    "RGPD art. 5(2) : journal des messages envoyés (identifiants seulement, "
    "plus aucun envoi possible une fois la personne effacée)"
)
#: What the outbox shows of a message: never its context (ids for the templates).
OUTBOX_FIELDS = ("kind", "template", "purpose", "status", "created_at", "sent_at")
#: Fields shown decrypted under another name than the sealed column that holds them.
SEALED_AS = {
    "email": "email_sealed",
    "first_name": "first_name_sealed",
    "last_name": "last_name_sealed",
    "phone": "phone_sealed",
    "job_title": "job_title_sealed",
    "value": "value_sealed",
}


def _rows(table: str, key: str, model: type[Model], values: dict[str, Any]) -> list[FoundRow]:
    """One row's values, split by the register category its model declares per field."""
    declared: dict[str, str] = getattr(model, "PERSONAL_DATA")  # noqa: B009 - declared per model
    grouped: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        category = declared[SEALED_AS.get(name, name)]
        grouped.setdefault(category, {})[name] = value
    return [FoundRow(table, key, category, found) for category, found in grouped.items()]


class BuiltinSource:
    """Everything Vigie itself holds on a person."""

    name = NAME

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def people(self, subject: Subject) -> list[Person]:
        """Every live person with any of the subject's addresses (main or further)."""
        found: dict[Any, Person] = {}
        for email in subject.values("email"):
            # Several people may share an address: an erasure must reach every one.
            for person in find_all_by_email(email):
                found[person.pk] = person
        return list(found.values())

    def _opened(self, subject: Subject) -> list[tuple[Person, PersonData]]:
        opened = []
        for person in self.people(subject):
            try:
                opened.append((person, open_person(person)))
            except PersonUnavailable:
                continue
        return opened

    def find(self, subject: Subject) -> FindResult:
        """The subject's rows in Vigie's store, grouped by register category (Art. 15)."""
        rows: list[FoundRow] = []
        opened = self._opened(subject)
        for person, data in opened:
            rows += self._person_rows(person, data)
            rows += self._marketing_rows(person)
            for message in Message.objects.filter(person=person).order_by("created_at"):
                values = {f: getattr(message, f) for f in OUTBOX_FIELDS}
                rows += _rows(OUTBOX_TABLE, str(message.pk), Message, values)
            rows += self._disclosure_rows(person)
        for entry in self._suppressions(subject, opened):
            values = {
                "scope": entry.scope,
                "reason": entry.reason,
                "created_at": entry.created_at,
                "lifted_at": entry.lifted_at,
            }
            rows += _rows(SUPPRESSION_TABLE, str(entry.pk), SuppressionEntry, values)
        return FindResult(NAME, tuple(rows))

    def _person_rows(self, person: Person, data: PersonData) -> list[FoundRow]:
        values: dict[str, Any] = {
            "email": data.email,
            "first_name": data.first_name,
            "last_name": data.last_name,
            "phone": data.phone,
            "job_title": data.job_title,
            "organisation": person.organisation.name if person.organisation else "",
            "subject_types": list(person.subject_types),
            "source": person.source,
            "source_name": person.source_name,
            "collected_at": person.collected_at,
            "partner_permission_ref": person.partner_permission_ref,
        }
        # Dates that are only there for some people are shown only when set.
        for field in ("art14_notice_due_at", "art14_notice_sent_at", "informed_of_opt_out_at"):
            if getattr(person, field) is not None:
                values[field] = getattr(person, field)
        rows = _rows(PERSON_TABLE, str(person.pk), Person, values)
        for point in data.contact_points:
            rows += _rows(
                CONTACT_TABLE,
                point.id,
                ContactPoint,
                {"kind": point.kind, "usage": point.usage, "value": point.value},
            )
        return rows

    @staticmethod
    def _disclosure_rows(person: Person) -> list[FoundRow]:
        """The disclosure log (R22): who received what, when (Art. 15(1)(c))."""
        rows: list[FoundRow] = []
        found = Disclosure.objects.filter(person=person).select_related("recipient")
        for disclosure in found.order_by("disclosed_at", "pk"):
            values = {
                "recipient": disclosure.recipient.key,
                "categories": list(disclosure.categories),
                "disclosed_at": disclosure.disclosed_at,
                "purpose": disclosure.purpose,
                "legal_basis": disclosure.legal_basis,
                "reference": disclosure.reference,
            }
            rows += _rows(DISCLOSURE_TABLE, str(disclosure.pk), Disclosure, values)
        return rows

    def _marketing_rows(self, person: Person) -> list[FoundRow]:
        rows: list[FoundRow] = []
        for event in ConsentEvent.objects.filter(person=person).order_by("occurred_at"):
            values = {
                "purpose": event.purpose,
                "kind": event.kind,
                "method": event.method,
                "wording": event.wording,
                "channel": event.channel,
                "policy_version": event.policy_version,
                "occurred_at": event.occurred_at,
                "confirmed_at": event.confirmed_at,
                "ip": event.ip,
                "proof_ref": event.proof_ref,
            }
            rows += _rows(CONSENT_TABLE, str(event.pk), ConsentEvent, values)
        for sub in Subscription.objects.filter(person=person).order_by("purpose"):
            values = {
                "purpose": sub.purpose,
                "status": sub.status,
                "soft_opt_in": sub.soft_opt_in,
                "since": sub.since,
                "pending_expires_at": sub.pending_expires_at,
            }
            rows += _rows(SUBSCRIPTION_TABLE, str(sub.pk), Subscription, values)
        members = SegmentMember.objects.filter(person=person).select_related("segment")
        for member in members.order_by("added_at"):
            values = {"segment": member.segment.name, "added_at": member.added_at}
            rows += _rows(SEGMENT_TABLE, str(member.pk), SegmentMember, values)
        return rows

    def _suppressions(
        self, subject: Subject, opened: Iterable[tuple[Person, PersonData]]
    ) -> QuerySet[SuppressionEntry]:
        """Suppression entries of any of the subject's addresses, matched by keyed hash.

        Also for an address no person holds any more: the list outlives the people."""
        addresses = set(subject.values("email"))
        for _person, data in opened:
            addresses.update(data.emails)
        hashes = [suppression_hash(address) for address in sorted(addresses)]
        return SuppressionEntry.objects.filter(address_hash__in=hashes).order_by("created_at")

    def erase(self, subject: Subject, plan: Plan | None = None) -> EraseReport:
        """Erase what ``find`` shows, unless the plan keeps its category; report what the
        law keeps (consent proofs, suppression hashes, the outbox log) as kept."""
        plan = plan or {}
        report = EraseReport(NAME)
        opened = self._opened(subject)
        suppressed = list(self._suppressions(subject, opened).values_list("pk", flat=True))
        for person, _data in opened:
            key = str(person.pk)
            points = [
                str(pk)
                for pk in ContactPoint.objects.filter(person=person).values_list("pk", flat=True)
            ]
            choice = plan.get(IDENTITY)
            if isinstance(choice, Keep):
                report.kept.append(
                    KeptRow(PERSON_TABLE, key, IDENTITY, choice.ground, choice.until)
                )
                report.outcome(PERSON_TABLE).kept += 1
                report.kept += [
                    KeptRow(CONTACT_TABLE, pk, IDENTITY, choice.ground, choice.until)
                    for pk in points
                ]
                report.outcome(CONTACT_TABLE).kept += len(points)
            else:
                # Shredding the key makes the contact points unreadable too (same key).
                shred_person(self.actor, person)
                report.outcome(PERSON_TABLE).updated += 1
                report.outcome(CONTACT_TABLE).updated += len(points)
            self._erase_marketing(person, plan, report)
            self._erase_disclosures(person, plan, report)
            events = [
                str(pk)
                for pk in ConsentEvent.objects.filter(person=person).values_list("pk", flat=True)
            ]
            self._keep(report, CONSENT_TABLE, events, CONSENT_PROOFS, CONSENT_GROUND)
            messages = [
                str(pk) for pk in Message.objects.filter(person=person).values_list("pk", flat=True)
            ]
            self._keep(report, OUTBOX_TABLE, messages, OUTBOX, OUTBOX_GROUND)
        self._keep(
            report,
            SUPPRESSION_TABLE,
            [str(pk) for pk in suppressed],
            SUPPRESSION,
            SUPPRESSION_GROUND,
        )
        return report

    def _erase_marketing(self, person: Person, plan: Plan, report: EraseReport) -> None:
        for table, category, model, forget in (
            (SUBSCRIPTION_TABLE, SUBSCRIPTIONS, Subscription, forget_subscriptions),
            (SEGMENT_TABLE, TARGETING, SegmentMember, remove_from_every_segment),
        ):
            choice = plan.get(category)
            if isinstance(choice, Keep):
                keys = [
                    str(pk)
                    for pk in model.objects.filter(person=person).values_list("pk", flat=True)
                ]
                report.kept += [
                    KeptRow(table, k, category, choice.ground, choice.until) for k in keys
                ]
                report.outcome(table).kept += len(keys)
            else:
                with transaction.atomic():
                    report.outcome(table).deleted += forget(person)

    @staticmethod
    def _erase_disclosures(person: Person, plan: Plan, report: EraseReport) -> None:
        """The log goes with the person, unless the plan keeps its category (the
        Art. 19 notices are opened from it before the erasure runs)."""
        disclosures = Disclosure.objects.filter(person=person)
        choice = plan.get(DISCLOSURES)
        if isinstance(choice, Keep):
            keys = [str(pk) for pk in disclosures.values_list("pk", flat=True)]
            report.kept += [
                KeptRow(DISCLOSURE_TABLE, k, DISCLOSURES, choice.ground, choice.until) for k in keys
            ]
            report.outcome(DISCLOSURE_TABLE).kept += len(keys)
            return
        with transaction.atomic():
            deleted, _by_model = disclosures.delete()
        report.outcome(DISCLOSURE_TABLE).deleted += deleted

    @staticmethod
    def _keep(report: EraseReport, table: str, keys: list[str], category: str, ground: str) -> None:
        """Kept by law; the end date stays empty until the built-in store's retention exists."""
        report.kept += [KeptRow(table, key, category, ground, None) for key in keys]
        report.outcome(table).kept += len(keys)

    def rectify(
        self, subject: Subject, changes: Mapping[str, Any], *, person: Person | None = None
    ) -> RectifyReport:
        """Write the new values in the person's sealed fields, through the people
        services (Art. 16): names and job title, main e-mail address (only where it is
        one of the subject's) and phone. One transaction; the old values come back in
        the report, never in the audit log (the services name the fields only).

        ``person``: the one person meant (a rights case knows them); others sharing one
        of the subject's addresses are then left alone."""
        report = RectifyReport(NAME)
        emails = {e.strip().lower() for e in subject.values("email")}
        opened = self._opened(subject)
        if person is not None:
            opened = [(p, d) for p, d in opened if p.pk == person.pk]
        with transaction.atomic():
            for found, data in opened:
                report.held = True
                names = {
                    a: str(changes[a]).strip()
                    for a in ("first_name", "last_name", "job_title")
                    if a in changes and str(changes[a] or "").strip() != getattr(data, a)
                }
                contact: dict[str, str] = {}
                if "phone" in changes and str(changes["phone"] or "") != data.phone:
                    contact["phone"] = str(changes["phone"] or "")
                if (
                    "email" in changes
                    and data.email.strip().lower() in emails
                    and str(changes["email"] or "").strip().lower() != data.email.lower()
                ):
                    contact["email"] = str(changes["email"] or "")
                # A rectification is what a restriction for contested accuracy waits
                # for (Art. 18(1)(a)): it goes through despite the restriction.
                if names:
                    update_person(
                        self.actor,
                        found,
                        first_name=names.get("first_name"),
                        last_name=names.get("last_name"),
                        job_title=names.get("job_title"),
                        despite_restriction=True,
                    )
                before = (
                    update_contact_details(
                        self.actor,
                        found,
                        email=contact.get("email"),
                        phone=contact.get("phone"),
                        despite_restriction=True,
                    )
                    if contact
                    else {}
                )
                olds = {**{a: getattr(data, a) for a in names}, **before}
                after = open_person(found) if olds else data
                report.changed += [
                    RectifiedValue(
                        PERSON_TABLE,
                        str(found.pk),
                        SEALED_AS[a],
                        a,
                        old,
                        getattr(after, a),
                        Person.PERSONAL_DATA[SEALED_AS[a]],
                    )
                    for a, old in olds.items()
                ]
        return report

    def expired(self, rule: RetentionRule, now: dt.datetime) -> Selection:
        """Always empty for now: the retention of the built-in store (R14) is not built
        yet; this says so rather than pretending nothing has expired."""
        return Selection(NAME, rule.category, now, ())

    def purge(self, selection: Selection) -> PurgeReport:
        """Nothing to purge until ``expired`` selects something (see its docstring)."""
        return PurgeReport(NAME)
