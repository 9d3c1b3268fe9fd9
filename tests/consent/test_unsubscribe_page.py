"""GET and POST /u/<token> (RFC 8058, R39): one click, no cookie, idempotent."""

from __future__ import annotations

import base64
import zlib

import pytest
from django.test import Client

from vigie.audit.models import Event
from vigie.consent.models import ConsentEvent, Kind, Status, Subscription
from vigie.lib.tokens import make_token, unsubscribe_url

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def subscriber(make_person, subscribe):
    person = make_person("abonne@exemple.fr")
    subscribe(person, "newsletter")
    return person


def _post_one_click(client: Client, url: str):
    return client.post(url, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


def test_a_get_shows_one_button_and_changes_nothing(subscriber) -> None:
    url = unsubscribe_url(subscriber.id, "newsletter")
    path = url.removeprefix("http://127.0.0.1:8000")
    before = Event.objects.count()
    response = Client().get(path)
    assert response.status_code == 200
    assert b'name="List-Unsubscribe" value="One-Click"' in response.content
    assert b"checked" not in response.content
    assert Subscription.objects.get(person=subscriber).status == Status.SUBSCRIBED
    assert Event.objects.count() == before
    assert ConsentEvent.objects.filter(person=subscriber).count() == 1


def test_two_one_click_posts_give_two_2xx_one_change_and_one_audit_event(subscriber) -> None:
    client = Client(enforce_csrf_checks=True)
    path = f"/u/{make_token(subscriber.id, 'newsletter')}"
    first = _post_one_click(client, path)
    first_since = Subscription.objects.get(person=subscriber).since
    second = _post_one_click(client, path)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    assert not first.cookies and not second.cookies
    sub = Subscription.objects.get(person=subscriber)
    assert sub.status == Status.WITHDRAWN and sub.since == first_since
    assert ConsentEvent.objects.filter(person=subscriber, kind=Kind.WITHDRAW).count() == 1
    assert Event.objects.filter(action="consent:newsletter:withdraw").count() == 1
    withdrawal = ConsentEvent.objects.get(kind=Kind.WITHDRAW)
    assert withdrawal.channel == "/u/ (List-Unsubscribe-Post)"
    assert withdrawal.collector == "subject" and withdrawal.ip == "127.0.0.1"


def test_the_post_needs_no_login_cookie_or_csrf_token(subscriber) -> None:
    client = Client(enforce_csrf_checks=True)
    assert not client.cookies
    response = _post_one_click(client, f"/u/{make_token(subscriber.id, 'newsletter')}")
    assert response.status_code == 200
    assert Subscription.objects.get(person=subscriber).status == Status.WITHDRAWN


def test_the_button_of_the_page_unsubscribes_too(subscriber) -> None:
    path = f"/u/{make_token(subscriber.id, 'newsletter')}"
    response = Client(enforce_csrf_checks=True).post(
        path, {"List-Unsubscribe": "One-Click", "from": "page"}
    )
    assert response.status_code == 200
    assert ConsentEvent.objects.get(kind=Kind.WITHDRAW).channel == "/u/ (confirmation page)"


def test_the_no_commercial_email_at_all_button_objects_to_every_purpose(subscriber) -> None:
    path = f"/u/{make_token(subscriber.id, 'newsletter')}"
    response = Client().post(
        path, {"List-Unsubscribe": "One-Click", "from": "page", "scope": "all"}
    )
    assert response.status_code == 200
    statuses = set(Subscription.objects.filter(person=subscriber).values_list("status", flat=True))
    assert statuses == {Status.OBJECTED}
    assert Subscription.objects.filter(person=subscriber).count() == 3


def test_the_token_contains_no_address(subscriber) -> None:
    token = make_token(subscriber.id, "newsletter")
    payload = token.split(":")[0].lstrip(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    clear = zlib.decompress(raw) if token.startswith(".") else raw
    assert b"abonne" not in clear and b"exemple" not in clear
    assert subscriber.id.hex.encode() in clear


def test_a_forged_token_changes_nothing(subscriber) -> None:
    token = make_token(subscriber.id, "newsletter")
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert (
        Client()
        .post(f"/u/{forged}", data=ONE_CLICK, content_type="application/x-www-form-urlencoded")
        .status_code
        == 404
    )
    assert Client().get(f"/u/{forged}").status_code == 404
    assert Subscription.objects.get(person=subscriber).status == Status.SUBSCRIBED


def test_the_objection_link_of_an_art14_notice_speaks_of_objecting(make_person) -> None:
    """A prospect told of their data by an Art. 14 notice never subscribed: its one-click
    link (every purpose) asks them to object and says the objection is recorded — not
    « Se désinscrire » / « Vous êtes désinscrit(e) » (found trying the demo)."""
    prospect = make_person("prospect@entreprise.fr")
    path = f"/u/{make_token(prospect.id, 'all')}"
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    page = client.get(path).content.decode()
    assert "<h1>Vous opposer à la prospection</h1>" in page
    assert "désinscri" not in page.lower()
    done = client.post(path, {"from": "page", "scope": "all"}).content.decode()
    assert "<h1>Votre opposition est enregistrée</h1>" in done
    assert "désinscri" not in done.lower()
    again = client.get(path).content.decode()
    assert "<h1>Votre opposition est déjà enregistrée</h1>" in again
    assert ConsentEvent.objects.get(person=prospect).kind == Kind.OBJECT
