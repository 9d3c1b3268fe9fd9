"""The access package (issue 14, R51, R52, R50) for a former client found in three stores.

Camille is in Vigie's store, in GLPI (tickets, one reply naming her colleague Luc's
address) and in Dolibarr (invoices 2021 to 2023), and her data went to a subcontractor.
The package must have the 11 sections; its per-source counts must equal hand-written SQL
(the oracles of tests/sources/test_glpi_source.py and test_dolibarr_source.py, and an
ORM count of Vigie's own tables); Luc's address must read « [tiers masqué] »; the
subcontractor named with the date; PDF text, JSON and CSV readable; the signed link
refused once expired; an outsider refused; every download journaled.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from django.urls import reverse
from django.utils import timezone

from tests.rights.conftest import deliver_all, received
from tests.sources.helpdesk import ROOT, fresh_database
from tests.sources.real_seed import insert
from tests.sources.test_dolibarr_source import FOUND as DOLIBARR_FOUND
from tests.sources.test_dolibarr_source import keys_by_table as dolibarr_keys
from tests.sources.test_glpi_source import FOUND as GLPI_FOUND
from tests.sources.test_glpi_source import keys_by_table as glpi_keys
from tests.sources.test_glpi_source import params as glpi_params
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.consent.models import ConsentEvent, SegmentMember, Subscription, SuppressionEntry
from vigie.demo.shapes import dolibarr, glpi
from vigie.demo.shapes.fill import SeedPerson, fill_dolibarr, fill_glpi
from vigie.disclosures.services import record_disclosure
from vigie.mail.models import Message
from vigie.people.models import ContactPoint, Person
from vigie.people.services import create_person
from vigie.rights import access, access_delivery, space
from vigie.rights import services as rights
from vigie.rights.access_models import AccessPackage
from vigie.rights.access_render import render
from vigie.rights.models import CaseEvent
from vigie.rights.sealing import Requester
from vigie.sources.services import register_source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

EMAIL = "camille.durand@exemple.fr"
CAMILLE = SeedPerson(EMAIL, "Camille", "Durand", "06 11 22 33 44")
LUC = SeedPerson("luc.bernard@exemple.fr", "Luc", "Bernard")
GLPI_NOW = dt.datetime(2025, 6, 2, 9, 30)
DOLIBARR_NOW = dt.datetime(2024, 1, 15, 9, 30)
REPLY = "Bonjour, mon collègue luc.bernard@exemple.fr a le même souci depuis lundi."


@pytest.fixture
def stores(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, sa.Engine]]:
    """GLPI and Dolibarr databases on SQLite, or on the backend a test asks for."""
    backend = getattr(request, "param", "sqlite")
    with (
        fresh_database(backend, tmp_path) as glpi_url,
        fresh_database(backend, tmp_path) as dolibarr_url,
    ):
        g = sa.create_engine(glpi_url)
        glpi.metadata("11").create_all(g)
        fill_glpi(
            g, [CAMILLE, LUC], users=30, tickets=60, followups=150, login_events=80, now=GLPI_NOW
        )
        with g.begin() as conn:
            uid = glpi_params(g)["uid"]
            ticket = conn.execute(
                sa.text(
                    "SELECT tickets_id FROM glpi_tickets_users WHERE users_id = :u AND type = 1"
                ),
                {"u": uid},
            ).first()[0]
            insert(
                conn,
                glpi.metadata("11"),
                "glpi_itilfollowups",
                itemtype="Ticket",
                items_id=ticket,
                users_id=uid,
                content=REPLY,
                date=GLPI_NOW,
            )
        d = sa.create_engine(dolibarr_url)
        dolibarr.metadata().create_all(d)
        fill_dolibarr(
            d,
            [CAMILLE, LUC],
            companies=4,
            private_customers=3,
            years_of_invoices=4,
            now=DOLIBARR_NOW,
        )
        monkeypatch.setenv("VIGIE_SOURCE_GLPI_URL", glpi_url)
        monkeypatch.setenv("VIGIE_SOURCE_DOLIBARR_URL", dolibarr_url)
        yield {"glpi": g, "dolibarr": d}
        g.dispose()
        d.dispose()


@pytest.fixture
def camille(cli_actor: Actor, stores: dict[str, sa.Engine]) -> Person:
    for name in ("glpi", "dolibarr"):
        text = (ROOT / "vigie" / "sources" / "manifests" / f"{name}.yaml").read_text("utf-8")
        register_source(cli_actor, text)
    person = create_person(
        cli_actor,
        email=EMAIL,
        first_name="Camille",
        last_name="Durand",
        phone="06 11 22 33 44",
        subject_types=["client_contact_B2B"],
    )
    record_disclosure(
        cli_actor,
        person,
        "technical-subcontractors",
        ["identity-contact"],
        dt.datetime(2024, 3, 5, 10, 0, tzinfo=dt.UTC),
        reference="intervention-123",
    )
    return person


@pytest.fixture
def case(camille: Person, privacy_lead: Any) -> Any:
    intake = rights.open_case(
        Actor.for_user(privacy_lead),
        types=["access"],
        channel="email",
        requester=Requester(email=EMAIL, name="Camille Durand"),
        person=camille,
        verified_by="known_to_staff",
    )
    return intake.case


def vigie_count(person: Person) -> int:
    """Vigie's own rows on her, counted by hand (the built-in source's tables)."""
    from vigie.disclosures.models import Disclosure

    return (
        1
        + ContactPoint.objects.filter(person=person).count()
        + ConsentEvent.objects.filter(person=person).count()
        + Subscription.objects.filter(person=person).count()
        + SegmentMember.objects.filter(person=person).count()
        + Message.objects.filter(person=person).count()
        + SuppressionEntry.objects.count()
        + Disclosure.objects.filter(person=person).count()
    )


@pytest.mark.parametrize("stores", ["sqlite", "postgresql"], indirect=True)
def test_the_package_has_the_11_sections_and_counts_equal_to_hand_written_sql(
    case: Any, camille: Person, privacy_lead: Any, stores: dict[str, sa.Engine]
) -> None:
    package = access.compile_package(Actor.for_user(privacy_lead), case)
    content = access.open_content(package)
    assert list(content["sections"]) == list(access.SECTIONS)
    glpi_expected = sum(len(k) for k in glpi_keys(stores["glpi"], GLPI_FOUND).values())
    dolibarr_expected = sum(
        len(k) for k in dolibarr_keys(stores["dolibarr"], DOLIBARR_FOUND, email=EMAIL).values()
    )
    assert glpi_expected > 20 and dolibarr_expected > 5
    assert package.counts == {
        "vigie": vigie_count(camille),
        "glpi": glpi_expected,
        "dolibarr": dolibarr_expected,
    }
    sections = content["sections"]
    assert sections["confirmation"].startswith("Oui")
    # R52: the colleague's address masked, her own kept.
    body = json.dumps(content, ensure_ascii=False)
    assert LUC.email not in body
    assert "mon collègue [tiers masqué] a le même souci" in body
    assert EMAIL in body
    assert Event.objects.filter(action="sources:pii:mask").exists()
    # Item 5: the subcontractor by name, with the date.
    assert sections["recipients"]["disclosed"] == [
        {
            "name": "Prestataires et sous-traitants techniques",
            "categories": ["Identité et coordonnées"],
            "date": "05/03/2024",
        }
    ]
    # Her invoices of 2021 to 2023 (Dolibarr) are all in the copy: as many as SQL finds.
    invoices = dolibarr_keys(stores["dolibarr"], DOLIBARR_FOUND, email=EMAIL)["llx_facture"]
    with stores["dolibarr"].connect() as conn:
        years = {
            str(day)[:4]
            for day in conn.execute(
                sa.text("SELECT datef FROM llx_facture WHERE rowid IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": [int(k) for k in invoices]},
            ).scalars()
        }
    assert {"2021", "2023"} <= years
    [dolibarr_part] = [s for s in sections["data"] if s["source"] == "dolibarr"]
    assert len({r["reference"] for r in dolibarr_part["rows"] if r["table"] == "Factures"}) == len(
        invoices
    )
    assert any("ans" in r["duration"] for r in sections["retention"])
    assert sections["automated_decisions"].startswith("Aucune")
    assert sections["transfers"].startswith("Aucun")
    assert "3 Place de Fontenoy" in sections["complaint"]["address"]
    assert sections["purposes"] and sections["categories"]
    # The timeline says who compiled; the database holds no copy in clear.
    event = CaseEvent.objects.get(case=case, kind="access_compiled")
    assert event.actor_id == str(privacy_lead.pk)
    raw = bytes(AccessPackage.objects.get(pk=package.pk).content_sealed)
    assert EMAIL.encode() not in raw and b"Camille" not in raw


def test_pdf_json_and_csv_read_back(case: Any, privacy_lead: Any, tmp_path: Path) -> None:
    package = access.compile_package(Actor.for_user(privacy_lead), case)
    content = access.open_content(package)
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(render(content, "pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for title in ("1. Traitons-nous", "2. Une copie", "5. Destinataires", "11. Transferts"):
        assert title in text
    assert "Prestataires et sous-traitants techniques" in text
    assert "05/03/2024" in text
    assert "[tiers masqué]" in text
    # Labels, not codes: each value under its field's label, Vigie's codes in words.
    [own] = [s for s in content["sections"]["data"] if s["source"] == "vigie"]
    fields = {field for row in own["rows"] for field in row["values"]}
    assert {"Adresse e-mail", "Prénom", "Nom"} <= fields
    assert not fields & {"email", "first_name", "last_name", "subject_types", "kind", "status"}
    for code in (
        "first_name",
        "subject_types",
        "disclosures.disclosure",
        "technical-subcontractors",
    ):
        assert code not in text
    parsed = json.loads(render(content, "json"))
    assert [s["key"] for s in parsed["sections"]] == list(access.SECTIONS)
    assert parsed["items_per_source"] == package.counts
    rows = list(csv.reader(io.StringIO(render(content, "csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Section", "Source", "Table", "Référence", "Catégorie", "Champ", "Valeur"]
    assert any(r[6] == EMAIL for r in rows[1:])


def test_compiling_needs_a_verified_access_case_and_the_handling_role(
    camille: Person, privacy_lead: Any, auditor: Any
) -> None:
    intake = rights.open_case(
        Actor.for_user(privacy_lead),
        types=["access"],
        channel="email",
        requester=Requester(email=EMAIL, name="Camille Durand"),
        person=camille,
    )
    with pytest.raises(rights.RightsError, match="identité"):
        access.compile_package(Actor.for_user(privacy_lead), intake.case)
    with pytest.raises(rights.NotAllowed):
        access.compile_package(Actor.for_user(auditor), intake.case)
    assert not AccessPackage.objects.exists()


def test_the_signed_link_downloads_journaled_then_expires(
    case: Any, privacy_lead: Any, client: Any, smtp_server: Any
) -> None:
    package = access.compile_package(Actor.for_user(privacy_lead), case)
    access_delivery.send_link(Actor.for_user(privacy_lead), package)
    deliver_all()
    [(to, _subject, body)] = [m for m in received(smtp_server) if "accès" in m[1]]
    assert to == EMAIL
    url = re.search(r"https://vigie\.example(/droits/acces/\S+)", body).group(1)
    assert client.get(url).status_code == 200
    response = client.post(url, {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    read = Event.objects.filter(action="personal_data:read", extra__view="rights:access-package")
    assert read.get().extra["format"] == "pdf"
    assert read.get().actor_type == "subject"
    assert CaseEvent.objects.filter(case=case, kind="access_sent").get().actor_id == str(
        privacy_lead.pk
    )
    assert CaseEvent.objects.filter(case=case, kind="access_downloaded").count() == 1
    # A forged link, then the expired one: clear pages, never a 500.
    assert client.get(url[:-3] + "xyz").status_code == 400
    AccessPackage.objects.filter(pk=package.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = client.post(url, {"format": "json"})
    assert expired.status_code == 410
    assert "expiré" in expired.content.decode()
    assert read.count() == 1


def test_the_personal_space_serves_only_the_signed_in_persons_package(
    case: Any, privacy_lead: Any, client: Any, cli_actor: Actor
) -> None:
    package = access.compile_package(Actor.for_user(privacy_lead), case)
    other = create_person(cli_actor, email="autre@client.example", first_name="Autre")
    url = reverse("rights:space-access")
    # Not signed in: refused.
    assert client.post(url, {"package": str(package.pk), "format": "json"}).status_code == 403
    session = client.session
    session[space.SESSION_KEY] = str(other.pk)
    session.save()
    assert client.post(url, {"package": str(package.pk), "format": "json"}).status_code == 404
    session = client.session
    session[space.SESSION_KEY] = str(case.person_id)
    session.save()
    page = client.get(reverse("rights:space"))
    assert "Télécharger (JSON)" in page.content.decode()
    response = client.post(url, {"package": str(package.pk), "format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content)["case"] == case.number


def test_back_office_actions_and_preview(
    case: Any, privacy_lead: Any, outsider: Any, signed_in: Any
) -> None:
    staff = signed_in(privacy_lead)
    page = staff.get(reverse("cases:detail", args=[case.pk]))
    assert "Préparer le dossier d’accès" in page.content.decode()
    response = staff.post(reverse("cases:access-compile", args=[case.pk]))
    assert response.status_code == 302
    # Each source's count under its label, never its code.
    page = staff.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "<li>GLPI (assistance et parc) : " in page and "<li>glpi : " not in page
    preview = staff.get(reverse("cases:access-preview", args=[case.pk, "csv"]))
    assert preview.status_code == 200
    assert preview["Content-Type"].startswith("text/csv")
    assert staff.post(reverse("cases:access-send", args=[case.pk])).status_code == 302
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {"access_compiled", "access_downloaded", "access_sent"} <= set(kinds)
    stranger = signed_in(outsider)
    assert stranger.post(reverse("cases:access-compile", args=[case.pk])).status_code == 403
    assert stranger.get(reverse("cases:access-preview", args=[case.pk, "pdf"])).status_code == 403


def test_cards_are_masked_ibans_keep_their_last_four_and_one_event_is_journaled(
    claire: Person, cli_actor: Actor
) -> None:
    from tests.rights.conftest import ON_FILE
    from vigie.rights.access import Masker

    case = rights.open_case(
        cli_actor,
        types=["access"],
        channel="email",
        requester=Requester(email=ON_FILE, name="Claire Martin"),
        person=claire,
    ).case
    masker = Masker(cli_actor, [ON_FILE, "Claire Martin"], case)
    first: dict[str, str] = {}
    second: dict[str, str] = {}
    masker.add(first, "note", "IBAN FR76 3000 6000 0112 3456 7890 189, carte 4111 1111 1111 1111.")
    masker.add(second, "note", f"Écrire à paul.girard@autre.example ou à {ON_FILE}.")
    masker.add(second, "subject", "Sans numéro ni adresse")
    masker.flush()
    assert "•••• 0189" in first["note"]
    assert "3000 6000" not in first["note"] and "4111" not in first["note"]
    assert second["note"] == f"Écrire à [tiers masqué] ou à {ON_FILE}."
    assert second["subject"] == "Sans numéro ni adresse"
    events = Event.objects.filter(action="sources:pii:mask", object_id=str(case.pk))
    # One event for the IBAN, one for the scan of every text of the package.
    assert events.count() == 2
    assert "paul" not in json.dumps([e.extra for e in events])


def test_the_personal_space_lists_one_package_per_case_its_latest(
    case: Any, privacy_lead: Any
) -> None:
    from vigie.rights.access_delivery import packages_of_person

    access.compile_package(Actor.for_user(privacy_lead), case)
    latest = access.compile_package(Actor.for_user(privacy_lead), case)
    assert [p.pk for p in packages_of_person(case.person)] == [latest.pk]
