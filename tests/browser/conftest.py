"""Browser fixtures: the system Chromium driven by Playwright's sync API.

Playwright's sync API runs an asyncio event loop in the test thread, so Django
would refuse ORM calls made from that thread (fixtures creating accounts, reading
TOTP devices) unless told it is safe; it is, since nothing here is async. The
variable is set for this package only and removed afterwards: left in the
environment it would leak into other tests (``check --deploy`` in a subprocess
reports it as async.E001).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.mail.conftest import SmtpSink, _free_port

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
LOGIN_PATH = "/backoffice/login/"


@dataclass
class BrowserPage:
    """A fresh page, and the errors the browser reported while it was open."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_calls_beside_playwright() -> Iterator[None]:
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def chromium_browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} does not exist: the browser tests need the system Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser: Browser, transactional_db: None) -> Iterator[BrowserPage]:
    """A page in its own browser context: no cookie is carried over between tests."""
    context = chromium_browser.new_context(locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    result = BrowserPage(page=page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        result.console_errors.append(f"{message.text} @ {url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: result.page_errors.append(str(error)))
    try:
        yield result
    finally:
        context.close()


@pytest.fixture
def sign_in(live_server) -> Callable[[Page, str, str], None]:
    """Fill and submit the back-office sign-in form, waiting for the next page."""

    def submit(page: Page, username: str, password: str) -> None:
        page.goto(live_server.url + LOGIN_PATH)
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")

    return submit


@pytest.fixture
def sink(settings, live_server) -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that the pages' e-mails reach, their links pointing
    at the live server (a person's sign-in link, a letter's download link)."""
    settings.SITE_URL = live_server.url
    settings.SMTP_HOST = "127.0.0.1"
    settings.SMTP_PORT = _free_port()
    settings.SMTP_TLS = "none"
    settings.SMTP_TIMEOUT_SECONDS = 5
    settings.DKIM_DOMAIN = ""
    settings.DKIM_PRIVATE_KEY_PATH = ""
    server = SmtpSink(port=settings.SMTP_PORT)
    server.start()
    yield server
    server.stop()
