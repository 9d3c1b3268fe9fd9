"""The rights dashboard in a real browser (issue 13): a request received 23 days ago
reads amber (D-7) for the privacy lead, who opens its page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_portal_and_backoffice import _sign_in_with_second_factor
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import ClockColour, RequestClock
from vigie.register.services import load_file
from vigie.rights import services
from vigie.rights.sealing import Requester

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

SEMI = Path(__file__).resolve().parents[2] / "policies" / "semi-informatique.yaml"
# For a human to look at.
SCREENSHOTS = Path("/tmp")  # noqa: S108


def _a_day_when_23_days_make_d_minus_7() -> dt.datetime:
    """A morning, from tomorrow on, whose 23rd day before is 7 days before its due date:
    a request received in a 30-day month (in a 31-day month it is D-8, still green).
    Later than now, so that the browser keeps the session cookie it is given."""
    day = dt.datetime.now(dt.UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    for n in range(1, 93):
        now = day + dt.timedelta(days=n)
        if RequestClock(now - dt.timedelta(days=23)).colour(now) is ClockColour.AMBER:
            return now
    raise AssertionError("no such day in three months")


def test_the_privacy_lead_sees_a_request_received_23_days_ago_in_amber(
    live_server, browser_page: BrowserPage, make_staff, sign_in
) -> None:
    now = _a_day_when_23_days_make_d_minus_7()
    with time_machine.travel(now, tick=True):
        actor = Actor.cli("test")
        load_file(actor, SEMI)
        lead = make_staff(Role.PRIVACY_LEAD, username="claire.moreau")
        case = services.open_case(
            actor,
            types=["access"],
            channel="phone",
            requester=Requester(name="Camille Roux", phone="04 42 00 00 00"),
            description="Quelles données avez-vous sur moi ?",
            received_at=now - dt.timedelta(days=23),
            verified_by="known_to_staff",
        ).case
        assert case.due_date == (now + dt.timedelta(days=7)).date()
        page = browser_page.page
        page.set_viewport_size({"width": 1280, "height": 900})
        _sign_in_with_second_factor(page, sign_in, lead)
        page.goto(live_server.url + "/backoffice/")
        with page.expect_navigation():
            page.locator("nav.main").get_by_role("link", name="Droits", exact=True).click()
        row = page.locator(f'tr[data-number="{case.number}"]')
        expect(row.locator(".clock")).to_have_text("7 jours ou moins")
        expect(row.locator(".clock")).to_have_class("clock clock-amber")
        expect(row).to_contain_text((now - dt.timedelta(days=23)).strftime("%d/%m/%Y"))
        expect(row).to_contain_text(case.due_date.strftime("%d/%m/%Y"))
        expect(page.locator("#count-amber")).to_contain_text("1")
        page.screenshot(path=str(SCREENSHOTS / "bo-rights-dashboard.png"), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1280

        with page.expect_navigation():
            row.get_by_role("link", name=case.number).click()
        expect(page.locator("h1")).to_have_text(f"Demande {case.number}")
        expect(page.locator("#requester")).to_contain_text("Camille Roux")
        expect(page.locator("#identity")).to_contain_text("vérifiée le")
        expect(page.locator("#clock")).to_contain_text(case.due_date.strftime("%d/%m/%Y"))
        expect(page.locator("#actions")).to_contain_text("Prolonger de deux mois")
        page.screenshot(path=str(SCREENSHOTS / "bo-rights-case.png"), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    assert browser_page.page_errors == []
