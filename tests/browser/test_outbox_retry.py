"""A message possibly delivered goes again from the outbox only once the privacy lead
ticks « I checked the mail server's log »: the browser asks for the box, and the
server refuses without it (400, nothing done)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_portal_and_backoffice import _sign_in_with_second_factor
from vigie.accounts.permissions import Role
from vigie.mail.delivery import UNCERTAIN
from vigie.mail.models import Message, Status
from vigie.mail.services import queue_message
from vigie.people.services import create_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

BOX = "J'ai vérifié dans le journal du serveur de messagerie que ce message n'est pas parti"


def test_a_possibly_delivered_message_is_sent_again_only_with_the_box_ticked(
    live_server, browser_page: BrowserPage, make_staff, sign_in, cli_actor
) -> None:
    person = create_person(cli_actor, email="jeanne.dupont@exemple.fr", first_name="Jeanne")
    message = queue_message(
        cli_actor, person, "art14_notice", kind="service", context={"source_name": "Salon IT"}
    )
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED, last_error=UNCERTAIN.format(message.message_id)
    )
    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in_with_second_factor(page, sign_in, make_staff(Role.PRIVACY_LEAD))
    page.goto(live_server.url + "/backoffice/outbox/")
    row = page.locator("main table tbody tr")
    expect(row).to_contain_text("Peut-être remis")
    expect(row).to_contain_text(message.message_id)  # visible text, to search the log for

    # Without the box the browser does not send the form.
    row.get_by_role("button", name="Renvoyer").click()
    assert row.get_by_label(BOX).evaluate("box => box.validity.valueMissing")
    assert Message.objects.get(pk=message.pk).status == Status.FAILED
    # Nor does the server, when the form comes without it (the check lifted).
    row.get_by_label(BOX).evaluate("box => box.removeAttribute('required')")
    with page.expect_response(lambda r: "/retry/" in r.url) as answer:
        row.get_by_role("button", name="Renvoyer").click()
    assert answer.value.status == 400
    expect(page.locator("main")).to_contain_text("Rien n'a été fait")
    page.screenshot(path="/tmp/vigie-outbox-unconfirmed.png", full_page=True)  # noqa: S108
    assert Message.objects.get(pk=message.pk).status == Status.FAILED

    page.get_by_label(BOX).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Renvoyer").click()
    expect(page.locator(".messages")).to_contain_text("de nouveau en file")
    assert Message.objects.get(pk=message.pk).status == Status.QUEUED
    # The one console error is the refusal asked for above.
    assert [e for e in browser_page.console_errors if "400" not in e] == []
    assert browser_page.page_errors == []
