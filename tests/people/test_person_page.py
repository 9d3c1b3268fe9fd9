"""The person page: job title, contact points, consents per purpose with the proof
link, and the way to every source holding the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from vigie.consent.services import record_consent, withdraw
from vigie.consent.wording import consent_wording
from vigie.people.models import ContactKind
from vigie.people.services import add_contact_point, create_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def person(cli_actor):
    person = create_person(
        cli_actor,
        email="lea.bernard@exemple.fr",
        first_name="Léa",
        last_name="Bernard",
        job_title="Responsable informatique",
    )
    add_contact_point(cli_actor, person, ContactKind.PHONE, "04 42 00 00 00")
    return person


def _consent(actor, person, purpose: str) -> None:
    record_consent(
        actor,
        person,
        purpose,
        wording=consent_wording(purpose, "fr"),
        method="web_form",
        channel="https://exemple.fr/newsletter/",
    )


def test_it_shows_the_job_title_contact_points_and_consent_per_purpose(
    signed_in, privacy_lead, person, cli_actor
) -> None:
    _consent(cli_actor, person, "newsletter")
    _consent(cli_actor, person, "offres")
    withdraw(cli_actor, person, "offres", method="web_form", channel="lien")
    page = signed_in(privacy_lead).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Responsable informatique" in page
    assert "+33442000000" in page
    consents = page[page.index('id="consents"') :]
    assert "Lettre d&#x27;information</td><td>Inscrit(e)</td>" in consents
    assert "Désinscrit" in consents
    assert "Jamais demandé" in consents
    assert reverse("consent:proof", args=[person.pk]) in consents
    assert reverse("sources:person", args=[person.pk]) in page


def test_a_role_without_consent_access_sees_no_consent_section(
    signed_in, make_staff, person, cli_actor
) -> None:
    # Sales may read consents; a role that reads people but not consents does not exist
    # yet, so the panel's own check is exercised directly.
    from django.test import RequestFactory

    from vigie.consent.person_panel import consent_panel

    request = RequestFactory().get("/")
    request.user = make_staff("technician")
    assert consent_panel(request, person) is None
    sales_page = signed_in(make_staff("sales")).get(reverse("people:detail", args=[person.pk]))
    assert 'id="consents"' in sales_page.content.decode()


def test_a_double_opt_in_left_unconfirmed_shows_the_state_before_it(
    signed_in, privacy_lead, person, cli_actor
) -> None:
    from django.utils import timezone

    from vigie.consent.models import Subscription
    from vigie.consent.services import start_double_opt_in

    start_double_opt_in(
        cli_actor, person, "newsletter", wording=consent_wording("newsletter", "fr")
    )
    url = reverse("people:detail", args=[person.pk])
    client = signed_in(privacy_lead)
    pending = client.get(url).content.decode()
    assert "expirée le" not in pending[pending.index('id="consents"') :]
    # Seven days later (R43), still unconfirmed.
    Subscription.objects.filter(person=person).update(
        pending_expires_at=timezone.now() - timedelta(minutes=1)
    )
    lapsed = client.get(url).content.decode()
    consents = lapsed[lapsed.index('id="consents"') :]
    newsletter = consents[: consents.index("</tr>", consents.index("Lettre"))]
    # The sign-up lapsed and nothing was asked before it.
    assert "Jamais demandé" in newsletter
    assert "double confirmation non faite, expirée le" in newsletter
