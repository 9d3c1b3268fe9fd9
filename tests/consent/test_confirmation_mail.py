"""Signing up queues one service e-mail with the confirmation link, and nothing else (R43)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from vigie.consent.services import confirmation_context
from vigie.mail.models import Message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_a_sign_up_queues_the_confirmation_mail(client: Client, policy_v1, run_signup_jobs) -> None:
    response = client.post("/newsletter/", {"email": "lea@exemple.fr", "consent": "on"})
    assert response.status_code == 200
    run_signup_jobs()  # the worker carries the sign-up out (consent.signups)
    message = Message.objects.get()
    assert (message.kind, message.template) == ("service", "newsletter_confirmation")
    # The outbox keeps the pending event's id; the link is made when the mail is rendered.
    assert set(message.context) == {"pending"}
    stored = str(Message.objects.values().get())
    assert "lea@exemple.fr" not in stored and "/newsletter/confirm/" not in stored
    link = confirmation_context(message.context, "fr")["confirm_url"]
    path = re.search(r"https?://[^/]+(/newsletter/confirm/\S+)", link)[1]
    # Confirming through the link subscribes; no marketing message was queued meanwhile.
    assert client.post(path).status_code == 200
    assert Message.objects.filter(kind="marketing").count() == 0
