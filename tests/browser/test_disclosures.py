"""The disclosure log and the Art. 19 tasks in a real browser (R22, R57): the privacy
lead records a dispatch to the subcontractors on the person page, then, on the
rectification case, records one task done by hand and sees the case still waiting for
the other."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_portal_and_backoffice import _sign_in_with_second_factor
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.disclosures.models import Disclosure
from vigie.disclosures.services import record_disclosure
from vigie.people.services import create_person
from vigie.register.services import load_file
from vigie.rights import services
from vigie.rights.art19 import open_notices
from vigie.rights.models import NoticeStatus, NoticeTrigger
from vigie.rights.sealing import Requester

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

SEMI = Path(__file__).resolve().parents[2] / "policies" / "semi-informatique.yaml"


def test_a_dispatch_is_logged_and_its_notice_task_worked_on_the_case_page(
    live_server, browser_page: BrowserPage, make_staff, sign_in
) -> None:
    actor = Actor.cli("test")
    load_file(actor, SEMI)
    lead = make_staff(Role.PRIVACY_LEAD, username="claire.moreau")
    person = create_person(
        actor, email="luc.bernard@client.example", first_name="Luc", last_name="Bernard"
    )
    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in_with_second_factor(page, sign_in, lead)

    page.goto(f"{live_server.url}/backoffice/people/{person.pk}/")
    panel = page.locator("#disclosures")
    expect(panel).to_contain_text("Aucune communication enregistrée.")
    expect(panel.get_by_role("link", name="ouvrir le registre")).to_be_visible()
    panel.locator("select[name=recipient]").select_option(
        label="Prestataires et sous-traitants techniques"
    )
    panel.get_by_label("Identité et coordonnées").check()
    panel.locator("input[name=disclosed_on]").fill("2026-03-02")
    panel.locator("input[name=reference]").fill("intervention #123")
    with page.expect_navigation():
        panel.get_by_role("button", name="Enregistrer").click()
    row = page.locator("#disclosures tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("02/03/2026")
    expect(row).to_contain_text("Prestataires et sous-traitants techniques")
    expect(row).to_contain_text("intervention #123")
    assert Disclosure.objects.get().operator == lead

    record_disclosure(
        actor,
        person,
        "debt-collectors",
        ["identity-contact"],
        dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC),
        reference="FAC-2026-0042",
    )
    case = services.open_case(
        actor,
        types=["rectification"],
        channel="phone",
        requester=Requester(name="Luc Bernard", email="luc.bernard@client.example"),
        person=person,
        verified_by="known_to_staff",
    ).case
    open_notices(actor, case, NoticeTrigger.RECTIFICATION, ["identity-contact"])
    page.goto(f"{live_server.url}/backoffice/rights/{case.pk}/")
    tasks = page.locator("#notices tbody tr")
    expect(tasks).to_have_count(2)
    expect(page.locator("#notices")).to_contain_text("2 tâches sont ouvertes")
    collector = tasks.filter(has_text="Cabinets de recouvrement de créances")
    collector.locator("summary").click()
    collector.locator("form[action$='/done/'] textarea").fill("Prévenu par téléphone.")
    with page.expect_navigation():
        collector.get_by_role("button", name="Marquer comme faite").click()
    expect(page.locator("#notices")).to_contain_text("1 tâche est ouverte")
    expect(collector).to_contain_text("Prévenu par téléphone.")
    expect(page.locator("#timeline")).to_contain_text("faite par un autre moyen")
    assert case.notices.get(recipient__key="debt-collectors").status == NoticeStatus.DONE
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    assert not browser_page.page_errors and not browser_page.console_errors
