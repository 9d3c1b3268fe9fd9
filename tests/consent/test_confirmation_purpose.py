"""Issue 10, item 6: opting in to a purpose from the preference centre sends a
confirmation e-mail that names that purpose, never another (each purpose has its own
wording, ``consent.wording``)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.policy.conftest import register  # noqa: F401 (fixture)
from vigie.lib.tokens import make_token
from vigie.mail.models import Message
from vigie.mail.rendering import render

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

#: What each purpose's confirmation says, and no other purpose's does.
NAMED = {
    "fr": {
        "newsletter": "la lettre d’information",
        "offres": "les offres commerciales",
        "offres_partenaires": "les offres de ses partenaires",
    },
    "en": {
        "newsletter": "newsletter",
        "offres": "commercial offers",
        "offres_partenaires": "partners’ offers",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("purpose", ["newsletter", "offres", "offres_partenaires"])
def test_the_confirmation_names_the_purpose_opted_in_to(
    make_person,
    policy_v1,
    register,  # noqa: F811 (fixture)
    purpose: str,
    language: str,
) -> None:
    person = make_person("camille@exemple.fr")
    client = Client()
    if language == "en":
        client.cookies["django_language"] = "en"
    path = f"/preferences/{make_token(person.id, 'all')}"
    response = client.post(path + ("?lang=en" if language == "en" else ""), {"purposes": [purpose]})
    assert response.status_code == 200
    message = Message.objects.get(template="newsletter_confirmation")
    assert message.language == language
    rendered = render(message.template, message.language, kind=message.kind, refs=message.context)
    for part in (rendered.subject, rendered.text, rendered.html):
        # The link's path (/newsletter/confirm/…) is a route, not wording.
        words = re.sub(r'https?://\S+|href="[^"]*"', "", part)
        flat = " ".join(words.split())
        assert NAMED[language][purpose] in flat, part
        for other, phrase in NAMED[language].items():
            if other != purpose:
                assert phrase not in flat, f"{purpose} confirmation speaks of {other}"
