"""Issue 11, item 4: rate limits on the public forms and the links sent by e-mail.

200 sign-ups for one address in 2.5 s sent 200 confirmation e-mails. Now each public
form counts the client IP and the address, each e-mailed link the client IP and the
token (``accounts.ratelimit``), a refused request gets a 429 page in the visitor's
language, and a second sign-up within the hour sends no second confirmation.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vigie.consent import services
from vigie.consent.models import Subscription
from vigie.lib import tokens
from vigie.lib.purposes import ALL_PURPOSES
from vigie.mail.models import Message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

SIGNUP = {"email": "cible@exemple.fr", "consent": "on"}


def _confirmations() -> int:
    return Message.objects.filter(template="newsletter_confirmation").count()


def test_200_sign_ups_for_one_address_from_200_ips_send_one_e_mail(
    client: Client, run_signup_jobs, policy_v1
) -> None:
    answers = {
        client.post("/newsletter/", SIGNUP, REMOTE_ADDR=f"198.51.100.{n % 250}").content
        for n in range(200)
    }
    # The same answer each time: the visitor is not told the address was limited.
    assert len(answers) == 1
    run_signup_jobs()
    assert _confirmations() == 1


def test_sign_ups_from_one_ip_are_refused_with_a_429_page(client: Client) -> None:
    statuses = [
        client.post(
            "/newsletter/", {"email": f"p{n}@exemple.fr", "consent": "on"}, REMOTE_ADDR="192.0.2.9"
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
    assert client.post("/newsletter/", SIGNUP, REMOTE_ADDR="192.0.2.10").status_code == 200


def test_the_429_page_says_what_happened_in_french_and_in_english(client: Client, settings) -> None:
    settings.RATE_LIMIT_PER_IP = 1
    client.post("/newsletter/", SIGNUP)
    french = client.post("/newsletter/", SIGNUP)
    assert french.status_code == 429 and french["Retry-After"] == "3600"
    assert "Trop de demandes" in french.content.decode()
    english = client.post("/newsletter/?lang=en", SIGNUP)
    assert english.status_code == 429
    assert "Too many requests" in english.content.decode()


def test_a_second_sign_up_within_the_hour_sends_no_new_confirmation(
    make_person, run_signup_jobs, client: Client, policy_v1
) -> None:
    person = make_person("lea@exemple.fr")
    for _ in range(2):
        client.post("/newsletter/", {"email": "lea@exemple.fr", "consent": "on"})
    run_signup_jobs()
    assert _confirmations() == 1
    # An hour later, a new sign-up sends a new confirmation (the first may be lost).
    sub = Subscription.objects.get(person=person)
    sub.pending_expires_at -= timedelta(hours=1, minutes=1)
    sub.save(update_fields=["pending_expires_at"])
    client.post("/newsletter/", {"email": "lea@exemple.fr", "consent": "on"})
    run_signup_jobs()
    assert _confirmations() == 2


def test_the_service_itself_sends_one_confirmation_an_hour(make_person, policy_v1) -> None:
    person = make_person("lea@exemple.fr")
    actor = services.subject_actor("192.0.2.1")
    first = services.start_double_opt_in(actor, person, "newsletter", wording="Oui")
    again = services.start_double_opt_in(actor, person, "newsletter", wording="Oui")
    assert first is not None and again is None


@pytest.mark.parametrize("prefix", ["/u/", "/preferences/", "/newsletter/confirm/"])
def test_links_sent_by_e_mail_are_limited_per_ip(client: Client, settings, prefix: str) -> None:
    """Guessing tokens from one IP is cut short, whatever the tokens."""
    settings.RATE_LIMIT_TOKEN_PER_IP = 3
    statuses = [
        client.get(f"{prefix}guess{n}", REMOTE_ADDR="203.0.113.5").status_code for n in range(4)
    ]
    assert 429 not in statuses[:3] and statuses[3] == 429
    assert client.get(f"{prefix}guess9", REMOTE_ADDR="203.0.113.6").status_code != 429


def test_one_link_is_limited_from_any_ip(client: Client, make_person, settings) -> None:
    settings.RATE_LIMIT_PER_TOKEN = 2
    token = tokens.make_token(make_person("lea@exemple.fr").pk, ALL_PURPOSES)
    statuses = [
        client.get(f"/preferences/{token}", REMOTE_ADDR=f"203.0.113.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_the_counters_store_no_ip_and_no_token(client: Client, make_person) -> None:
    from vigie.accounts.models import RateCounter

    token = tokens.make_token(make_person("lea@exemple.fr").pk, ALL_PURPOSES)
    client.post(f"/u/{token}", {"List-Unsubscribe": "One-Click"}, REMOTE_ADDR="203.0.113.77")
    stored = " ".join(f"{c.scope} {c.key}" for c in RateCounter.objects.all())
    assert stored and "203.0.113.77" not in stored and token not in stored
    assert timezone.now()  # the counters are in the database, shared by every worker


def test_a_mail_provider_posting_many_one_click_unsubscribes_is_never_refused(
    client: Client, make_person, subscribe, settings
) -> None:
    """R39, Art. 7(3): a mail provider's servers send the RFC 8058 one-click POST for
    all its users from a few IPs. Past the per-IP limit, a valid link must still
    unsubscribe (a 429 would leave the person subscribed); only links that are not
    valid count against the IP (token guessing)."""
    settings.RATE_LIMIT_TOKEN_PER_IP = 2
    people = [make_person(f"abonne{n}@exemple.fr") for n in range(4)]
    for person in people:
        subscribe(person)
    statuses = [
        client.post(
            f"/u/{tokens.make_token(person.pk, 'newsletter')}",
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
            REMOTE_ADDR="209.85.220.41",
        ).status_code
        for person in people
    ]
    assert statuses == [200] * 4
    assert set(Subscription.objects.values_list("status", flat=True)) == {"withdrawn"}
    # Guessing from that IP is still cut short.
    guesses = [client.post("/u/guess", REMOTE_ADDR="209.85.220.41").status_code for _ in range(3)]
    assert guesses[-1] == 429


def test_the_preference_centre_of_a_valid_link_is_never_refused_per_ip(
    client: Client, make_person, settings
) -> None:
    settings.RATE_LIMIT_TOKEN_PER_IP = 1
    for n in range(3):
        token = tokens.make_token(make_person(f"p{n}@exemple.fr").pk, ALL_PURPOSES)
        assert client.get(f"/preferences/{token}", REMOTE_ADDR="203.0.113.8").status_code == 200
