"""Vigie's own store as a source, with the same four calls as an external one (Art. 15, 17).

``find`` reads the person (decrypted), their provenance (R8), consent proofs and
subscriptions. ``erase`` crypto-shreds the person through the people services
(R30): every copy of their fields, backups included, becomes unreadable. Consent
events are proof the law wants kept (Art. 7(1), 5(2)): they are append-only and
reported as kept, not erased.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from vigie.audit.actor import Actor
from vigie.consent.models import ConsentEvent, Subscription
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, find_all_by_email, open_person, shred_person
from vigie.sources.rules import RetentionRule
from vigie.sources.types import (
    EraseReport,
    FindResult,
    FoundRow,
    Keep,
    KeptRow,
    Plan,
    PurgeReport,
    Selection,
    Subject,
)

NAME = "vigie"
PERSON_TABLE = "people.person"
CONSENT_TABLE = "consent.consentevent"
SUBSCRIPTION_TABLE = "consent.subscription"
IDENTITY = "identity-contact"
CONSENT_PROOFS = "consent-proofs"
SUBSCRIPTIONS = "newsletter-subscription"
CONSENT_GROUND = "RGPD art. 7(1), 5(2) : preuve du consentement et de son retrait"


class BuiltinSource:
    """The people and consents Vigie itself holds."""

    name = NAME

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def people(self, subject: Subject) -> list[Person]:
        found: dict[Any, Person] = {}
        for email in subject.values("email"):
            # Several people may share an address: an erasure must reach every one.
            for person in find_all_by_email(email):
                found[person.pk] = person
        return list(found.values())

    def find(self, subject: Subject) -> FindResult:
        """The subject's person rows (decrypted), consent proofs and subscriptions."""
        rows: list[FoundRow] = []
        for person in self.people(subject):
            key = str(person.pk)
            try:
                data = open_person(person)
            except PersonUnavailable:
                continue
            rows.append(
                FoundRow(
                    PERSON_TABLE,
                    key,
                    IDENTITY,
                    {
                        "email": data.email,
                        "first_name": data.first_name,
                        "last_name": data.last_name,
                        "phone": data.phone,
                        "job_title": data.job_title,
                        "subject_types": list(person.subject_types),
                        "source": person.source,
                        "source_name": person.source_name,
                        "collected_at": person.collected_at,
                        "partner_permission_ref": person.partner_permission_ref,
                    },
                )
            )
            for event in ConsentEvent.objects.filter(person=person).order_by("occurred_at"):
                rows.append(
                    FoundRow(
                        CONSENT_TABLE,
                        str(event.pk),
                        CONSENT_PROOFS,
                        {
                            "purpose": event.purpose,
                            "kind": event.kind,
                            "method": event.method,
                            "wording": event.wording,
                            "channel": event.channel,
                            "occurred_at": event.occurred_at,
                            "ip": event.ip,
                            "proof_ref": event.proof_ref,
                        },
                    )
                )
            for sub in Subscription.objects.filter(person=person).order_by("purpose"):
                rows.append(
                    FoundRow(
                        SUBSCRIPTION_TABLE,
                        str(sub.pk),
                        SUBSCRIPTIONS,
                        {"purpose": sub.purpose, "status": sub.status, "since": sub.since},
                    )
                )
        return FindResult(NAME, tuple(rows))

    def erase(self, subject: Subject, plan: Plan | None = None) -> EraseReport:
        """Crypto-shred each matching person, unless the plan keeps identity data.

        Consent events stay (append-only proof) and are reported as kept; their end
        date is left empty until the retention of the built-in store exists.
        """
        plan = plan or {}
        report = EraseReport(NAME)
        for person in self.people(subject):
            key = str(person.pk)
            choice = plan.get(IDENTITY)
            if isinstance(choice, Keep):
                kept = KeptRow(PERSON_TABLE, key, IDENTITY, choice.ground, choice.until)
                report.kept.append(kept)
                report.outcome(PERSON_TABLE).kept += 1
            else:
                shred_person(self.actor, person)
                report.outcome(PERSON_TABLE).updated += 1
            events = list(ConsentEvent.objects.filter(person=person).values_list("pk", flat=True))
            report.kept += [
                KeptRow(CONSENT_TABLE, str(pk), CONSENT_PROOFS, CONSENT_GROUND, None)
                for pk in events
            ]
            report.outcome(CONSENT_TABLE).kept += len(events)
        return report

    def expired(self, rule: RetentionRule, now: dt.datetime) -> Selection:
        """Always empty for now: the retention of the built-in store (R14) is not built
        yet; this says so rather than pretending nothing has expired."""
        return Selection(NAME, rule.category, now, ())

    def purge(self, selection: Selection) -> PurgeReport:
        """Nothing to purge until ``expired`` selects something (see its docstring)."""
        return PurgeReport(NAME)
