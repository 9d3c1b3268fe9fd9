"""The portal and the back-office, seen through a real browser (system Chromium)."""

from __future__ import annotations

import base64
import copy
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserPage
from tests.conftest import STRONG_PASSWORD
from tests.register.conftest import MINIMAL
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.register.services import apply_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Side effects for a human to look at; nothing asserts on them.
PORTAL_SCREENSHOT = "/tmp/vigie-portal.png"  # noqa: S108
BACKOFFICE_SCREENSHOT = "/tmp/vigie-backoffice.png"  # noqa: S108

HOME_PATH = "/backoffice/"
AUDIT_LOG_PATH = "/backoffice/audit/"


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _assert_static_files_loaded(page: Page) -> None:
    """htmx ran and the stylesheet applied: both came through under the CSP."""
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => typeof window.htmx") == "object"
    hrefs = page.evaluate("() => Array.from(document.styleSheets, (sheet) => sheet.href)")
    assert any(href and href.endswith("/vigie.css") for href in hrefs), hrefs


def _assert_no_browser_errors(browser_page: BrowserPage) -> None:
    assert browser_page.console_errors == []
    assert browser_page.page_errors == []


def _sign_in_with_second_factor(page: Page, sign_in, user) -> None:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    sign_in(page, user.username, STRONG_PASSWORD)
    expect(page).to_have_url(re.compile(r"/backoffice/login/otp/(\?.*)?$"))
    expect(page.get_by_role("heading", name="Second facteur", level=1)).to_be_visible()
    page.fill("input[name=token]", _current_code(device))
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_the_portal_speaks_french_then_english_once_chosen(
    live_server, browser_page: BrowserPage
) -> None:
    # The company's name comes from the loaded register (issue 9).
    apply_document(Actor.cli("test"), copy.deepcopy(MINIMAL))
    page = browser_page.page
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Vos données personnelles chez SEMI INFORMATIQUE")
    expect(page.get_by_role("heading", name="Politique de confidentialité")).to_be_visible()
    _assert_static_files_loaded(page)
    page.screenshot(path=PORTAL_SCREENSHOT, full_page=True)

    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Your personal data at SEMI INFORMATIQUE")
    expect(page.get_by_role("link", name="Français")).to_be_visible()

    # The choice is kept in a cookie: without ``?lang=`` the portal stays in English.
    page.goto(live_server.url + "/")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Your personal data at SEMI INFORMATIQUE")
    _assert_static_files_loaded(page)

    _assert_no_browser_errors(browser_page)


def test_a_sales_account_signs_in_and_sees_the_back_office_home(
    live_server, browser_page: BrowserPage, make_staff, sign_in
) -> None:
    page = browser_page.page
    user = make_staff(Role.SALES)
    sign_in(page, user.username, STRONG_PASSWORD)

    expect(page).to_have_url(live_server.url + HOME_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # Sales reaches rights requests, people, consents and the outbox: one panel each.
    expect(page.locator("section.panels article h2")).to_have_text(
        ["Demandes de droits", "Personnes", "Consentements et désabonnements", "Boîte d’envoi"]
    )
    expect(page.locator("header form.logout")).to_contain_text(user.username)
    # A sales account has neither the staff list nor the audit log in its menu.
    expect(page.get_by_role("link", name="Journal d'audit")).to_have_count(0)
    _assert_static_files_loaded(page)
    page.screenshot(path=BACKOFFICE_SCREENSHOT, full_page=True)

    _assert_no_browser_errors(browser_page)


def test_a_privacy_lead_passes_the_second_factor_then_opens_the_audit_log(
    live_server, browser_page: BrowserPage, make_staff, sign_in
) -> None:
    page = browser_page.page
    lead = make_staff(Role.PRIVACY_LEAD)
    _sign_in_with_second_factor(page, sign_in, lead)

    expect(page).to_have_url(live_server.url + HOME_PATH)
    expect(page.get_by_role("heading", name="Registre et conservation")).to_be_visible()

    with page.expect_navigation():
        page.locator("nav.main").get_by_role("link", name="Journal d'audit").click()
    expect(page).to_have_url(live_server.url + AUDIT_LOG_PATH)
    expect(page.get_by_role("heading", name="Journal d'audit", level=1)).to_be_visible()
    table = page.locator("main table")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_text(["Quand", "Qui", "Action", "Objet", "IP"])
    # The page shows the log as it was when opened: the newest row is the sign-in, by
    # the login of whoever signed in, as a sentence.
    expect(table.locator("tbody tr").first).to_contain_text("s'est connecté")
    expect(table.locator("tbody tr").first).to_contain_text(lead.username)
    # Reading the log is itself journaled: the next reading shows the first one.
    page.reload()
    expect(table.locator("tbody tr").first).to_contain_text("a consulté le journal d'audit")

    _assert_no_browser_errors(browser_page)


def test_the_audit_log_shows_the_sign_in_that_preceded_it(
    live_server, browser_page: BrowserPage, make_staff, sign_in
) -> None:
    page = browser_page.page
    lead = make_staff(Role.PRIVACY_LEAD)
    _sign_in_with_second_factor(page, sign_in, lead)
    page.goto(live_server.url + AUDIT_LOG_PATH)
    table = page.locator("main table")
    expect(table).to_contain_text("s'est connecté", timeout=2_000)


def test_an_admin_without_a_device_is_shown_the_second_factor_set_up(
    live_server, browser_page: BrowserPage, make_staff, sign_in
) -> None:
    page = browser_page.page
    admin = make_staff(Role.ADMIN, totp=False)
    sign_in(page, admin.username, STRONG_PASSWORD)
    # The home sends to the second-factor step, which sends to its set-up.
    page.wait_for_url(re.compile(r"/backoffice/login/otp/setup/(\?.*)?$"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Configurer votre second facteur")
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("(img) => img.complete && img.naturalWidth > 0")
    secret = page.locator("main p code")
    expect(secret).to_have_text(re.compile(r"^[A-Z2-7]{16,}=*$"))
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert secret.inner_text() == base64.b32encode(device.bin_key).decode()
    expect(page.locator("input[name=token]")).to_be_visible()

    _assert_no_browser_errors(browser_page)
