"""The outbox stores references, never a working link: the preference-centre link
(valid 25 months, every purpose) and the double opt-in link are made when the e-mail
is rendered, like a newsletter's unsubscribe link."""

from __future__ import annotations

import re

import pytest
from django.core import signing

from tests.policy.conftest import register  # noqa: F401 (fixture)
from vigie.consent import services
from vigie.consent.models import ConsentEvent, Kind
from vigie.consent.preference_links import preferences_link_context, send_preferences_link
from vigie.lib import tokens
from vigie.lib.purposes import ALL_PURPOSES
from vigie.mail.models import Message
from vigie.mail.rendering import render
from vigie.people.lookups import defer_lookup
from vigie.people.services import create_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _is_token(text: str) -> bool:
    try:
        tokens.read_token(text)
    except tokens.BadToken:
        return False
    return True


def _is_confirmation_token(text: str) -> bool:
    try:
        signing.loads(text, salt=services.CONFIRM_SALT)
    except signing.BadSignature:
        return False
    return True


def test_the_outbox_does_not_store_a_working_preferences_token(cli_actor) -> None:
    person = create_person(cli_actor, email="jeanne@exemple.fr", first_name="Jeanne")
    send_preferences_link.call(str(defer_lookup("jeanne@exemple.fr")), "fr")
    message = Message.objects.get(person=person, template="preferences_link")
    stored = str(message.context)
    found = [
        part
        for part in stored.replace("'", "/").split("/")
        if ":" in part and len(part) > 20 and _is_token(part)
    ]
    assert not found, f"a working link token sits in the outbox: {message.context}"
    assert message.context == {"person": str(person.pk)}


def test_the_preferences_link_is_made_at_render_time_for_the_stored_person(
    cli_actor,
    register,  # noqa: F811 (fixture)
) -> None:
    person = create_person(cli_actor, email="jeanne@exemple.fr", first_name="Jeanne")
    send_preferences_link.call(str(defer_lookup("jeanne@exemple.fr")), "fr")
    message = Message.objects.get(person=person, template="preferences_link")
    rendered = render(message.template, "fr", kind=message.kind, refs=message.context)
    token = re.search(r"/preferences/(\S+)", rendered.text)[1]
    link = tokens.read_token(token)
    assert (link.person_id, link.purpose) == (person.pk, ALL_PURPOSES)
    assert preferences_link_context(message.context, "fr")["preferences_url"].endswith(token)


def test_the_outbox_does_not_store_a_working_confirmation_link(
    cli_actor,
    client,
    register,  # noqa: F811 (fixture)
) -> None:
    person = services.sign_up(
        services.subject_actor(),
        email="jeanne@exemple.fr",
        first_name="Jeanne",
        purpose="newsletter",
        wording="Je m'inscris à la lettre",
    )
    message = Message.objects.get(person=person, template="newsletter_confirmation")
    pending = ConsentEvent.objects.get(person=person, kind=Kind.PENDING)
    assert message.context == {"pending": pending.pk}
    parts = str(message.context).replace("'", "/").split("/")
    assert not [part for part in parts if _is_confirmation_token(part.strip(" {}:"))]
    # The e-mail, rendered at send time, carries a link that confirms the sign-up.
    rendered = render(message.template, "fr", kind=message.kind, refs=message.context)
    path = re.search(r"https?://[^/\s]+(/newsletter/confirm/\S+)", rendered.text)[1]
    assert client.post(path).status_code == 200
    assert ConsentEvent.objects.filter(person=person, kind=Kind.CONFIRM).count() == 1
