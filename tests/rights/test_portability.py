"""Portability (R58): the export of a verified portability case, JSON valid against the
published schema and CSV, from Vigie's store and the shipped GLPI manifest (GLPI 11 shape,
SQLite); the person's space downloads; the one-time link to a receiving controller.

The oracle is hand-written SQL on the GLPI database: the follow-ups the person wrote
that are not private, and the tickets they asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.demo.shapes import glpi
from vigie.demo.shapes.fill import SeedPerson, fill_glpi
from vigie.rights import portability, services, space
from vigie.rights.models import Case, CaseEvent, Channel
from vigie.rights.portability_models import PortabilityExport, TransferLink
from vigie.rights.sealing import Requester
from vigie.sources.services import register_source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml"
NOW = dt.datetime(2025, 6, 2, 9, 30)
OWN_PUBLIC = "PORT-OWN-PUBLIC: mon imprimante refuse toujours d'imprimer"
COLLEAGUE = "PORT-COLLEAGUE: voir avec paul.durand@client.example, il a le même souci"
OWN_PRIVATE = "PORT-OWN-PRIVATE: note privée de la personne"
TECH_PRIVATE = "PORT-TECH-PRIVATE: note interne, client difficile"
TECH_PUBLIC = "PORT-TECH-PUBLIC: nous passons demain"


@pytest.fixture
def glpi_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_actor: Actor) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path / 'glpi.sqlite3'}"
    engine = sa.create_engine(url)
    glpi.metadata("11").create_all(engine)
    fill_glpi(
        engine,
        [SeedPerson(ON_FILE, "Claire", "Martin"), SeedPerson("luc@exemple.fr", "Luc", "Bernard")],
        version="11",
        users=30,
        tickets=40,
        followups=80,
        login_events=40,
        now=NOW,
    )
    with engine.begin() as conn:
        uid = conn.execute(
            sa.text("SELECT users_id FROM glpi_useremails WHERE email = :e"), {"e": ON_FILE}
        ).scalar_one()
        ticket = conn.execute(
            sa.text(
                "SELECT MIN(tickets_id) FROM glpi_tickets_users WHERE users_id = :u AND type = 1"
            ),
            {"u": uid},
        ).scalar_one()
        tech = conn.execute(
            sa.text(
                "SELECT MIN(users_id) FROM glpi_tickets_users WHERE type = 2 AND users_id != :u"
            ),
            {"u": uid},
        ).scalar_one()
        insert = sa.text(
            "INSERT INTO glpi_itilfollowups (itemtype, items_id, date, users_id, "
            "users_id_editor, content, is_private, requesttypes_id, date_mod, date_creation, "
            "timeline_position) VALUES ('Ticket', :t, :d, :u, :u, :c, :p, 1, :d, :d, 1)"
        )
        for author, content, private in (
            (uid, OWN_PUBLIC, 0),
            (uid, COLLEAGUE, 0),
            (uid, OWN_PRIVATE, 1),
            (tech, TECH_PRIVATE, 1),
            (tech, TECH_PUBLIC, 0),
        ):
            conn.execute(insert, {"t": ticket, "d": NOW, "u": author, "c": content, "p": private})
    monkeypatch.setenv("VIGIE_SOURCE_GLPI_URL", url)
    register_source(cli_actor, MANIFEST.read_text(encoding="utf-8"))
    yield {"engine": engine, "uid": uid, "ticket": ticket}
    engine.dispose()


def _case(person: Any, *, verified: bool = True, types: tuple[str, ...] = ("portability",)) -> Case:
    return services.open_case(
        Actor.cli(),
        types=list(types),
        channel=Channel.EMAIL,
        requester=Requester(email=ON_FILE, name="Claire Martin"),
        person=person,
        verified_by="customer_reference" if verified else "",
    ).case


def _doc(export: PortabilityExport) -> dict[str, Any]:
    return json.loads(portability.download(Actor.cli(), export, "json", by="staff").content)


def _unmasked(exported: dict[str, str], stored: dict[str, str]) -> bool:
    """The same rows, each text the stored one but for third parties masked in it."""
    assert exported.keys() == stored.keys()
    for key, text in exported.items():
        pattern = ".+?".join(re.escape(part) for part in text.split("[tiers masqué]"))
        assert re.fullmatch(pattern, stored[key], flags=re.S), key
    return True


def _section(doc: dict[str, Any], source: str, table: str) -> dict[str, Any]:
    found = [s for s in doc["sections"] if s["source"] == source and s["table"] == table]
    assert len(found) == 1, f"{source}.{table} not in the export"
    return found[0]


def test_the_export_validates_and_holds_the_persons_words_not_others_nor_internal_notes(
    claire, glpi_db
) -> None:
    case = _case(claire)
    export = portability.build_export(Actor.cli(), case)
    raw = portability.download(Actor.cli(), export, "json", by="staff").content
    doc = json.loads(raw.decode("utf-8"))
    assert portability.schema_errors(doc) == []
    # Published schema = the one the code checks against.
    assert (ROOT / "docs" / "portability.schema.json").read_text() == (
        portability.SCHEMA_PATH.read_text()
    )
    assert doc["case"] == case.number

    engine, uid = glpi_db["engine"], glpi_db["uid"]
    with engine.connect() as conn:
        own = {
            str(k): c
            for k, c in conn.execute(
                sa.text(
                    "SELECT id, content FROM glpi_itilfollowups WHERE itemtype = 'Ticket' "
                    "AND users_id = :u AND is_private = 0"
                ),
                {"u": uid},
            )
        }
        tickets = {
            str(k): c
            for k, c in conn.execute(
                sa.text(
                    "SELECT id, content FROM glpi_tickets WHERE id IN (SELECT tickets_id FROM "
                    "glpi_tickets_users WHERE type = 1 AND (users_id = :u OR "
                    "LOWER(TRIM(alternative_email)) = :e))"
                ),
                {"u": uid, "e": ON_FILE},
            )
        }
    followups = _section(doc, "glpi", "glpi_itilfollowups")
    # Every follow-up they wrote, public; a colleague's address in it masked (Art. 20(4)).
    assert _unmasked({r["key"]: r["values"]["content"] for r in followups["rows"]}, own)
    assert followups["fields"] == {
        "items_id": "provided",
        "date": "provided",
        "content": "provided",
    }
    ticket_rows = _section(doc, "glpi", "glpi_tickets")["rows"]
    assert _unmasked({r["key"]: r["values"]["content"] for r in ticket_rows}, tickets)
    assert str(glpi_db["ticket"]) in {r["key"] for r in ticket_rows}

    text = raw.decode("utf-8")
    assert OWN_PUBLIC in text
    for absent in (OWN_PRIVATE, TECH_PRIVATE, TECH_PUBLIC):
        assert absent not in text
    # Never a secret, a staff note, a technician's id or the company's targeting.
    users = _section(doc, "glpi", "glpi_users")
    assert set(users["fields"]) <= {"name", "realname", "firstname", "phone", "phone2", "mobile"}
    assert {s["table"] for s in doc["sections"] if s["source"] == "vigie"} == {"people.person"}
    person = _section(doc, "vigie", "people.person")["rows"][0]["values"]
    assert person["email"] == ON_FILE
    assert set(person) <= {"email", "first_name", "last_name", "phone", "job_title"}
    for field in ("password", "users_id_recipient", "users_id_tech", "comment", "fk_stcomm"):
        assert f'"{field}"' not in text
    # Every field is marked provided or observed.
    assert {k for s in doc["sections"] for k in s["fields"].values()} <= {"provided", "observed"}
    assert _section(doc, "glpi", "glpi_events")["fields"]["message"] == "observed"


def test_the_csv_zip_parses_one_file_per_section_with_the_same_rows(claire, glpi_db) -> None:
    case = _case(claire)
    export = portability.build_export(Actor.cli(), case)
    doc = _doc(export)
    file = portability.download(Actor.cli(), export, "csv", by="staff")
    assert file.filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(file.content)) as archive:
        names = set(archive.namelist())
        assert "README.txt" in names
        for section in doc["sections"]:
            name = f"{section['source']}__{section['table']}.csv"
            rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
            assert [r["key"] for r in rows] == [r["key"] for r in section["rows"]]
            assert list(rows[0]) == ["key", *section["fields"]]
        followups = archive.read("glpi__glpi_itilfollowups.csv").decode("utf-8")
    assert OWN_PUBLIC in followups and TECH_PRIVATE not in followups


def test_the_export_is_stored_sealed_and_refused_once_expired(claire, glpi_db) -> None:
    export = portability.build_export(Actor.cli(), _case(claire))
    assert OWN_PUBLIC.encode() not in bytes(export.json_sealed)
    export.expires_at = export.created_at
    export.save()
    with pytest.raises(services.RightsError):
        portability.download(Actor.cli(), export, "json", by="staff")


def test_an_unverified_or_other_type_case_is_refused(claire, glpi_db) -> None:
    with pytest.raises(services.RightsError):
        portability.build_export(Actor.cli(), _case(claire, verified=False))
    with pytest.raises(services.RightsError):
        portability.build_export(Actor.cli(), _case(claire, types=("access",)))
    assert not PortabilityExport.objects.exists()


def test_the_one_time_link_works_once_then_refuses_with_a_clear_page(
    claire, glpi_db, client, smtp_server
) -> None:
    case = _case(claire)
    export = portability.build_export(Actor.cli(), case)
    portability.send_link(Actor.cli(), export, "dpo@receveur.example", by="staff")
    deliver_all()
    (to, subject, body), *_ = [m for m in received(smtp_server) if "portabilité" in m[1]]
    assert to == "dpo@receveur.example" and case.number in subject
    url = re.search(r"https://vigie\.example(/droits/portabilite/\S+)", body).group(1)
    assert ON_FILE not in body and "Claire" not in body

    page = client.get(url)
    assert page.status_code == 200
    assert TransferLink.objects.get().used_at is None  # looking spends nothing
    first = client.post(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(first.content)) as archive:
        names = archive.namelist()
        doc = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
    assert portability.schema_errors(doc) == []
    second = client.post(url)
    assert second.status_code == 410
    assert "déjà été utilisé" in second.content.decode()
    assert client.get(url).status_code == 410
    assert client.get("/droits/portabilite/forged").status_code == 404
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("portability_link_used") == 1 and "portability_link_sent" in kinds
    assert Event.objects.filter(action="rights:portability:link_use").count() == 1


def test_staff_actions_on_the_case_page_and_an_outsider_refused(
    claire, glpi_db, signed_in, privacy_lead, outsider, client
) -> None:
    case = _case(claire)
    base = f"/backoffice/rights/{case.pk}/portability/"
    assert client.post(base).status_code in (302, 403)
    staff = signed_in(outsider)
    assert staff.post(base).status_code == 403
    assert not PortabilityExport.objects.exists()
    staff = signed_in(privacy_lead)
    assert staff.post(base).status_code == 302
    export = PortabilityExport.objects.get()
    page = staff.get(f"/backoffice/rights/{case.pk}/").content.decode()
    assert "Portabilit" in page
    json_file = staff.get(f"{base}{export.pk}/json/")
    assert json_file.status_code == 200 and OWN_PUBLIC in json_file.content.decode()
    assert staff.get(f"{base}{export.pk}/pdf/").status_code == 400
    bad = staff.post(f"{base}link/", {"address": "not an address"})
    assert bad.status_code == 400 and not TransferLink.objects.exists()
    staff.force_login(outsider)
    assert staff.get(f"{base}{export.pk}/json/").status_code == 403
    assert staff.post(f"{base}link/", {"address": "dpo@r.example"}).status_code == 403
    downloads = CaseEvent.objects.filter(case=case, kind="portability_downloaded")
    assert downloads.count() == 1


def test_the_person_downloads_from_their_space_and_no_one_else(claire, glpi_db, client) -> None:
    from vigie.people.services import create_person

    case = _case(claire)
    export = portability.build_export(Actor.cli(), case)
    url = f"/droits/espace/portabilite/{export.pk}/json"
    assert client.get(url).status_code == 302  # not signed in: to the sign-in page
    other = create_person(Actor.cli(), email="autre@client.example", first_name="A", last_name="B")
    session = client.session
    session[space.SESSION_KEY] = str(other.pk)
    session.save()
    assert client.get(url).status_code == 404
    session = client.session
    session[space.SESSION_KEY] = str(claire.pk)
    session.save()
    home = client.get("/droits/espace/").content.decode()
    assert url in home
    file = client.get(url)
    assert file.status_code == 200 and OWN_PUBLIC in file.content.decode()
    sent = client.post(
        f"/droits/espace/portabilite/{export.pk}/lien/", {"address": "dpo@receveur.example"}
    )
    assert sent.status_code == 302 and TransferLink.objects.count() == 1
    event = CaseEvent.objects.get(case=case, kind="portability_downloaded")
    assert event.extra["by"] == "person" and event.actor_type == "subject"


def test_the_daily_job_deletes_the_files_of_expired_exports_once(claire, glpi_db) -> None:
    case = _case(claire)
    export = portability.build_export(Actor.cli(), case)
    assert portability.delete_expired() == 0
    later = export.expires_at + dt.timedelta(seconds=1)
    assert portability.delete_expired(later) == 1
    assert portability.delete_expired(later) == 0
    export.refresh_from_db()
    assert bytes(export.json_sealed) == b"" and bytes(export.csv_sealed) == b""
    assert export.deleted_at == later
    assert CaseEvent.objects.filter(case=case, kind="portability_deleted").count() == 1
    with pytest.raises(services.RightsError):
        portability.download(Actor.cli(), export, "json", by="staff")


def test_a_colleague_named_in_the_persons_own_words_is_masked(claire, glpi_db) -> None:
    """Art. 20(4): the export does not hand over a third party's address (R52's rule)."""
    case = _case(claire)
    export = portability.build_export(Actor.cli(), case)
    text = portability.download(Actor.cli(), export, "json", by="staff").content.decode()
    assert "paul.durand@client.example" not in text
    assert "PORT-COLLEAGUE: voir avec [tiers masqué], il a le même souci" in text
    assert ON_FILE in text  # the person's own address stays
    masking = Event.objects.filter(action="sources:pii:mask").last()
    assert masking is not None and masking.extra["context"].startswith("rights:portability:")
