"""The back-office home: a panel per domain the role may see, with real counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vigie.consent.services import object_to_marketing, record_consent, withdraw
from vigie.consent.wording import consent_wording
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_message
from vigie.people.models import Person, Source
from vigie.people.services import create_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def activity(cli_actor):
    people = [
        create_person(cli_actor, email=f"p{n}@exemple.fr", first_name="A", last_name=f"N{n}")
        for n in range(4)
    ]
    for person in people[:3]:
        record_consent(
            cli_actor,
            person,
            "newsletter",
            wording=consent_wording("newsletter", "fr"),
            method="web_form",
            channel="https://exemple.fr/",
        )
    withdraw(cli_actor, people[0], "newsletter", method="web_form", channel="lien")
    object_to_marketing(cli_actor, people[1], method="phone", channel="appel")
    # A partner-sourced person whose Art. 14 notice is late.
    late = create_person(
        cli_actor,
        email="late@exemple.fr",
        source=Source.PARTNER,
        source_name="Salon",
        partner_permission_ref="contrat",
        collected_at=timezone.now() - timedelta(days=60),
    )
    failed = queue_message(cli_actor, people[2], "art14_notice", kind="service", context={})
    Message.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    return [*people, late]


def _panel(page: str, name: str) -> str:
    start = page.index(f'id="panel-{name}"')
    return page[start : page.index("</article>", start)]


def test_the_privacy_lead_sees_every_built_domain_with_its_counts(
    signed_in, privacy_lead, activity
) -> None:
    page = signed_in(privacy_lead).get(reverse("web:backoffice-home")).content.decode()
    assert '<p class="figure">5</p>' in _panel(page, "people")
    assert "1 information art. 14 en retard" in _panel(page, "people")
    consent = _panel(page, "consent")
    assert "3 consentements donnés" in consent
    assert "2 désinscriptions ou oppositions" in consent
    # Withdrawal: one address for newsletter; objection: one address for all.
    assert "Liste d’opposition : 2 adresses" in consent
    outbox = _panel(page, "outbox")
    assert "1 message en échec" in outbox and "?status=failed" in outbox
    assert 'id="panel-sources"' in page and 'id="panel-register"' in page
    # Domains not built yet are not shown at all.
    assert "Demandes d’exercice" not in page and "Violations" not in page
    assert "Rien ici pour l’instant" not in page


def test_a_technician_sees_no_panel_of_a_domain_they_may_not_see(
    signed_in, technician, activity
) -> None:
    page = signed_in(technician).get(reverse("web:backoffice-home")).content.decode()
    # Only the way to record a rights request they received (R46), without any count.
    assert re.findall(r'id="panel-(\w+)"', page) == ["rights"]
    assert 'href="/backoffice/rights/new/"' in page and "demandes ouvertes" not in page


def test_an_auditor_sees_consents_sources_and_register_but_not_people_or_outbox(
    signed_in, auditor, activity
) -> None:
    page = signed_in(auditor).get(reverse("web:backoffice-home")).content.decode()
    for shown in ("consent", "sources", "register", "audit"):
        assert f'id="panel-{shown}"' in page
    for hidden in ("people", "outbox"):
        assert f'id="panel-{hidden}"' not in page


def test_the_home_counts_with_a_bounded_number_of_queries(
    signed_in, privacy_lead, activity, cli_actor, django_assert_max_num_queries
) -> None:
    client = signed_in(privacy_lead)
    client.get(reverse("web:backoffice-home"))
    for n in range(20):
        create_person(cli_actor, email=f"more{n}@exemple.fr")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:backoffice-home"))
    assert f'<p class="figure">{Person.objects.count()}</p>' in response.content.decode()
