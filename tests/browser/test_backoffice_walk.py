"""Every back-office page, walked in a real browser at 1280 px, as a privacy lead and an admin.

With demo-like data (the register, a published policy, people with consents and segments,
the GLPI and Dolibarr demo sources registered and checked), each page reachable by GET is
opened and must show no raw code (``delete``, ``processor``, ``P3Y``, ``N/A:``, an action
name…), no English phrase of the catalogue in the French UI, and no horizontal scrollbar.

The list of pages comes from the URL conf: a back-office route added later is walked
automatically, and the test fails if it cannot be (unknown arguments) unless it is listed
in ``NOT_WALKED`` with the reason. Technical names shown on purpose (``small.tech``,
``code``, ``pre``, a YAML text area) are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Page

from tests.browser.conftest import BrowserPage
from tests.browser.test_portal_and_backoffice import _sign_in_with_second_factor
from vigie.accounts.access import AUTHENTICATED, PUBLIC
from vigie.accounts.permissions import Role
from vigie.accounts.services import request_role
from vigie.audit.actor import Actor
from vigie.consent.models import ConsentEvent, Kind
from vigie.people.models import Person
from vigie.register.services import current_document, load_file, update_entry

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path("/tmp/vigie-walk")  # noqa: S108 (for a human to look at)
VIEWPORT = {"width": 1280, "height": 900}

#: Back-office routes that are not pages to read, and why.
NOT_WALKED = {
    "accounts:staff-role": "POST only: a form on the staff account page",
    "accounts:staff-undertakings": "POST only: a form on the staff account page",
    "accounts:staff-deactivate": "POST only: a button on the staff account page",
    "accounts:apikey-create": "POST only: a form on the staff account page",
    "accounts:apikey-revoke": "POST only: a button on the staff account page",
    "accounts:role-grant-confirm": "POST only: a button on the staff list",
    "accounts:role-grant-refuse": "POST only: a button on the staff list",
    "audit:verify": "POST only: its result page is walked by pressing the button",
    "mail:retry": "POST only: a button on the outbox page",
    "policy:publish": "POST only: a button on the policy version page",
    "register:export": "a file download (PDF, XLSX…), not a page",
    "consent:proof-export": "a JSON file download, not a page",
    "rights:identity-upload": "POST only: a form on the case's identity panel",
    "rights:identity-ask": "POST only: a form on the case's identity panel",
    "rights:identity-verify": "POST only: a button on the case's identity panel",
    "rights:identity-download": "a file download (the identity document), not a page",
    "cases:scan": "a file download (the scan of a letter), not a page",
    "cases:triage-message": "needs an IMAP message: tests/rights/test_triage_pages.py",
    "cases:verify": "POST only: a form on the rights case page",
    "cases:challenge": "POST only: a button on the rights case page",
    "cases:received-at": "POST only: a form on the rights case page",
    "cases:extend": "POST only: a form on the rights case page",
    "cases:decide": "POST only: a form on the rights case page",
    "cases:answer": "POST only: a button on the rights case page",
    "cases:close-unverified": "POST only: a form on the rights case page",
    "cases:assign": "POST only: a form on the rights case page",
    "cases:erasure-propose": "POST only: a button of the case page's erasure panel",
    "cases:erasure-confirm": "POST only: a form of the case page's erasure panel",
    "cases:erasure-client": "POST only: a form of the case page's erasure panel",
    "cases:erasure-run": "POST only: a button of the case page's erasure panel",
    "cases:person-delete": "POST only: a button on the person page (R19)",
    "cases:person-death": "POST only: a form on the person page (R59)",
    "cases:deadline": "POST only: a form on the rights case page",
    "cases:rectify": "POST only: a form on the rights case page",
    "cases:rectify-proof": "POST only: a form on the rights case page",
    "cases:rectify-task-done": "POST only: a form on the rights case page",
    "cases:rectify-values": "needs applied corrections: tests/rights/test_rectification_pages.py",
    "disclosures:record": "POST only: a form on the person page",
    "disclosures:export": "a CSV file download, not a page",
    "cases:recipients-send": "POST only: a button of the case page's Art. 19 panel",
    "cases:notice-send": "POST only: a button of the case page's Art. 19 panel",
    "cases:notice-done": "POST only: a form of the case page's Art. 19 panel",
    "cases:notice-impossible": "POST only: a form of the case page's Art. 19 panel",
    "cases:restrict": "POST only: a form of the case page's restriction panel",
    "cases:restrict-while-checked": "POST only: a button of the case page's restriction panel",
    "cases:lifting-notice": "POST only: a button of the case page's restriction panel",
    "cases:lift": "POST only: a button of the case page's restriction panel",
    "cases:object": "POST only: a form of the case page's objection panel",
    "cases:objection-grounds": "POST only: a form of the case page's objection panel",
    "cases:objection-letter": "POST only: a button of the case page's objection panel",
    "cases:access-compile": "POST only: a button of the case page's access panel",
    "cases:access-send": "POST only: a button of the case page's access panel",
    "cases:access-preview": "a file download (PDF, JSON, CSV), not a page",
    "cases:portability-build": "POST only: a button of the case page's portability panel",
    "cases:portability-link": "POST only: a form of the case page's portability panel",
    "cases:portability-download": "a file download (JSON, CSV zip), not a page",
}

#: Pages being reworked on another branch (ui-people) at the time of writing: walked, and
#: their problems printed, but not failed on. Remove an entry once its rework is merged.
REWORKED_ELSEWHERE: dict[str, str] = {}

#: Codes that must never reach a reader: whole words, case-sensitive (a French page has
#: no reason to show these lower-case English identifiers).
CODES = [
    # final actions, register roles and recipient categories, measure kinds
    "delete", "anonymise", "controller", "processor", "independent_controller",
    "joint_controller", "authority", "technical", "organisational",
    # legal bases
    "consent", "contract", "legal_obligation", "vital_interests", "public_task",
    "legitimate_interest",
    # marketing purposes
    "newsletter", "offres_semi", "offres_partenaires",
    # consent kinds, methods and states
    "grant", "soft_opt_in", "pending", "confirm", "withdraw", "object", "web_form", "phone",
    "post", "import", "subscribed", "withdrawn", "objected", "unsubscribed", "one_click",
    "unsubscribe_page", "preference_centre",
    # staff roles, actor kinds, outbox states
    "privacy_lead", "admin", "sales", "technician", "accounting", "archive_legal", "auditor",
    "cli", "api_key", "system", "anonymous", "queued", "sent", "failed", "bounced", "refused",
    # Python values that leaked into a template
    "True", "False", "None",
]  # fmt: skip
#: French that happens to contain a code word ("directives post mortem", Art. 85 LIL).
FRENCH_LOOKALIKES = re.compile(r"\bpost[- ]mortem\b", re.IGNORECASE)
#: A code word right after an apostrophe is French (« règles d'import »), not a code.
CODE_WORD = re.compile(r"(?<![\w/.@'’-])(" + "|".join(CODES) + r")(?![\w/.@-])")
CODE_PATTERNS = {
    "an ISO 8601 duration": re.compile(r"\bP(?:\d+[YMWD])+\b"),
    "an untold N/A": re.compile(r"\bN/A\s*:"),
    "an action name": re.compile(r"\b[a-z_]+:[a-z_]+:[a-z_]+\b|\bpersonal_data:read\b"),
    "an ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
}

#: English that is not in the catalogue (words a template could hard-code).
ENGLISH_WORDS = {
    "Edit", "Save", "Delete", "Download", "Search", "Filter", "Back", "Next", "Previous",
    "Yes", "No", "yes", "no", "never", "Never", "of", "the", "and", "from", "with",
}  # fmt: skip


@cache
def _english_phrases() -> tuple[str, ...]:
    """The catalogue's English phrases (two words or more) whose French differs."""
    from django.utils import translation

    catalogue = ROOT / "vigie" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    phrases = set()
    msgid = re.compile(r'^msgid "(.+)"$', re.M)
    for found in msgid.finditer(catalogue.read_text(encoding="utf-8")):
        text = found.group(1).replace('\\"', '"')
        if "%" in text or "{" in text or len(text.split()) < 2:
            continue
        with translation.override("fr"):
            if translation.gettext(text) == text:
                continue
        phrases.add(text)
    return tuple(sorted(phrases, key=len, reverse=True))


@dataclass(frozen=True)
class Walkable:
    name: str
    path: str
    permission: str


def _routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Any]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry.callback


def _back_office_routes() -> list[tuple[str, str, str]]:
    found = []
    for route, name, view in _routes(get_resolver().url_patterns):
        access = getattr(view, "vigie_access", None)
        if route.startswith("backoffice/") and access not in (None, PUBLIC, AUTHENTICATED):
            found.append((route, name, str(access)))
    return found


def _arguments(objects: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """The arguments to open each back-office page with (several: several pages)."""
    person = objects["person"]
    return {
        "accounts:staff-detail": [[objects["lead"].pk]],
        "register:revision": [[1], [2]],
        "register:edit-retention": [["identity-contact"]],
        "register:edit-entry": [
            ["activities", objects["activity"]],
            ["recipients", objects["recipient"]],
        ],
        "people:detail": [[person.pk]],
        "sources:person": [[person.pk]],
        "policy:detail": [[1]],
        "consent:proof": [[person.pk]],
        "consent:record": [[person.pk]],
        # An import waiting for the worker (its progress), and one done (its report).
        "consent:import-job": [[job] for job in objects["imports"]],
        "rights:identity": [[objects["rights_case"]]],
        # Rights cases: verified with a refusal, suspended, by post with its scan, a complaint.
        "cases:detail": [[case] for case in objects["cases"]],
    }


def _pages(objects: dict[str, Any]) -> list[Walkable]:
    arguments = _arguments(objects)
    pages, unknown = [], []
    for route, name, permission in _back_office_routes():
        if name in NOT_WALKED:
            continue
        if "<" not in route:
            pages.append(Walkable(name, reverse(name), permission))
        elif name in arguments:
            pages += [Walkable(name, reverse(name, args=a), permission) for a in arguments[name]]
        else:
            unknown.append(name)
    assert unknown == [], f"add these pages to the walk (arguments) or to NOT_WALKED: {unknown}"
    stale = set(NOT_WALKED) - {name for _r, name, _p in _back_office_routes()}
    assert stale == set(), f"NOT_WALKED names routes that no longer exist: {stale}"
    return pages


@pytest.fixture
def demo_like_data(make_staff, tmp_path, settings) -> dict[str, Any]:
    """The register, policy v1, people with consents and segments, two checked sources."""
    from vigie.demo.people import create_demo_people
    from vigie.demo.sources import create_demo_sources
    from vigie.policy.services import ensure_published_first_version
    from vigie.sources.services import check_sources

    settings.VAR_DIR = tmp_path
    actor = Actor.cli("demo")
    load_file(actor, ROOT / "policies" / "semi-informatique.yaml")
    # A second revision whose changes are values (a duration, a final action).
    update_entry(
        actor,
        "data_categories",
        "identity-contact",
        {"retention": {**_retention("identity-contact"), "active_duration": "P4Y"}},
        reason="",
    )
    ensure_published_first_version(actor)
    people = create_demo_people(40)
    create_demo_sources(people)
    check_sources(actor)
    doc = current_document()
    assert doc is not None
    lead = make_staff(Role.PRIVACY_LEAD, username="claire.moreau")
    admin = make_staff(Role.ADMIN, username="alice.martin")
    # A role awaiting a second person: the staff list and the home show it (issue 11).
    newcomer = make_staff(Role.NONE, username="bruno.petit")
    request_role(Actor.for_user(admin), newcomer, Role.SALES)
    # A person whose proof has several events: a withdrawal follows a consent.
    withdrawn = (
        ConsentEvent.objects.filter(kind=Kind.WITHDRAW).order_by("pk").values("person").first()
    )
    with_consents = Person.objects.filter(pk=withdrawn["person"]).first() if withdrawn else None
    _failed_messages(actor, people[0])
    imports = _import_jobs(actor)
    cases = _rights_cases(actor, people[1], lead)
    return {
        "rights_case": _rights_case(lead),
        "cases": cases,
        "imports": imports,
        "lead": lead,
        "admin": admin,
        "person": with_consents or people[0],
        "activity": doc["activities"][0]["key"],
        "recipient": doc["recipients"][0]["key"],
    }


def _rights_case(lead: Any) -> str:
    """A request from an address Vigie does not know: an identity document asked for by
    the privacy lead, and one received (the identity panel shows both)."""
    from vigie.rights import identity
    from vigie.rights.sealing import Requester
    from vigie.rights.services import open_case

    case = open_case(
        Actor("anonymous", "", "127.0.0.1"),
        types=["erasure"],
        channel="portal",
        requester=Requester(email="quelquun@ailleurs.example", name="Camille Roux"),
    ).case
    staff = Actor.for_user(lead)
    identity.request_identity_document(staff, case, "Adresse inconnue, demande d’effacement.")
    identity.store_identity_document(
        staff, case, b"\x89PNG\r\n\x1a\n" + bytes(2048), file_name="cni.png"
    )
    identity.request_identity_document(staff, case, "Copie illisible : le verso manque.")
    return str(case.pk)


def _import_jobs(actor: Actor) -> list[str]:
    from vigie.consent.import_jobs import run_import, start_import

    csv = (
        "email;first_name;last_name;subject_types;source;source_name;"
        "partner_permission_ref;purpose;consent;collected_at\n"
        "camille.roux@exemple-industrie.fr;Camille;Roux;prospect_B2B;partner;Salon IT Sud;"
        "contrat-2026-03;;non;01/03/2026\n"
        "contact@exemple-industrie.fr;;;prospect_B2B;partner;Salon IT Sud;contrat-2026-03;;non;"
        "01/03/2026\n"
        "pas-une-adresse;A;B;prospect_B2B;partner;Salon IT Sud;contrat-2026-03;;non;01/03/2026\n"
    )
    done = start_import(actor, csv, file_name="salon.csv", wording="", channel="import:salon.csv")
    run_import(str(done.pk))
    waiting = start_import(
        actor, csv, file_name="salon.csv", wording="", channel="import:salon.csv"
    )
    return [str(waiting.pk), str(done.pk)]


def _rights_cases(actor: Actor, person: Person, lead: Any) -> list[str]:
    """Rights cases whose pages show every panel: a decision and an extension, a
    suspended clock, a letter's scan, a complaint whose deadline is set by hand."""
    import datetime as dt

    from django.utils import timezone

    from vigie.rights import services
    from vigie.rights.scans import ScanFile, open_case_with_scan
    from vigie.rights.sealing import Requester

    lead_actor = Actor.for_user(lead)
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    verified = services.open_case(
        actor,
        types=["access", "erasure"],
        channel="phone",
        requester=Requester(name="Camille Roux", phone="04 42 00 00 00"),
        description="Je souhaite savoir quelles données vous avez sur moi, et les effacer.",
        person=person,
        received_at=ten_days_ago,
        verified_by="known_to_staff",
    ).case
    services.assign(lead_actor, verified, lead)
    services.extend_deadline(lead_actor, verified, "Dix ans d’interventions à rassembler.")
    services.decide(lead_actor, verified, "erasure", "refused", "Factures : art. L123-22 C. com.")
    suspended = services.open_case(
        actor,
        types=["rectification"],
        channel="portal",
        requester=Requester(email="inconnu@ailleurs.example", name="Paul Inconnu"),
    ).case
    by_post = open_case_with_scan(
        actor,
        ScanFile("courrier.pdf", b"%PDF-1.4\n%%EOF\n"),
        types=["objection"],
        channel="post",
        requester=Requester(name="Jeanne Durand", postal_address="12 rue des Lilas\n13100 Aix"),
        received_at=ten_days_ago,
    )
    complaint = services.open_case(
        actor,
        types=["complaint"],
        channel="email",
        requester=Requester(email="plainte@ailleurs.example", name="Luc Martin"),
        person=person,
        verified_by="known_to_staff",
    ).case
    services.set_deadline(lead_actor, complaint, timezone.localdate() + dt.timedelta(days=15))
    return [str(c.pk) for c in (verified, suspended, by_post, complaint)]


def _failed_messages(actor: Actor, person: Person) -> None:
    """The outbox with failures: a plain one and one possibly delivered (its reason,
    Message-ID and confirmation box must read as French and fit the width)."""
    from vigie.mail.delivery import UNCERTAIN
    from vigie.mail.models import Message, Status
    from vigie.mail.services import queue_message

    context = {"source_name": "Salon IT"}
    plain = queue_message(actor, person, "art14_notice", kind="service", context=context)
    unsure = queue_message(actor, person, "art14_notice", kind="service", context=context)
    Message.objects.filter(pk=plain.pk).update(
        status=Status.FAILED, last_error="550 5.1.1 <address>: mailbox unknown"
    )
    Message.objects.filter(pk=unsure.pk).update(
        status=Status.FAILED, attempts=2, last_error=UNCERTAIN.format(unsure.message_id)
    )


def _retention(key: str) -> dict[str, Any]:
    doc = current_document()
    assert doc is not None
    return next(c for c in doc["data_categories"] if c["key"] == key)["retention"]


READ_TEXT = """() => {
  const skipped = "small.tech, code, pre, textarea, script, style, kbd";
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!element || element.closest(skipped)) continue;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text) texts.push(text);
  }
  for (const element of document.querySelectorAll("[title], [aria-label], [placeholder]")) {
    for (const name of ["title", "aria-label", "placeholder"]) {
      const value = element.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts;
}"""


#: Buttons whose words cannot be read: text drawn in the colour of its background (the
#: danger buttons were red on red).
UNREADABLE_BUTTONS = """() => {
  const found = [];
  for (const element of document.querySelectorAll("button, .button, input[type=submit]")) {
    const style = getComputedStyle(element);
    const text = (element.textContent || element.value || "").trim();
    if (element.offsetParent !== null && text && style.color === style.backgroundColor) {
      found.push(text);
    }
  }
  return found;
}"""
#: Date fields whose value the browser could not read (only AAAA-MM-JJ is): shown empty,
#: and emptied by the next save.
UNREAD_DATES = """() => Array.from(document.querySelectorAll("input[type=date]"))
  .filter((element) => element.getAttribute("value") && !element.value)
  .map((element) => `${element.name}=${element.getAttribute("value")}`)"""


def _problems(page: Page) -> list[str]:
    problems = []
    for text in page.evaluate(UNREADABLE_BUTTONS):
        problems.append(f"button {text!r} drawn in the colour of its background")
    for field in page.evaluate(UNREAD_DATES):
        problems.append(f"date field {field!r} shown empty (not AAAA-MM-JJ)")
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width[0] > width[1]:
        problems.append(f"horizontal scrollbar: {width[0]} px wide in {width[1]} px")
    for text in page.evaluate(READ_TEXT):
        for found in CODE_WORD.finditer(FRENCH_LOOKALIKES.sub("", text)):
            problems.append(f"raw code {found.group(0)!r} in {text[:120]!r}")
        for what, pattern in CODE_PATTERNS.items():
            for found in pattern.finditer(text):
                problems.append(f"{what} {found.group(0)!r} in {text[:120]!r}")
        words = set(re.findall(r"[A-Za-z]+", text))
        for word in sorted(words & ENGLISH_WORDS):
            if re.search(rf"(?<![\w'’-]){word}(?![\w'’-])", text):
                problems.append(f"English word {word!r} in {text[:120]!r}")
        for phrase in _english_phrases():
            if phrase in text:
                problems.append(f"English {phrase!r} in {text[:120]!r}")
    return problems


def _walk(page: Page, base: str, pages: list[Walkable], role: str) -> dict[str, list[str]]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    for n, target in enumerate(pages):
        response = page.goto(base + target.path)
        assert response is not None
        where = f"{role} {target.path} ({target.name})"
        if response.status != 200:
            found[where] = [f"HTTP {response.status}"]
            continue
        shot = f"{role}-{n:02d}-{target.name.replace(':', '-')}.png"
        page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
        problems = _problems(page)
        if problems:
            found[where] = problems
    return found


def _allowed(user: Any, pages: list[Walkable]) -> list[Walkable]:
    from vigie.accounts.permissions import Permission

    return [p for p in pages if user.has_vigie_permission(Permission(p.permission))]


def _report(found: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Split problems into those that fail the test and those of pages reworked elsewhere."""
    failing, elsewhere = {}, {}
    for where, problems in found.items():
        name = where.rsplit("(", 1)[-1].rstrip(")")
        (elsewhere if name in REWORKED_ELSEWHERE else failing)[where] = sorted(set(problems))
    return failing, elsewhere


def test_every_back_office_page_reads_as_french_words_at_1280_px(
    live_server, chromium_browser, demo_like_data, sign_in
) -> None:
    objects = demo_like_data
    pages = _pages(objects)
    # The English looked for: the catalogue's phrases (a few hundred), not an empty list.
    assert len(_english_phrases()) > 100
    walked: set[str] = set()
    found: dict[str, list[str]] = {}
    for role, user in (("privacy-lead", objects["lead"]), ("admin", objects["admin"])):
        context = chromium_browser.new_context(locale="fr-FR", viewport=VIEWPORT)
        try:
            page = context.new_page()
            browser_page = BrowserPage(page=page)
            _sign_in_with_second_factor(page, sign_in, user)
            allowed = _allowed(user, pages)
            walked |= {p.name for p in allowed}
            found |= _walk(page, live_server.url, allowed, role)
            if role == "admin":
                # The verification result page: reached by its button, not by a link.
                page.goto(live_server.url + reverse("audit:log"))
                with page.expect_navigation():
                    page.get_by_role("button", name="Vérifier la chaîne maintenant").click()
                problems = _problems(page)
                if problems:
                    found[f"{role} audit:verify"] = problems
            assert browser_page.page_errors == []
        finally:
            context.close()
    every = {p.name for p in pages}
    assert every - walked == set(), f"pages no walking role may open: {every - walked}"
    failing, elsewhere = _report(found)
    for where, problems in elsewhere.items():
        print(f"[reworked elsewhere] {where}: {problems}")
    assert failing == {}, "\n".join(f"{w}: {p}" for w, p in failing.items())
