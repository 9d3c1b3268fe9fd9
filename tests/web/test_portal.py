"""The public portal: French by default, English on request, security headers."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.policy.conftest import register  # noqa: F401 (fixture)


@pytest.mark.usefixtures("register")
def test_the_portal_answers_in_french_by_default(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="fr">' in body
    assert "Vos données personnelles chez SEMI INFORMATIQUE" in body
    assert response["Content-Language"] == "fr"


@pytest.mark.usefixtures("register")
def test_lang_en_switches_to_english_and_is_remembered(client: Client) -> None:
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.content.decode()
    assert "Your personal data at SEMI INFORMATIQUE" in response.content.decode()
    assert response.cookies["django_language"].value == "en"
    again = client.get("/")
    assert "Your personal data at SEMI INFORMATIQUE" in again.content.decode()
    back = client.get("/?lang=fr")
    assert "Vos données personnelles" in back.content.decode()


def test_before_a_register_is_loaded_the_portal_names_no_company(client: Client, db) -> None:
    body = client.get("/").content.decode()
    assert "<h1>Vos données personnelles</h1>" in body
    assert "Portail des données personnelles" in body
    assert "SEMI" not in body


def test_an_unknown_language_falls_back_to_french(client: Client, db) -> None:
    response = client.get("/?lang=de")
    assert '<html lang="fr">' in response.content.decode()
    assert "django_language" not in response.cookies


def test_pages_carry_a_content_security_policy(client: Client, db) -> None:
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_htmx_is_vendored_and_served(client: Client, db) -> None:
    body = client.get("/").content.decode()
    assert "/static/vigie/htmx.min.js" in body
    response = client.get("/static/vigie/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)


def test_the_back_office_asks_for_login(client: Client, db) -> None:
    response = client.get("/backoffice/")
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/login/?next=/backoffice/"
    login = client.get(response["Location"])
    assert login.status_code == 200
    assert "Connexion au back-office" in login.content.decode()


def test_an_unknown_page_is_a_french_404(client: Client, db) -> None:
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Cette page n'existe pas" in response.content.decode()
