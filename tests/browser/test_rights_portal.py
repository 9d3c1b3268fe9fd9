"""A person exercises a right on the portal, in a real browser: the request form, the
confirmation link read from the SMTP server, the personal space opened through its
own link, and the case listed there with its number and its dates (JJ/MM/AAAA)."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserPage
from tests.mail.conftest import SmtpSink
from tests.rights.conftest import ON_FILE, SEMI, deliver_all, run_portal_jobs
from vigie.people.services import create_person
from vigie.register.services import load_file
from vigie.rights.models import Case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

# Side effects for a human to look at; nothing asserts on them.
SHOTS = "/tmp/portal-{}.png"  # noqa: S108
DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def _last_link(sink: SmtpSink, path: str) -> str:
    """The link to ``path`` in the last message the SMTP server accepted for ON_FILE."""
    for captured in reversed(sink.messages):
        if captured.rcpt_tos[0] != ON_FILE:
            continue
        parsed = email.message_from_bytes(captured.raw, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        found = re.search(r"(https?://\S+" + re.escape(path) + r"[^\s<\"]+)", body.get_content())
        if found:
            return found.group(1)
    raise AssertionError(f"no link to {path} in {len(sink.messages)} message(s)")


def _fits(page: Page) -> None:
    """Nothing wider than the window (1280 px): no horizontal scroll bar."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280


def test_a_request_from_the_address_on_file_shows_in_the_personal_space(
    live_server, browser_page: BrowserPage, sink: SmtpSink, cli_actor
) -> None:
    load_file(cli_actor, SEMI)
    create_person(cli_actor, email=ON_FILE, first_name="Claire", last_name="Martin")
    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 900})

    # The portal's home leads to the form.
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Exercer vos droits").click()
    expect(page.locator("h1")).to_have_text("Exercer vos droits")
    expect(page.locator("main")).to_contain_text("gratuit")
    page.get_by_label("Accès").check()
    page.get_by_label("Vos nom et prénom").fill("Claire Martin")
    page.get_by_label("Votre adresse e-mail").fill(ON_FILE)
    page.get_by_label("Votre message (facultatif)").fill("Une copie de mes données, merci.")
    _fits(page)
    page.screenshot(path=SHOTS.format("request"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.locator("h1")).to_have_text("Demande reçue")
    page.screenshot(path=SHOTS.format("request-sent"), full_page=True)

    # What the worker does, then the confirmation link from the mail server.
    assert run_portal_jobs() == 1
    deliver_all()
    page.goto(_last_link(sink, "/droits/confirmer/"))
    with page.expect_navigation():
        page.get_by_role("button", name="Je confirme ma demande").click()
    expect(page.locator("h1")).to_have_text("Votre demande est confirmée")

    # The personal space, through the link sent to the address on file.
    page.goto(live_server.url + "/droits/espace/connexion/")
    page.get_by_label("Votre adresse e-mail").fill(ON_FILE)
    with page.expect_navigation():
        page.get_by_role("button", name="M’envoyer le lien").click()
    expect(page.locator("main")).to_contain_text("Si cette adresse figure dans nos fichiers")
    run_portal_jobs()
    deliver_all()
    page.goto(_last_link(sink, "/droits/espace/entrer/"))
    with page.expect_navigation():
        page.get_by_role("button", name="Ouvrir mon espace personnel").click()
    expect(page.locator("h1")).to_have_text("Votre espace personnel")
    case = Case.objects.get()
    row = page.locator("main table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(case.number)
    expect(row).to_contain_text("Accès")
    expect(row).to_contain_text("En cours")
    expect(row).to_contain_text(timezone.localtime(case.received_at).strftime("%d/%m/%Y"))
    expect(row).to_contain_text(case.due_date.strftime("%d/%m/%Y"))
    expect(row).to_contain_text("Identité confirmée le")
    # Received, identity confirmed, answer due: every date as JJ/MM/AAAA.
    assert len(DAY.findall(row.inner_text())) == 3
    _fits(page)
    page.screenshot(path=SHOTS.format("space"), full_page=True)

    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    page.goto(live_server.url + "/droits/espace/")
    expect(page).to_have_url(live_server.url + "/droits/espace/connexion/")
    assert browser_page.console_errors == []
    assert browser_page.page_errors == []


def test_the_english_form_and_a_bad_link_page_fit_the_window(
    live_server, browser_page: BrowserPage, cli_actor
) -> None:
    load_file(cli_actor, SEMI)
    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/en/rights/request/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Exercise your rights")
    expect(page.locator("main")).to_contain_text("free of charge")
    _fits(page)
    page.screenshot(path=SHOTS.format("request-en"), full_page=True)
    page.goto(live_server.url + "/droits/espace/entrer/forged-link")
    expect(page.locator("h1")).to_have_text("Ce lien n'est pas valide")
    expect(page.get_by_role("link", name="Demander un nouveau lien")).to_be_visible()
    _fits(page)
    page.screenshot(path=SHOTS.format("bad-link"), full_page=True)
    # The one console error is the 400 of the forged link, asked for above.
    assert [e for e in browser_page.console_errors if "400" not in e] == []
    assert browser_page.page_errors == []
