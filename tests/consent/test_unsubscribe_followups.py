"""R39: a second visit of an unsubscribe link says so without a button; after
unsubscribing the page offers, unticked, to stop every commercial e-mail; the
withdrawal event records how it came, as a field (R34, R40)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from vigie.accounts.permissions import Role
from vigie.consent.models import ConsentEvent, Kind, Method, Status, Subscription
from vigie.lib.tokens import make_token

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def subscriber(make_person, subscribe):
    person = make_person("abonnee@exemple.fr")
    subscribe(person, "newsletter")
    subscribe(person, "offres")
    return person


def _path(person, purpose: str = "newsletter") -> str:
    return f"/u/{make_token(person.id, purpose)}"


def test_a_second_visit_says_already_unsubscribed_without_a_button(subscriber) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    path = _path(subscriber)
    client.post(path, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vous êtes déjà désinscrit(e)" in page
    assert "<button" not in page and "<form" not in page


def test_after_unsubscribing_the_page_offers_to_stop_everything_unticked(subscriber) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    path = _path(subscriber)
    response = client.post(path, {"List-Unsubscribe": "One-Click", "from": "page"})
    page = response.content.decode()
    assert "Vous êtes désinscrit(e)" in page
    assert 'type="checkbox" name="scope" value="all"' in page
    assert "checked" not in page
    assert "Ne plus recevoir aucun e-mail commercial" in page
    assert Subscription.objects.get(person=subscriber, purpose="offres").status == (
        Status.SUBSCRIBED
    )
    # Ticking it and pressing the button objects to every marketing purpose.
    client.post(path, {"from": "page", "scope": "all"})
    states = set(Subscription.objects.filter(person=subscriber).values_list("status", flat=True))
    assert states == {Status.OBJECTED}
    assert ConsentEvent.objects.get(kind=Kind.OBJECT).method == Method.UNSUBSCRIBE_PAGE


def test_the_withdrawal_records_how_it_came(subscriber) -> None:
    client = Client()
    client.post(_path(subscriber), data=ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert ConsentEvent.objects.get(kind=Kind.WITHDRAW, purpose="newsletter").method == (
        Method.ONE_CLICK
    )
    client.post(_path(subscriber, "offres"), {"List-Unsubscribe": "One-Click", "from": "page"})
    assert ConsentEvent.objects.get(kind=Kind.WITHDRAW, purpose="offres").method == (
        Method.UNSUBSCRIBE_PAGE
    )


def test_the_preference_centre_records_its_method(subscriber) -> None:
    path = f"/preferences/{make_token(subscriber.id, 'newsletter')}"
    Client().post(path, {"purposes": ["offres"]})
    withdrawal = ConsentEvent.objects.get(kind=Kind.WITHDRAW, purpose="newsletter")
    assert withdrawal.method == Method.PREFERENCE_CENTRE


def test_the_proof_page_names_the_method(subscriber, make_staff, signed_in) -> None:
    Client().post(
        _path(subscriber), data=ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )
    client = signed_in(make_staff(Role.PRIVACY_LEAD))
    page = client.get(f"/backoffice/consent/people/{subscriber.pk}/").content.decode()
    assert "Désinscription en un clic (RFC 8058)" in page


@pytest.mark.parametrize("method", [Method.EMAIL, Method.MAILTO, Method.STAFF])
def test_staff_record_a_withdrawal_received_by_e_mail_with_its_method(
    subscriber, make_staff, signed_in, method
) -> None:
    client = signed_in(make_staff(Role.PRIVACY_LEAD))
    response = client.post(
        f"/backoffice/consent/people/{subscriber.pk}/record/",
        {"action": "withdraw", "purpose": "offres", "method": method, "wording": ""},
    )
    assert response.status_code == 302
    assert ConsentEvent.objects.get(kind=Kind.WITHDRAW, purpose="offres").method == method
    page = client.get(f"/backoffice/consent/people/{subscriber.pk}/").content.decode()
    with translation.override("fr"):
        assert str(Method(method).label) in page.replace("&#x27;", "'")
