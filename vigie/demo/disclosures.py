"""A few disclosures for the demo (R22), so the person page, the personal space and the
case page show something: intervention #123 dispatched to the technical
subcontractors, an unpaid invoice handed to the debt collectors, both about the person
of the demo's rectification case, whose Art. 19 tasks are then opened (R57)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.disclosures.models import Channel, Disclosure
from vigie.disclosures.services import DisclosureError, record_disclosure
from vigie.rights.art19 import open_notices
from vigie.rights.models import Case, NoticeTrigger

#: (recipient key, categories, days ago, reference, purpose, legal basis, channel)
DISCLOSURES = (
    (
        "technical-subcontractors",
        ["identity-contact", "hotline-tickets"],
        40,
        "intervention #123",
        "interventions-remote-maintenance",
        "RGPD art. 6(1)(b) : exécution du contrat",
        Channel.API,
    ),
    (
        "debt-collectors",
        ["identity-contact", "billing-accounting"],
        20,
        "dossier de recouvrement FAC-2026-0042",
        "billing-accounting",
        "RGPD art. 6(1)(f) : recouvrement des créances",
        Channel.STAFF,
    ),
)


def create_demo_disclosures() -> int:
    """Log the demo's disclosures once (nothing when one exists); return how many."""
    if Disclosure.objects.exists():
        return 0
    cases = Case.objects.filter(person__isnull=False).select_related("person")
    case = next((c for c in cases.order_by("received_at") if c.types == ["rectification"]), None)
    if case is None or case.person is None:
        return 0
    actor = Actor.cli("demo")
    now = timezone.now()
    count = 0
    for key, categories, days, reference, purpose, basis, channel in DISCLOSURES:
        try:
            record_disclosure(
                actor,
                case.person,
                key,
                categories,
                now - timedelta(days=days),
                purpose=purpose,
                legal_basis=basis,
                reference=reference,
                channel=channel,
            )
        except DisclosureError:
            # Another company's register without these recipients: nothing to show.
            continue
        count += 1
    if case.is_open:
        open_notices(actor, case, NoticeTrigger.RECTIFICATION, ["identity-contact"])
    return count
