"""A receiving controller uses the one-time portability link in a real browser (R58): the
link read from the SMTP server opens a page with one button, the download is a zip with
the JSON (valid against the published schema) and the CSV; the link then refuses."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.mail.conftest import SmtpSink
from tests.rights.conftest import ON_FILE, SEMI, deliver_all
from vigie.audit.actor import Actor
from vigie.people.services import create_person
from vigie.register.services import load_file
from vigie.rights import portability, services
from vigie.rights.models import Channel
from vigie.rights.portability_models import TransferLink
from vigie.rights.sealing import Requester

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]
RECEIVER = "dpo@receveur.example"


def _link(sink: SmtpSink) -> str:
    for captured in sink.messages:
        if captured.rcpt_tos[0] != RECEIVER:
            continue
        parsed = email.message_from_bytes(captured.raw, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",)).get_content()
        found = re.search(r"(https?://\S+/droits/portabilite/\S+)", body)
        if found:
            return found.group(1)
    raise AssertionError("no portability link sent to the receiving controller")


def test_the_receiving_controller_downloads_once_then_the_link_refuses(
    browser_page: BrowserPage, sink: SmtpSink
) -> None:
    actor = Actor.cli("test")
    load_file(actor, SEMI)
    person = create_person(actor, email=ON_FILE, first_name="Claire", last_name="Martin")
    case = services.open_case(
        actor,
        types=["portability"],
        channel=Channel.EMAIL,
        requester=Requester(email=ON_FILE, name="Claire Martin"),
        person=person,
        verified_by="customer_reference",
    ).case
    export = portability.build_export(actor, case)
    portability.send_link(actor, export, RECEIVER, by="staff")
    deliver_all()
    url = _link(sink)

    page = browser_page.page
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Données transmises à la demande d’une personne")
    assert TransferLink.objects.get().used_at is None
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger les données (une seule fois)").click()
    content = open(info.value.path(), "rb").read()  # noqa: SIM115
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        doc = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
        assert any(n.endswith("-csv.zip") for n in names)
    assert portability.schema_errors(doc) == [] and doc["case"] == case.number
    assert ON_FILE in json.dumps(doc)

    page.goto(url)
    expect(page.locator("h1")).to_have_text("Ce lien a déjà été utilisé")
    assert not browser_page.page_errors
