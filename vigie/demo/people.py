"""Demo people with realistic shapes (Faker fr_FR), created once by `vigie demo`."""

from __future__ import annotations

import random
import unicodedata
from datetime import timedelta

from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.people.models import Organisation, OrganisationKind, Person, Source, SubjectType
from vigie.people.services import create_person

PERSONAL_DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net"]
JOB_TITLES = [
    "Responsable informatique",
    "Directrice administrative et financière",
    "Gérant",
    "Assistante de direction",
    "Responsable des achats",
    "Technicien support",
    "Office manager",
    "Directeur commercial",
]


def create_demo_people(count: int = 300, *, seed: int = 2026) -> list[Person]:
    """Create ``count`` people once (nothing if people already exist); return them."""
    if Person.objects.exists():
        return []
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    # Job titles draw from their own generator: the rest of the demo stays as it was.
    jobs = random.Random(seed + 1)  # noqa: S311 (demo data, not secrets)
    actor = Actor.cli("demo")
    companies = [
        Organisation.objects.create(name=fake.company(), kind=OrganisationKind.CLIENT_COMPANY)
        for _ in range(25)
    ]
    partner = Organisation.objects.create(
        name="Salon IT Sud (partenaire)", kind=OrganisationKind.PARTNER
    )
    # Client companies' contact mailboxes, where breach and client notices go.
    from vigie.people.organisations import set_organisation_contact

    for company in companies:
        set_organisation_contact(actor, company, f"rgpd@{fake.domain_name()}")
    people = []
    now = timezone.now()
    for n in range(count):
        first, last = fake.first_name(), fake.last_name()
        # Mailbox names without accents, as most real ones still are.
        slug = (
            unicodedata.normalize("NFKD", f"{first}.{last}".lower().replace(" ", "-"))
            .encode("ascii", "ignore")
            .decode("ascii")
        )
        kind = rng.random()
        collected = now - timedelta(days=rng.randint(1, 1500))
        fields: dict = {
            "first_name": first,
            "last_name": last,
            "phone": fake.phone_number(),
            "collected_at": collected,
        }
        if kind < 0.45:
            company = rng.choice(companies)
            domain = company.name.lower().split()[0].strip(",.") + ".fr"
            fields.update(
                email=f"{slug}.{n}@{domain}",
                organisation=company,
                subject_types=[SubjectType.CLIENT_CONTACT_B2B],
                informed_of_opt_out=True,
                job_title=jobs.choice(JOB_TITLES),
            )
        elif kind < 0.70:
            fields.update(
                email=f"{slug}.{n}@{rng.choice(PERSONAL_DOMAINS)}",
                subject_types=[SubjectType.CLIENT_INDIVIDUAL_B2C],
            )
        elif kind < 0.85:
            fields.update(
                email=f"{slug}.{n}@{rng.choice(PERSONAL_DOMAINS)}",
                subject_types=[SubjectType.PROSPECT_B2C, SubjectType.NEWSLETTER_SUBSCRIBER],
            )
        else:
            fields.update(
                email=f"{slug}.{n}@{fake.domain_name()}",
                subject_types=[SubjectType.PARTNER_SOURCED_CONTACT, SubjectType.PROSPECT_B2B],
                source=Source.PARTNER,
                source_name=partner.name,
                job_title=jobs.choice(JOB_TITLES),
                partner_permission_ref="Contrat de partenariat 2026-07, clause 4",
                collected_at=now - timedelta(days=rng.randint(1, 40)),
            )
        people.append(create_person(actor, **fields))
    _demo_consents(people, rng)
    return people


def _demo_consents(people: list[Person], rng: random.Random) -> None:
    """Realistic consent histories: subscribers, some unsubscribed, a few objections."""
    from vigie.consent.services import object_to_marketing, record_consent, withdraw
    from vigie.consent.wording import consent_wording

    actor = Actor.cli("demo")
    _demo_segments(actor, people)
    for person in people:
        roll = rng.random()
        if SubjectType.PARTNER_SOURCED_CONTACT in person.subject_types or roll > 0.55:
            continue
        record_consent(
            actor,
            person,
            "newsletter",
            wording=consent_wording("newsletter", "fr"),
            method="web_form",
            channel="https://www.semi-informatique.com/newsletter/",
            occurred_at=person.collected_at,
        )
        if roll < 0.25:
            record_consent(
                actor,
                person,
                "offres",
                wording=consent_wording("offres", "fr"),
                method="web_form",
                channel="https://www.semi-informatique.com/newsletter/",
                occurred_at=person.collected_at,
            )
        if roll < 0.06:
            object_to_marketing(actor, person, method="phone", channel="demo: appel au standard")
        elif roll < 0.15:
            withdraw(
                actor,
                person,
                "newsletter",
                method="unsubscribe_page",
                channel="demo: lien de désinscription",
            )


def _demo_segments(actor: Actor, people: list[Person]) -> None:
    """Two targeting segments, filled before the objections so that those remove people (R42)."""
    from vigie.consent.segments import add_to_segment, create_segment

    business = [p for p in people if SubjectType.CLIENT_CONTACT_B2B in p.subject_types]
    clients = create_segment(actor, "Clients PME", "offres", "Contacts des clients professionnels")
    add_to_segment(actor, clients, business)
    letter = create_segment(actor, "Lettre d’information", "newsletter", "Toutes les personnes")
    add_to_segment(actor, letter, people)
