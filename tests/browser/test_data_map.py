"""The data map and one person's data across sources, in a real browser (R4, Art. 15)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_portal_and_backoffice import (
    _assert_no_browser_errors,
    _sign_in_with_second_factor,
)
from tests.sources.helpdesk import HELPDESK_MANIFEST, ROOT, seed_helpdesk
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.people.services import create_person
from vigie.register.services import load_file
from vigie.sources.services import check_sources, register_source

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

# For a human to look at; nothing asserts on it.
SCREENSHOT = "/tmp/vigie-data-map.png"  # noqa: S108


def test_a_privacy_lead_sees_the_data_map_then_where_one_persons_data_is(
    live_server, browser_page: BrowserPage, make_staff, sign_in, tmp_path, monkeypatch
) -> None:
    actor = Actor.cli("test")
    load_file(actor, ROOT / "policies" / "semi-informatique.yaml")
    url = f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", url)
    seed_helpdesk(sa.create_engine(url))
    register_source(actor, HELPDESK_MANIFEST)
    check_sources(actor)
    person = create_person(actor, email="alice.martin@example.fr", first_name="Alice")
    page = browser_page.page
    _sign_in_with_second_factor(page, sign_in, make_staff(Role.PRIVACY_LEAD))

    with page.expect_navigation():
        page.locator("nav.main").get_by_role("link", name="Cartographie des données").click()
    expect(page.get_by_role("heading", name="Cartographie des données", level=1)).to_be_visible()
    section = page.locator("#source-helpdesk")
    expect(section).to_contain_text("Assistance (test)")
    expect(section).to_contain_text("aucun problème")
    expect(section.locator("tbody tr")).to_have_count(5)
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.goto(f"{live_server.url}/backoffice/people/{person.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Où sont ses données (toutes les sources)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Où sont les données")
    followups = page.locator("tr", has=page.locator("small.tech", has_text="followups"))
    expect(followups).to_contain_text("7")
    expect(page.locator("main")).to_contain_text("Identité et coordonnées")
    _assert_no_browser_errors(browser_page)
