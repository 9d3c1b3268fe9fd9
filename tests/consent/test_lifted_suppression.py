"""R41, R43: lifting a suppression keeps its entry, marked lifted by the person's new
act (the confirmation event); the audience check no longer counts it, and a new
withdrawal suppresses again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.consent.conftest import WORDING
from vigie.accounts.permissions import Role
from vigie.consent import services
from vigie.consent.audience import check_audience
from vigie.consent.models import ConsentEvent, Kind, Method, SuppressionEntry

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ADDRESS = "retour@exemple.fr"


def _resubscribe(person, purpose: str = "newsletter") -> ConsentEvent:
    token = services.start_double_opt_in(
        services.subject_actor("198.51.100.7"), person, purpose, wording=WORDING
    )
    assert token is not None
    services.confirm_double_opt_in(token, ip="198.51.100.7")
    return ConsentEvent.objects.get(person=person, kind=Kind.CONFIRM, purpose=purpose)


@pytest.fixture
def returning(make_person, subscribe, staff_actor):
    person = make_person(ADDRESS)
    subscribe(person)
    services.withdraw(staff_actor, person, "newsletter", method=Method.PHONE)
    return person


def test_the_lifted_entry_stays_marked_with_the_confirmation_that_lifted_it(returning) -> None:
    entry = SuppressionEntry.objects.get(scope="newsletter")
    confirmation = _resubscribe(returning)
    entry.refresh_from_db()
    assert entry.lifted_at == confirmation.occurred_at
    assert entry.lifted_by == confirmation
    assert SuppressionEntry.objects.count() == 1
    assert check_audience("newsletter", [ADDRESS])[0].allowed
    assert not services.is_suppressed(ADDRESS, "newsletter")


def test_an_objection_lifted_for_one_purpose_keeps_the_others_suppressed(
    make_person, subscribe, staff_actor
) -> None:
    person = make_person(ADDRESS)
    subscribe(person)
    services.object_to_marketing(staff_actor, person, method=Method.PHONE)
    confirmation = _resubscribe(person)
    everything = SuppressionEntry.objects.get(scope="all")
    assert everything.lifted_by == confirmation
    assert check_audience("newsletter", [ADDRESS])[0].allowed
    assert check_audience("offres", [ADDRESS])[0].reason == "OBJECTED"
    assert services.is_suppressed(ADDRESS, "offres_partenaires")
    active = SuppressionEntry.objects.filter(lifted_at__isnull=True)
    assert "newsletter" not in set(active.values_list("scope", flat=True))


def test_a_new_withdrawal_suppresses_again_and_keeps_the_lifted_entry(
    returning, staff_actor
) -> None:
    _resubscribe(returning)
    services.withdraw(staff_actor, returning, "newsletter", method=Method.EMAIL)
    entries = SuppressionEntry.objects.order_by("pk")
    assert [e.lifted_at is None for e in entries] == [False, True]
    assert services.is_suppressed(ADDRESS, "newsletter")
    assert check_audience("newsletter", [ADDRESS])[0].reason == "SUPPRESSED"
    # And the person may come back once more: the new entry is lifted in turn.
    _resubscribe_again = services.start_double_opt_in(
        services.subject_actor(), returning, "newsletter", wording=WORDING
    )
    assert _resubscribe_again is not None
    services.confirm_double_opt_in(_resubscribe_again)
    assert SuppressionEntry.objects.filter(lifted_at__isnull=False).count() == 2
    assert check_audience("newsletter", [ADDRESS])[0].allowed


def test_the_person_history_and_the_suppression_list_show_the_lifting(
    returning, make_staff, signed_in
) -> None:
    confirmation = _resubscribe(returning)
    day = timezone.localtime(confirmation.occurred_at).strftime("%d/%m/%Y")
    client = signed_in(make_staff(Role.PRIVACY_LEAD))
    history = client.get(f"/backoffice/consent/people/{returning.pk}/")
    assert history.status_code == 200
    assert f"Levée par la personne le {day}" in history.content.decode()
    listing = client.get("/backoffice/consent/suppression/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert f"Levée par la personne le {day}" in page
    assert f"n° {confirmation.pk}" in page
    # Never readable as a list of contacts (R41).
    assert ADDRESS not in page


def test_the_person_page_shows_the_lifted_suppression(returning, make_staff, signed_in) -> None:
    confirmation = _resubscribe(returning)
    day = timezone.localtime(confirmation.occurred_at).strftime("%d/%m/%Y")
    client = signed_in(make_staff(Role.PRIVACY_LEAD))
    page = client.get(f"/backoffice/people/{returning.pk}/").content.decode()
    consents = page[page.index('id="consents"') :]
    assert f"Levée par la personne le {day}" in consents
