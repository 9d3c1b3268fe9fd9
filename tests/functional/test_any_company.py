"""Acceptance (issue 9): with another company's register loaded, no page, e-mail or PDF
names SEMI INFORMATIQUE or its address; the loaded company appears where the law wants
its identity (portal footer, e-mail footers, Art. 14 notice, register PDF)."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from tests.web.test_access_declared import VIEW_ROUTES
from vigie.accounts.models import RoleGrant, User
from vigie.audit.actor import Actor
from vigie.lib.tokens import make_token, unsubscribe_url
from vigie.mail.models import Kind
from vigie.mail.rendering import CATALOGUE, LANGUAGES, render
from vigie.people.services import create_person
from vigie.policy import services as policy
from vigie.register.services import export_register, load_file

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

FIXTURE = Path(__file__).parents[1] / "register" / "atelier-numerique-dupont.yaml"
NAME = "Atelier Numérique Dupont"
ADDRESS = "12 Quai des Chartrons, 33000 Bordeaux"
#: What must never show once another company's register is loaded.
FORBIDDEN = re.compile(r"semi|andr[ée]\s+amp[èe]re|aix-en-provence|13290", re.IGNORECASE)


#: A random token in a link (43 URL-safe characters for 32 bytes) may spell « semi » by chance.
TOKEN = re.compile(r"[A-Za-z0-9_-]{30,}")


def _leaks(text: str) -> list[str]:
    text = TOKEN.sub("<token>", text)
    return sorted({m.group(0) for m in FORBIDDEN.finditer(text)})


def test_a_token_that_spells_the_name_by_chance_is_not_a_leak() -> None:
    link = "https://x.example/newsletter/confirm/Ab3SEMIq9_x-Zt0LmNoPqRsTuVwXyZ0123456"
    assert _leaks(link) == []
    assert _leaks("Écrire à dpo@semi-informatique.fr") == ["semi"]


@pytest.fixture
def company(cli_actor: Actor) -> dict[str, Any]:
    load_file(cli_actor, FIXTURE)
    first = policy.publish(
        cli_actor,
        policy.create_draft(
            cli_actor, change_summary_fr="Création", change_summary_en="Created", material=False
        ),
    )
    person = create_person(
        cli_actor,
        email="claire.martin@client.example",
        first_name="Claire",
        last_name="Martin",
        subject_types=["newsletter_subscriber"],
    )
    return {"policy": first, "person": person}


def _url(route: str, values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        return values.get(match.group(1), "1")

    url = re.sub(r"<(?:\w+:)?(\w+)>", fill, route)
    return "/" + url


def test_every_page_names_the_loaded_company_and_never_semi(
    company: dict[str, Any], signed_in, privacy_lead
) -> None:
    person = company["person"]
    values = {
        "pk": str(person.pk),
        "person_id": str(person.pk),
        "number": str(company["policy"].number),
        "token": make_token(person.pk, "newsletter"),
        "key": "identity-contact",
        "section": "data_categories",
    }
    # The shared staff fixture's address is at semi.example: this company's own staff.
    privacy_lead.email = "responsable.rgpd@atelier-dupont.example"
    privacy_lead.save(update_fields=["email"])
    public = Client()
    staff = signed_in(privacy_lead)
    staff_pk = str(privacy_lead.pk)
    seen: dict[str, int] = {}
    for route, pattern in VIEW_ROUTES:
        if not isinstance(pattern, URLPattern) or route.startswith(("^api", "api/")):
            continue
        url = _url(route, values)
        if route.startswith("backoffice/staff/") or route.startswith("backoffice/api-keys/"):
            url = _url(route, {**values, "pk": staff_pk})
        client = staff if route.startswith("backoffice/") else public
        for suffix in ("", "?lang=en"):
            response = client.get(url + suffix)
            seen[url + suffix] = response.status_code
            if response.status_code != 200:
                continue
            body = response.content.decode()
            assert not _leaks(body), f"{url}{suffix} shows " + str(
                [body[max(0, m.start() - 60) : m.end() + 60] for m in FORBIDDEN.finditer(body)]
            )
    reached = {url for url, status in seen.items() if status == 200}
    # The pages that matter were really rendered, not skipped as errors.
    for url in (
        "/",
        "/?lang=en",
        "/politique-de-confidentialite/",
        "/en/privacy-policy/",
        f"/politique-de-confidentialite/v{company['policy'].number}/",
        f"/preferences/{values['token']}",
        f"/u/{values['token']}",
        "/newsletter/",
        "/backoffice/",
        "/backoffice/register/",
        "/backoffice/register/revisions/1/",
        "/backoffice/people/",
        f"/backoffice/people/{person.pk}/",
        f"/backoffice/consent/people/{person.pk}/",
        "/backoffice/policy/",
        "/backoffice/sources/",
    ):
        assert url in reached, f"{url} answered {seen.get(url)}"
    home = Client().get("/").content.decode()
    assert f"{NAME}, {ADDRESS}." in home
    assert "donnees.personnelles@atelier-dupont.example" in home
    assert f"Vos données personnelles chez {NAME}" in home


def _role_grant() -> RoleGrant:
    asker = User.objects.create_user(username="asker", email="a@atelier-dupont.example")
    grantee = User.objects.create_user(username="grantee", email="g@atelier-dupont.example")
    return RoleGrant.objects.create(user=grantee, role="privacy_lead", requested_by=asker)


def _rights_space_refs(template: str, person: Any) -> dict[str, Any]:
    """The personal space's e-mails and the staff alert read their values at render time."""
    from vigie.rights.space import request_email_change

    if template == "rights_space_link":
        return {"person": str(person.pk)}
    if template == "rights_email_change":
        from vigie.rights.space_models import ContactChange

        request_email_change(Actor.cli("test"), person, "claire@nouvelle.example", language="fr")
        return {"change": str(ContactChange.objects.latest("requested_at").pk)}
    refs = _rights_refs("rights_acknowledgement", person)
    return {**refs, "alert": "d7"}


def _rights_refs(template: str, person: Any) -> dict[str, Any]:
    from vigie.rights import services as rights
    from vigie.rights.models import Challenge
    from vigie.rights.sealing import Requester

    intake = rights.open_case(
        Actor.cli("test"),
        types=["access", "erasure"],
        channel="post",
        requester=Requester(email="claire.martin@client.example", name="Claire Martin"),
        person=person,
    )
    case = intake.case
    refs: dict[str, Any] = {"case": str(case.pk)}
    if template == "rights_identity_challenge":
        refs["challenge"] = Challenge.objects.get(case=case).pk
    if template in ("rights_art19_notice", "rights_recipients_list"):
        # A disclosure to the loaded company's own recipient, and its Art. 19 task.
        from vigie.disclosures.services import record_disclosure
        from vigie.rights.art19 import open_notices
        from vigie.rights.models import NoticeTrigger

        record_disclosure(
            Actor.cli("test"),
            person,
            "datacenter",
            ["identity-contact"],
            case.received_at,
            reference="hébergement #7",
        )
        notices = open_notices(Actor.cli("test"), case, NoticeTrigger.ERASURE)
        if template == "rights_art19_notice":
            refs = {"notice": notices[0].pk}
    if template in ("rights_refusal", "rights_partial_refusal"):
        case.identity_status = "verified"
        case.save()
        decision = rights.decide(Actor.cli("test"), case, "erasure", "refused", "Art. 17(3)(b).")
        refs["decision"] = decision.pk
    if template == "rights_restriction_lifting":
        from vigie.people.models import RestrictionReason
        from vigie.people.restrictions import CaseRef, restrict

        restriction, _created = restrict(
            Actor.cli("test"),
            person,
            RestrictionReason.ACCURACY_CONTESTED,
            case=CaseRef(case.id, case.number),
        )
        refs["restriction"] = str(restriction.pk)
    if template == "rights_objection_decision":
        refs["objection"] = "1"
    if template == "rights_erasure_done":
        # What was erased and kept is read from the case's erasure plan (none here).
        refs["erasure"] = "1"
    if template.startswith("rights_rectification_"):
        # The corrections' record: rights names the fields and the places at render time.
        from django.utils import timezone

        from vigie.rights.rectification_models import Rectification

        rectification = Rectification.objects.create(
            case=case,
            attributes=["last_name", "phone"],
            changes_sealed=b"sealed",
            requested_at=timezone.now(),
            summary={"vigie": 2},
        )
        refs["rectification"] = str(rectification.pk)
    return refs


def _portability_refs(person: Any) -> dict[str, Any]:
    from vigie.rights import portability
    from vigie.rights import services as rights
    from vigie.rights.sealing import Requester

    case = rights.open_case(
        Actor.cli("test"),
        types=["portability"],
        channel="post",
        requester=Requester(email="claire.martin@client.example", name="Claire Martin"),
        person=person,
        verified_by="customer_reference",
    ).case
    export = portability.build_export(Actor.cli("test"), case)
    link = portability.send_link(Actor.cli("test"), export, "dpo@receveur.example", by="staff")
    return {"link": str(link.pk)}


def _pending_request(person: Any) -> int:
    """A real double opt-in request: its confirmation names the purpose asked for."""
    from vigie.consent.models import ConsentEvent
    from vigie.consent.services import start_double_opt_in, subject_actor
    from vigie.consent.wording import consent_wording

    start_double_opt_in(
        subject_actor(), person, "newsletter", wording=consent_wording("newsletter", "fr")
    )
    return ConsentEvent.objects.filter(person=person, kind="pending").latest("pk").pk


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(CATALOGUE))
def test_every_e_mail_names_the_loaded_company_and_never_semi(
    company: dict[str, Any], template: str, language: str
) -> None:
    kind = CATALOGUE[template]
    partner_contact = create_person(
        Actor.cli("test"),
        email="paul.girard@fournisseur.example",
        subject_types=["client_contact_B2B"],
        source="partner",
        source_name="Salon Numérique de Bordeaux",
        partner_permission_ref="contrat-2026-01",
    )
    refs = {
        "policy_change": {"version": company["policy"].number},
        # The person's id: the notice is written from the register at render time.
        "art14_notice": {"person": str(partner_contact.pk)},
        # The pending event's id: consent makes the link at render time.
        "newsletter_confirmation": {"pending": _pending_request(company["person"])},
        # The person's id: consent makes the preferences link at render time.
        "preferences_link": {"person": str(company["person"].pk)},
    }.get(template, {})
    if template == "role_grant_request":
        # The grant's id: mail reads the names and the role at render time.
        refs = {"grant": _role_grant().pk}
    if template in ("rights_space_link", "rights_email_change", "staff_deadline_alert"):
        refs = _rights_space_refs(template, company["person"])
    elif template == "rights_portability_link":
        # A real one-time link: rights makes its URL and reads its case at render time.
        refs = _portability_refs(company["person"])
    elif template.startswith("rights_"):
        # A real case: rights reads its number, dates and decisions at render time.
        refs = _rights_refs(template, company["person"])
    rendered = render(
        template,
        language,
        kind=kind,
        first_name="Claire",
        refs=refs,
        unsubscribe_url=unsubscribe_url(uuid.uuid4(), "newsletter")
        if kind == Kind.MARKETING
        else "",
    )
    for part in (rendered.subject, rendered.text, rendered.html):
        assert not _leaks(part), f"{template}.{language} shows {_leaks(part)}"
    # Every e-mail ends with the sender's identity and postal address (footers, R37).
    for part in (rendered.text, rendered.html):
        assert NAME in part and ADDRESS in part
    if template == "art14_notice":
        # Art. 14(1)(a): who the controller is and how to reach it.
        assert f"{NAME} ({ADDRESS})" in rendered.text
        assert "donnees.personnelles@atelier-dupont.example" in rendered.text
        # Art. 14: this company's purposes and retention, from its register.
        assert "Salon Numérique de Bordeaux" in rendered.text
        assert "Gérer les contacts B2B" in rendered.text
        retention = "Relation + 3 ans" if language == "fr" else "Relationship + 3 years"
        assert retention in rendered.text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
@pytest.mark.parametrize("role", [None, "controller", "processor"])
def test_the_register_pdf_names_the_loaded_company_and_never_semi(
    company: dict[str, Any], cli_actor: Actor, tmp_path: Path, role: str | None
) -> None:
    content, _name, _ctype = export_register(cli_actor, fmt="pdf", role=role)
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert not _leaks(text)
    flat = " ".join(text.split())
    assert NAME in flat


@pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
def test_the_other_register_exports_never_name_semi(
    company: dict[str, Any], cli_actor: Actor, fmt: str
) -> None:
    content, _name, _ctype = export_register(cli_actor, fmt=fmt)
    text = content.decode("utf-8-sig")
    assert not _leaks(text)
    assert NAME in text
