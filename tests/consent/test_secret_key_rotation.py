"""A secret-key rotation keeps the 25-month unsubscribe links valid (VIGIE_SECRET_KEY_FALLBACKS)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from vigie.consent.models import Status, Subscription
from vigie.lib.tokens import BadToken, make_token, read_token

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

OLD = "old-secret-key-" + "o" * 40
NEW = "new-secret-key-" + "n" * 40
UNKNOWN = "someone-elses-key-" + "u" * 40
ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def subscriber(make_person, subscribe):
    person = make_person("abonne@exemple.fr")
    subscribe(person, "newsletter")
    return person


def _signed_with(key: str, person_id, purpose: str = "newsletter") -> str:
    with override_settings(SECRET_KEY=key, SECRET_KEY_FALLBACKS=[]):
        return make_token(person_id, purpose)


def test_a_link_signed_with_the_old_key_unsubscribes_after_the_rotation(subscriber) -> None:
    token = _signed_with(OLD, subscriber.id)
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]):
        response = Client().post(
            f"/u/{token}", data=ONE_CLICK, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 200
    assert Subscription.objects.get(person=subscriber).status == Status.WITHDRAWN


def test_an_old_link_still_works_two_years_after_the_rotation(subscriber) -> None:
    token = _signed_with(OLD, subscriber.id)
    with (
        time_machine.travel(timezone.now() + timezone.timedelta(days=730)),
        override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]),
    ):
        assert read_token(token).person_id == subscriber.id


def test_new_links_are_signed_with_the_new_key_only(subscriber) -> None:
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]):
        token = make_token(subscriber.id, "newsletter")
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]):
        assert read_token(token).purpose == "newsletter"
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]), pytest.raises(BadToken):
        read_token(token)


def test_a_link_signed_with_an_unknown_key_is_refused(subscriber) -> None:
    token = _signed_with(UNKNOWN, subscriber.id)
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]):
        with pytest.raises(BadToken):
            read_token(token)
        response = Client().post(
            f"/u/{token}", data=ONE_CLICK, content_type="application/x-www-form-urlencoded"
        )
    # The same answer as any invalid link: the page says it is not valid, nothing changes.
    assert response.status_code == 404
    assert Subscription.objects.get(person=subscriber).status == Status.SUBSCRIBED


def test_a_link_whose_old_key_was_dropped_is_refused(subscriber) -> None:
    token = _signed_with(OLD, subscriber.id)
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]), pytest.raises(BadToken):
        read_token(token)


def test_the_fallbacks_are_read_from_the_environment(tmp_path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vigie.settings",
        "VIGIE_VAR_DIR": str(tmp_path),
        "VIGIE_SECRET_KEY": NEW,
        "VIGIE_SECRET_KEY_FALLBACKS": f"{OLD}, {UNKNOWN}",
    }
    code = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == repr([OLD, UNKNOWN])
