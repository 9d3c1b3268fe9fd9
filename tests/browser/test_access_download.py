"""The person signs into their personal space, in a real browser, and downloads the
access package staff compiled for their request (R50, R51): the PDF and the JSON, each
download journaled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_rights_portal import _last_link
from tests.mail.conftest import SmtpSink
from tests.rights.conftest import ON_FILE, SEMI, deliver_all, run_portal_jobs
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.people.services import create_person
from vigie.register.services import load_file
from vigie.rights import access
from vigie.rights import services as rights
from vigie.rights.sealing import Requester

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]


def test_the_person_downloads_their_access_package_from_the_personal_space(
    live_server, browser_page: BrowserPage, sink: SmtpSink, cli_actor, tmp_path: Path
) -> None:
    load_file(cli_actor, SEMI)
    person = create_person(cli_actor, email=ON_FILE, first_name="Claire", last_name="Martin")
    intake = rights.open_case(
        cli_actor,
        types=["access"],
        channel="email",
        requester=Requester(email=ON_FILE, name="Claire Martin"),
        person=person,
        verified_by="known_to_staff",
    )
    package = access.compile_package(Actor.cli("test"), intake.case)

    page = browser_page.page
    page.goto(live_server.url + "/droits/espace/connexion/")
    page.get_by_label("Votre adresse e-mail").fill(ON_FILE)
    with page.expect_navigation():
        page.get_by_role("button", name="M’envoyer le lien").click()
    run_portal_jobs()
    deliver_all()
    page.goto(_last_link(sink, "/droits/espace/entrer/"))
    with page.expect_navigation():
        page.get_by_role("button", name="Ouvrir mon espace personnel").click()
    expect(page.locator("h1")).to_have_text("Votre espace personnel")
    section = page.locator("section", has_text="Vos données (demandes d’accès)")
    expect(section).to_contain_text(intake.case.number)

    with page.expect_download() as pdf_download:
        section.get_by_role("button", name="Télécharger (PDF, lisible)").click()
    pdf = tmp_path / "dossier.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf_download.value.suggested_filename == f"{intake.case.number}-acces.pdf"

    with page.expect_download() as json_download:
        section.get_by_role("button", name="Télécharger (JSON)").click()
    saved = tmp_path / "dossier.json"
    json_download.value.save_as(saved)
    data = json.loads(saved.read_text("utf-8"))
    assert data["case"] == intake.case.number
    assert data["items_per_source"] == package.counts
    assert len(data["sections"]) == 11

    reads = Event.objects.filter(action="personal_data:read", extra__view="rights:access-package")
    assert sorted(reads.values_list("extra__format", flat=True)) == ["json", "pdf"]
    assert set(reads.values_list("actor_type", flat=True)) == {"subject"}
    assert not browser_page.page_errors
