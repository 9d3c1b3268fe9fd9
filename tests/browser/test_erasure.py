"""Erasure in a real browser (R53): the privacy lead opens an erasure case, sees the plan
Vigie proposes from the person's data, changes one category (a ticket under dispute kept on
a legal hold), confirms, runs the erasure; the letter reaches the SMTP server."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_portal_and_backoffice import _sign_in_with_second_factor
from tests.sources.helpdesk import BILLING_MANIFEST, HELPDESK_MANIFEST, seed_billing, seed_helpdesk
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.mail.delivery import deliver
from vigie.mail.models import Message, Status
from vigie.people.services import create_person
from vigie.register.services import load_file
from vigie.rights import services
from vigie.rights.models import ErasurePlan, ErasureStatus
from vigie.rights.sealing import Requester
from vigie.sources.services import register_source

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

SEMI = Path(__file__).resolve().parents[2] / "policies" / "semi-informatique.yaml"
ALICE = "alice.martin@example.fr"
SCREENSHOTS = Path("/tmp")  # noqa: S108


def test_the_privacy_lead_changes_one_category_confirms_and_the_letter_is_sent(
    live_server, browser_page: BrowserPage, make_staff, sign_in, sink, tmp_path, monkeypatch
) -> None:
    actor = Actor.cli("test")
    load_file(actor, SEMI)
    for name, manifest, seed in [
        ("HELPDESK", HELPDESK_MANIFEST, seed_helpdesk),
        ("BILLING", BILLING_MANIFEST, seed_billing),
    ]:
        url = f"sqlite:///{tmp_path / name.lower()}.sqlite3"
        monkeypatch.setenv(f"VIGIE_TEST_SOURCE_{name}_URL", url)
        engine = sa.create_engine(url)
        seed(engine)
        engine.dispose()
        register_source(actor, manifest)
    alice = create_person(actor, email=ALICE, first_name="Alice", last_name="Martin")
    case = services.open_case(
        actor,
        types=["erasure"],
        channel="post",
        requester=Requester(email=ALICE, name="Alice Martin"),
        person=alice,
        verified_by="customer_reference",
    ).case
    lead = make_staff(Role.PRIVACY_LEAD, username="claire.moreau")

    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in_with_second_factor(page, sign_in, lead)
    page.goto(f"{live_server.url}/backoffice/rights/{case.pk}/")
    panel = page.locator("#erasure")
    with page.expect_navigation():
        panel.get_by_role("button", name="Proposer le plan d’effacement").click()
    plan_table = page.locator("#erasure-plan")
    billing_row = plan_table.locator("tr", has_text="Facturation et comptabilité")
    expect(billing_row).to_contain_text("17(3)(b) – L123-22 C. com.")
    expect(billing_row).to_contain_text("31/12/2033")
    tickets = plan_table.locator("tr", has_text="Tickets")
    expect(tickets).to_contain_text("effacer")

    form = page.locator("#erasure-confirm")
    form.locator('select[name="choice__hotline-tickets"]').select_option("keep")
    form.locator('select[name="ground__hotline-tickets"]').select_option("e-legal-hold")
    form.locator('input[name="until__hotline-tickets"]').fill("2029-03-31")
    form.get_by_label("17(1)(a)", exact=False).check()
    with page.expect_navigation():
        form.get_by_role("button", name="Confirmer le plan").click()
    expect(page.locator("#erasure-status")).to_have_text("confirmé, prêt à lancer")
    tickets = page.locator("#erasure-plan tr", has_text="Tickets")
    expect(tickets).to_contain_text("modifié par le responsable")
    expect(tickets).to_contain_text("31/03/2029")
    page.screenshot(path=str(SCREENSHOTS / "bo-erasure-plan.png"), full_page=True)

    with page.expect_navigation():
        page.locator("#erasure-run").click()
    expect(page.locator("#erasure-status")).to_have_text("effectué")
    assert ErasurePlan.objects.get(case=case).status == ErasureStatus.DONE
    assert not browser_page.page_errors

    for pk in Message.objects.filter(status=Status.QUEUED).values_list("pk", flat=True):
        deliver(pk)
    bodies = []
    for captured in sink.messages:
        parsed = email.message_from_bytes(captured.raw, policy=email.policy.default)
        if "effacées" in str(parsed["Subject"]):
            bodies.append(parsed.get_body(preferencelist=("plain",)).get_content())
    assert len(bodies) == 1
    assert "17(3)(e) – gel juridique" in bodies[0] and "31/03/2029" in bodies[0]
    assert "17(3)(b) – L123-22 C. com." in bodies[0] and "31/12/2033" in bodies[0]
