"""Public pages: the version in force, and every published version at a stable URL (R74)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vigie.policy import services


def test_the_current_policy_is_public_and_in_french(client, published) -> None:
    published()
    response = client.get("/politique-de-confidentialite/")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Politique de confidentialité" in page and "Version 1" in page
    assert "Droit à la portabilité" in page
    assert "3 Place de Fontenoy – TSA 80715 – 75334 PARIS CEDEX 07" in page


def test_the_english_url_renders_in_english(client, published) -> None:
    published()
    response = client.get("/en/privacy-policy/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Privacy policy" in page and "Right to data portability" in page
    assert "Droit à la portabilité" not in page
    assert "EN Mise à jour" in page


def test_v1_stays_at_its_url_after_v2_is_published(
    client, published, register, change_register
) -> None:
    published("Première version")
    register["controller"]["email"] = "rgpd@semi-informatique.com"
    change_register(register)
    published("Nouvelle adresse de contact")

    old = client.get("/politique-de-confidentialite/v1/").content.decode()
    assert "info.rgpd@semi-informatique.com" in old
    assert "Cette version n'est plus en vigueur" in old
    assert 'href="/politique-de-confidentialite/v2/"' in old

    current = client.get("/politique-de-confidentialite/").content.decode()
    assert "Version 2" in current and "rgpd@semi-informatique.com" in current
    assert (
        "info.rgpd@semi-informatique.com"
        not in current.split('id="versions"')[0].split("<main>")[1]
    )
    # Every page links to the previous versions.
    assert 'href="/politique-de-confidentialite/v1/"' in current
    english_v1 = client.get("/en/privacy-policy/v1/").content.decode()
    assert "Version 1" in english_v1 and "info.rgpd@semi-informatique.com" in english_v1


def test_a_version_not_yet_in_force_is_public_but_not_current(client, published) -> None:
    published("v1")
    published("v2", effective_at=timezone.now() + dt.timedelta(days=31))
    assert "Version 1" in client.get("/politique-de-confidentialite/").content.decode()
    upcoming = client.get("/politique-de-confidentialite/v2/").content.decode()
    assert "Cette version n'est pas encore en vigueur" in upcoming
    assert "entre en vigueur le" in upcoming


@pytest.mark.parametrize(
    "url",
    [
        "/politique-de-confidentialite/v1/",
        "/en/privacy-policy/v1/",
        "/politique-de-confidentialite/v9/",
        "/politique-de-confidentialite/",
        "/en/privacy-policy/",
    ],
)
def test_drafts_and_unknown_versions_are_not_found(client, draft, url) -> None:
    draft()
    assert client.get(url).status_code == 404


def test_the_language_switch_leads_to_the_same_version_in_the_other_language(
    client, published
) -> None:
    published()
    response = client.get("/politique-de-confidentialite/v1/?lang=en")
    assert response.status_code == 302
    assert response["Location"] == "/en/privacy-policy/v1/"
    response = client.get("/en/privacy-policy/?lang=fr")
    assert response["Location"] == "/politique-de-confidentialite/"


def test_the_public_pages_need_no_login_and_accept_no_post(client, published) -> None:
    published()
    assert client.get("/politique-de-confidentialite/v1/").status_code == 200
    assert client.post("/politique-de-confidentialite/").status_code == 405


def test_the_page_shows_the_effective_date(client, cli_actor, draft) -> None:
    version = services.publish(cli_actor, draft())
    day = timezone.localtime(version.effective_at).day
    page = client.get("/politique-de-confidentialite/").content.decode()
    assert f"en vigueur depuis le {day} " in page


@pytest.mark.parametrize(
    "url",
    [
        "/politique-de-confidentialite/v99999999999999999999999/",
        "/en/privacy-policy/v99999999999999999999999/",
    ],
)
def test_an_out_of_range_version_number_is_not_found(client, published, url: str) -> None:
    published()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/politique-de-confidentialite/v0/", "/en/privacy-policy/v0/", "/en/privacy-policy/v00/"],
)
def test_version_zero_is_not_found_rather_than_the_current_version(
    client, published, url: str
) -> None:
    published()
    response = client.get(url)
    assert response.status_code == 404
    assert client.get(url + "?lang=fr").status_code == 404
