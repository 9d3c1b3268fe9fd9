"""Signing up queues one service e-mail with the confirmation link, and nothing else (R43)."""

from __future__ import annotations

import pytest
from django.test import Client

from vigie.mail.models import Message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_a_sign_up_queues_the_confirmation_mail(client: Client, policy_v1) -> None:
    response = client.post("/newsletter/", {"email": "lea@exemple.fr", "consent": "on"})
    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.kind, message.template) == ("service", "newsletter_confirmation")
    assert "/newsletter/confirm/" in message.context["confirm_url"]
    stored = str(Message.objects.values().get())
    assert "lea@exemple.fr" not in stored
    # Confirming through the link subscribes; no marketing message was queued meanwhile.
    token = message.context["confirm_url"].rstrip("/").rsplit("/", 1)[1]
    assert client.post(f"/newsletter/confirm/{token}").status_code == 200
    assert Message.objects.filter(kind="marketing").count() == 0
