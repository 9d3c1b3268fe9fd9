"""Restriction in a real browser (R55): a sales handler restricts while accuracy is
checked, the case page says « LIMITÉ », lifting before the letter is refused on the
page, then the letter and the lifting go through."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.conftest import STRONG_PASSWORD
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.people.restrictions import is_restricted
from vigie.people.services import create_person
from vigie.register.services import load_file
from vigie.rights import services
from vigie.rights.sealing import Requester

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]
SEMI = Path(__file__).resolve().parents[2] / "policies" / "semi-informatique.yaml"


def test_a_handler_restricts_and_lifts_after_the_letter(
    live_server, browser_page: BrowserPage, make_staff, sign_in
) -> None:
    actor = Actor.cli("test")
    load_file(actor, SEMI)
    person = create_person(
        actor, email="claire.martin@client.example", first_name="Claire", last_name="Martin"
    )
    case = services.open_case(
        actor,
        types=["restriction"],
        channel="phone",
        requester=Requester(email="claire.martin@client.example", name="Claire Martin"),
        person=person,
        verified_by="known_to_staff",
    ).case
    sales = make_staff(Role.SALES, username="sam.vendeur")
    page = browser_page.page
    sign_in(page, sales.username, STRONG_PASSWORD)
    page.goto(f"{live_server.url}/backoffice/rights/{case.pk}/")
    expect(page.locator("#restricted")).to_have_count(0)

    with page.expect_navigation():
        page.get_by_role("button", name="Limiter pendant la vérification").click()
    expect(page.locator("#restricted")).to_contain_text("LIMITÉ")
    assert is_restricted(person)

    with page.expect_navigation():
        page.get_by_role("button", name="Lever la limitation").click()
    expect(page.locator("#restriction")).to_contain_text("informée avant la levée")
    assert is_restricted(person)

    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le courrier de levée").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Lever la limitation").click()
    expect(page.locator("#restricted")).to_have_count(0)
    assert not is_restricted(person)
    assert browser_page.page_errors == []
