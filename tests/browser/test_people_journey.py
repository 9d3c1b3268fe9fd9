"""A privacy lead finds a demo person by name and opens their consent proof in three
clicks from the back-office home; every page of the journey fits 1280 px, in French."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_portal_and_backoffice import (
    _assert_no_browser_errors,
    _sign_in_with_second_factor,
)
from vigie.accounts.permissions import Role
from vigie.consent.models import Subscription
from vigie.demo.people import create_demo_people
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_message
from vigie.people.services import mark_also_in_sources, open_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

WIDTH = 1280
# Side effects for a human to look at; nothing asserts on them.
SCREENSHOTS = "/tmp/vigie-people-{}.png"  # noqa: S108


def _fits(page: Page, name: str) -> None:
    """No horizontal scrollbar at 1280 px, no code where a word belongs."""
    page.screenshot(path=SCREENSHOTS.format(name), full_page=True)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: {overflow}px wider than the window"
    text = page.locator("main").inner_text()
    for code in ("client_contact_B2B", "prospect_B2C", "newsletter_subscriber", "web_form", "None"):
        assert code not in text, f"{name}: {code!r} shown"


@pytest.fixture
def demo_person(cli_actor):
    """A person of the demo's own making who consented, and is also in GLPI."""
    people = create_demo_people(60)
    consented = Subscription.objects.filter(person__in=people).values_list("person", flat=True)
    person = next(p for p in people if p.pk in set(consented))
    mark_also_in_sources(cli_actor, [person], "GLPI")
    failed = queue_message(cli_actor, person, "art14_notice", kind="service", context={})
    Message.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    return person


def test_a_privacy_lead_opens_a_demo_persons_consent_proof_in_three_clicks(
    live_server, browser_page: BrowserPage, make_staff, sign_in, demo_person
) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": WIDTH, "height": 900})
    data = open_person(demo_person)
    full_name = f"{data.first_name} {data.last_name}"
    _sign_in_with_second_factor(page, sign_in, make_staff(Role.PRIVACY_LEAD))
    expect(page.locator("#panel-people .figure")).to_have_text("60")
    _fits(page, "home")

    # Click 1: the People panel. Typing the last name narrows the list as one types.
    with page.expect_navigation():
        page.locator("#panel-people h2 a").click()
    page.get_by_label("Nom ou adresse e-mail").fill(data.last_name.lower())
    rows = page.locator("#results tbody tr")
    expect(rows.get_by_role("link", name=full_name)).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?.*q="))
    expect(rows.filter(has_text=full_name)).to_contain_text("Aussi dans : GLPI")
    _fits(page, "list")
    # Choosing a filter updates the list in place too.
    page.get_by_label("Aussi dans un autre outil (assistance, facturation…)").check()
    expect(page).to_have_url(re.compile(r"in_other_sources=on"))
    expect(rows).to_have_count(1)

    # Click 2: the person. Click 3: their consent proof.
    with page.expect_navigation():
        rows.get_by_role("link", name=full_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(full_name)
    expect(page.locator("#consents")).to_contain_text("Inscrit")
    _fits(page, "person")
    with page.expect_navigation():
        page.get_by_role("link", name="Preuve du consentement (tous les événements)").click()
    expect(page).to_have_url(re.compile(rf"/backoffice/consent/people/{demo_person.pk}/$"))
    expect(page.locator("main")).to_contain_text(data.email)

    _assert_no_browser_errors(browser_page)


def test_the_outbox_and_the_portal_pages_fit_and_speak_french(
    live_server, browser_page: BrowserPage, make_staff, sign_in, demo_person
) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": WIDTH, "height": 900})
    _sign_in_with_second_factor(page, sign_in, make_staff(Role.PRIVACY_LEAD))
    with page.expect_navigation():
        page.locator("#panel-outbox a.danger").click()
    table = page.locator("main table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Échec")
    expect(table.get_by_role("button", name="Renvoyer")).to_be_visible()
    _fits(page, "outbox")
    with page.expect_navigation():
        table.get_by_role("button", name="Renvoyer").click()
    expect(page.locator(".messages")).to_contain_text("de nouveau en file")
    expect(page).to_have_url(re.compile(r"status=failed"))

    page.goto(live_server.url + "/")
    _fits(page, "portal")
    with page.expect_navigation():
        page.get_by_role("link", name="Vos préférences e-mail").click()
    page.get_by_label("Votre adresse e-mail").fill("quelquun@exemple.fr")
    with page.expect_navigation():
        page.get_by_role("button", name="M’envoyer le lien").click()
    expect(page.locator("main")).to_contain_text("Si cette adresse figure dans nos fichiers")
    _fits(page, "preferences-link")

    _assert_no_browser_errors(browser_page)
