"""The newsletter sign-up (/newsletter/) and its confirmation page: double opt-in (R34, R43)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from vigie.consent import services
from vigie.consent.models import ConsentEvent, Kind, Status, Subscription
from vigie.consent.wording import consent_wording
from vigie.people.services import find_by_email

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def hooked(monkeypatch) -> list[tuple[object, str]]:
    """Catch what the sign-up hands over to the mail domain."""
    calls: list[tuple[object, str]] = []
    monkeypatch.setattr(services, "send_confirmation_hook", lambda p, t: calls.append((p, t)))
    return calls


def test_the_consent_box_is_unticked_and_the_wording_and_policy_are_shown(
    client: Client, policy_v1
) -> None:
    response = client.get("/newsletter/")
    assert response.status_code == 200
    html = response.content.decode()
    [box] = re.findall(r"<input[^>]*name=\"consent\"[^>]*>", html)
    assert 'type="checkbox"' in box and "checked" not in box
    assert consent_wording("newsletter", "fr") in html.replace("&#x27;", "'")
    assert 'href="/politique-de-confidentialite/"' in html and "(v1)" in html


def test_the_english_page_shows_the_english_wording(client: Client) -> None:
    html = client.get("/newsletter/?lang=en").content.decode()
    assert consent_wording("newsletter", "en") in html.replace("&#x27;", "'")
    assert 'href="/en/privacy-policy/"' in html


def test_signing_up_creates_the_person_and_a_pending_request_only(
    client: Client, hooked, policy_v1, run_signup_jobs
) -> None:
    response = client.post("/newsletter/", {"email": "Lea@Exemple.fr", "consent": "on"})
    assert response.status_code == 200
    assert run_signup_jobs() == 1  # the worker carries the sign-up out (consent.signups)
    person = find_by_email("lea@exemple.fr")
    assert person is not None and person.subject_types == ["newsletter_subscriber"]
    sub = Subscription.objects.get(person=person)
    assert sub.status == Status.PENDING
    event = ConsentEvent.objects.get(person=person)
    assert event.kind == Kind.PENDING
    assert event.wording == consent_wording("newsletter", "fr")
    assert event.channel == "http://testserver/newsletter/" and event.policy_version == 1
    [(hooked_person, token)] = hooked
    assert hooked_person == person and "lea" not in token


def test_without_the_box_ticked_nothing_is_recorded(client: Client, hooked) -> None:
    response = client.post("/newsletter/", {"email": "lea@exemple.fr"})
    assert response.status_code == 400
    assert find_by_email("lea@exemple.fr") is None and not hooked


def test_a_known_subscriber_gets_the_same_answer_and_no_new_request(
    client: Client, hooked, make_person, subscribe, run_signup_jobs
) -> None:
    subscribe(make_person("deja@exemple.fr"))
    new = client.post("/newsletter/", {"email": "nouveau@exemple.fr", "consent": "on"})
    known = client.post("/newsletter/", {"email": "deja@exemple.fr", "consent": "on"})
    assert new.content == known.content
    run_signup_jobs()
    assert len(hooked) == 1


def test_the_confirmation_link_shows_a_button_and_only_its_post_confirms(
    client: Client, hooked, run_signup_jobs
) -> None:
    client.post("/newsletter/", {"email": "lea@exemple.fr", "consent": "on"})
    run_signup_jobs()
    [(person, token)] = hooked
    page = client.get(f"/newsletter/confirm/{token}")
    assert page.status_code == 200 and b"<form" in page.content
    assert Subscription.objects.get(person=person).status == Status.PENDING
    done = client.post(f"/newsletter/confirm/{token}")
    assert done.status_code == 200
    assert Subscription.objects.get(person=person).status == Status.SUBSCRIBED
    confirmation = ConsentEvent.objects.get(person=person, kind=Kind.CONFIRM)
    assert confirmation.channel == "http://testserver/newsletter/confirm/"


def test_a_bad_confirmation_link_is_refused(client: Client) -> None:
    assert client.post("/newsletter/confirm/nope").status_code == 400


@pytest.mark.parametrize(
    ("purpose", "offered", "not_offered"),
    [
        ("offres", "/mes-preferences/", '/newsletter/"'),
        ("offres_partenaires", "/mes-preferences/", '/newsletter/"'),
        ("newsletter", '/newsletter/"', "/mes-preferences/"),
    ],
)
def test_the_expired_confirmation_page_offers_the_purpose_that_expired(
    client: Client, make_person, purpose: str, offered: str, not_offered: str
) -> None:
    """An expired offers request offers the offers again (from the preference centre),
    not the newsletter sign-up; an expired newsletter request offers the sign-up."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        person = make_person("tard@exemple.fr")
        token = services.start_double_opt_in(
            services.subject_actor("198.51.100.7"),
            person,
            purpose,
            wording=consent_wording(purpose, "fr"),
            channel="https://semi.example/preferences/",
        )
    for later in (dt.timedelta(days=7, seconds=1), dt.timedelta(days=30)):
        with time_machine.travel(start + later, tick=False):
            page = client.post(f"/newsletter/confirm/{token}")
        html = page.content.decode()
        assert page.status_code == 400
        assert "expired" in html or "expiré" in html
        assert f'href="{offered}' in html
        assert f'href="{not_offered}' not in html
        if purpose != "newsletter":
            assert "newsletter" not in html.lower().replace("/newsletter/confirm", "")
