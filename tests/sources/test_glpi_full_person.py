"""A person seeded the way a real helpdesk holds them, across 40 personal tables of a full GLPI
11.0.7 database (every table), on MariaDB and PostgreSQL (issue 12).

`find` returns, table by table, as many rows as hand-written SQL counts. After `erase`, a scan of
every text column of every table (not only the mapped ones) finds none of their identifiers
(address, login, name, phone, IP) outside the rows kept on a legal ground, which the report
lists with their ground and end date.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.sources.helpdesk import ROOT, fresh_database, policy_categories, policy_rules
from tests.sources.real_seed import NOW, insert, text_residue
from vigie.demo.shapes import glpi
from vigie.sources.manifest import read_manifest
from vigie.sources.sql import SqlSource
from vigie.sources.types import KeptRow, Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml"
EMAIL = "camille.durand@exemple.fr"
SUBJECT = Subject(email=[EMAIL])
NEEDLES = [EMAIL, "cdurand", "Durand", "06 11 22 33 44", "192.0.2.77"]
ME, OTHER, PC, TICKET, CHANGE, PROBLEM = 501, 502, 601, 701, 801, 901

# Hand-written counts of the subject's rows, from the manifest's links (found, not erased).
COUNTS = {
    "glpi_users": "SELECT COUNT(*) FROM glpi_users WHERE id = 501",
    "glpi_useremails": "SELECT COUNT(*) FROM glpi_useremails WHERE users_id = 501",
    "glpi_tickets": "SELECT COUNT(*) FROM glpi_tickets WHERE id IN "
    "(SELECT tickets_id FROM glpi_tickets_users WHERE users_id = 501)",
    "glpi_tickets_users": "SELECT COUNT(*) FROM glpi_tickets_users WHERE users_id = 501",
    "glpi_itilfollowups": "SELECT COUNT(*) FROM glpi_itilfollowups WHERE items_id = 701",
    "glpi_tickettasks": "SELECT COUNT(*) FROM glpi_tickettasks WHERE tickets_id = 701",
    "glpi_changes": "SELECT COUNT(*) FROM glpi_changes WHERE id = 801",
    "glpi_changes_users": "SELECT COUNT(*) FROM glpi_changes_users WHERE users_id = 501",
    "glpi_problems": "SELECT COUNT(*) FROM glpi_problems WHERE id = 901",
    "glpi_problems_users": "SELECT COUNT(*) FROM glpi_problems_users WHERE users_id = 501",
    "glpi_changetasks": "SELECT COUNT(*) FROM glpi_changetasks WHERE users_id = 501",
    "glpi_problemtasks": "SELECT COUNT(*) FROM glpi_problemtasks WHERE users_id = 501",
    "glpi_ticketvalidations": "SELECT COUNT(*) FROM glpi_ticketvalidations WHERE users_id = 501",
    "glpi_itilsolutions": "SELECT COUNT(*) FROM glpi_itilsolutions WHERE items_id = 701",
    "glpi_ticketsatisfactions": "SELECT COUNT(*) FROM glpi_ticketsatisfactions "
    "WHERE tickets_id = 701",
    "glpi_notimportedemails": "SELECT COUNT(*) FROM glpi_notimportedemails "
    "WHERE LOWER(TRIM({q}from{q})) = 'camille.durand@exemple.fr'",
    "glpi_queuednotifications": "SELECT COUNT(*) FROM glpi_queuednotifications "
    "WHERE items_id = 701 OR recipient = 'camille.durand@exemple.fr'",
    "glpi_queuedwebhooks": "SELECT COUNT(*) FROM glpi_queuedwebhooks WHERE items_id = 701",
    "glpi_forms_answerssets": "SELECT COUNT(*) FROM glpi_forms_answerssets WHERE users_id = 501",
    "glpi_groups_users": "SELECT COUNT(*) FROM glpi_groups_users WHERE users_id = 501",
    "glpi_profiles_users": "SELECT COUNT(*) FROM glpi_profiles_users WHERE users_id = 501",
    "glpi_reminders": "SELECT COUNT(*) FROM glpi_reminders WHERE users_id = 501",
    "glpi_planningexternalevents": "SELECT COUNT(*) FROM glpi_planningexternalevents "
    "WHERE users_id = 501",
    "glpi_savedsearches": "SELECT COUNT(*) FROM glpi_savedsearches WHERE users_id = 501",
    "glpi_displaypreferences": "SELECT COUNT(*) FROM glpi_displaypreferences WHERE users_id = 501",
    "glpi_oauth_access_tokens": "SELECT COUNT(*) FROM glpi_oauth_access_tokens "
    "WHERE user_identifier = '501'",
    "glpi_computers": "SELECT COUNT(*) FROM glpi_computers WHERE users_id = 501",
    "glpi_agents": "SELECT COUNT(*) FROM glpi_agents WHERE items_id = 601",
    "glpi_monitors": "SELECT COUNT(*) FROM glpi_monitors WHERE users_id = 501",
    "glpi_phones": "SELECT COUNT(*) FROM glpi_phones WHERE users_id = 501",
    "glpi_printers": "SELECT COUNT(*) FROM glpi_printers WHERE users_id = 501",
    "glpi_peripherals": "SELECT COUNT(*) FROM glpi_peripherals WHERE users_id = 501",
    "glpi_lines": "SELECT COUNT(*) FROM glpi_lines WHERE users_id = 501",
    "glpi_items_devicesimcards": "SELECT COUNT(*) FROM glpi_items_devicesimcards "
    "WHERE users_id = 501",
    "glpi_softwarelicenses": "SELECT COUNT(*) FROM glpi_softwarelicenses WHERE users_id = 501",
    "glpi_logs": "SELECT COUNT(*) FROM glpi_logs WHERE user_name LIKE '% (501)'",
    "glpi_events": "SELECT COUNT(*) FROM glpi_events WHERE message LIKE 'cdurand %'",
    "glpi_notepads": "SELECT COUNT(*) FROM glpi_notepads WHERE items_id = 501",
    "glpi_knowbaseitems_comments": "SELECT COUNT(*) FROM glpi_knowbaseitems_comments "
    "WHERE users_id = 501",
    "glpi_projectteams": "SELECT COUNT(*) FROM glpi_projectteams WHERE items_id = 501",
    "glpi_reservations": "SELECT COUNT(*) FROM glpi_reservations WHERE users_id = 501",
}


def seed(conn: sa.Connection, md: sa.MetaData) -> None:
    name, login, phone = "Camille Durand", "cdurand", "06 11 22 33 44"

    def add(table: str, **values: Any) -> None:
        insert(conn, md, table, **values)

    for uid, (first, last, who) in {
        ME: ("Camille", "Durand", login),
        OTHER: ("Luc", "Bernard", "lbernard"),
    }.items():
        add(
            "glpi_users",
            id=uid,
            name=who,
            firstname=first,
            realname=last,
            phone=phone if uid == ME else None,
            date_mod=NOW,
        )
    add("glpi_useremails", users_id=ME, email=EMAIL)
    add("glpi_useremails", users_id=OTHER, email="luc.bernard@exemple.fr")
    add(
        "glpi_tickets",
        id=TICKET,
        name=f"Imprimante de {name}",
        content=f"Bonjour, ici {name}, {phone}",
        users_id_recipient=ME,
        date_mod=NOW,
    )
    add("glpi_tickets", id=TICKET + 1, name="Écran", content="Luc Bernard", date_mod=NOW)
    add("glpi_tickets_users", tickets_id=TICKET, users_id=ME, type=1)
    add("glpi_tickets_users", tickets_id=TICKET + 1, users_id=OTHER, type=1)
    add(
        "glpi_itilfollowups",
        itemtype="Ticket",
        items_id=TICKET,
        users_id=ME,
        content=f"Merci, {name}",
    )
    add(
        "glpi_tickettasks",
        tickets_id=TICKET,
        users_id_tech=ME,
        date=NOW,
        content=f"Intervention chez {name}",
    )
    add("glpi_changes", id=CHANGE, name=f"Poste de {name}", content=f"Pour {name}")
    add("glpi_changes_users", changes_id=CHANGE, users_id=ME, type=1)
    add(
        "glpi_problems",
        id=PROBLEM,
        name="Réseau",
        content=f"Signalé par {name}",
        symptomcontent=phone,
    )
    add("glpi_problems_users", problems_id=PROBLEM, users_id=ME, type=1)
    add("glpi_changetasks", changes_id=CHANGE, users_id=ME, date=NOW, content=f"Fait par {name}")
    add("glpi_problemtasks", problems_id=PROBLEM, users_id=ME, date=NOW, content=f"Vu avec {name}")
    add(
        "glpi_ticketvalidations",
        tickets_id=TICKET,
        users_id=ME,
        comment_submission=f"Validation pour {name}",
    )
    add(
        "glpi_itilsolutions",
        itemtype="Ticket",
        items_id=TICKET,
        users_id_approval=ME,
        user_name_approval="Durand Camille",
        content=f"Solution pour {name}",
    )
    add("glpi_ticketsatisfactions", tickets_id=TICKET, comment=f"Très bien — {name}")
    add(
        "glpi_notimportedemails",
        **{
            "from": EMAIL,
            "to": "support@semi.fr",
            "subject": f"Aide {name}",
            "messageid": "<1@exemple.fr>",
            "date": NOW,
        },
    )
    add(
        "glpi_queuednotifications",
        itemtype="Ticket",
        items_id=TICKET,
        recipient=EMAIL,
        recipientname=name,
        body_text=f"Bonjour {name}",
        mode="mailing",
    )
    add(
        "glpi_queuednotifications",
        itemtype="Ticket",
        items_id=TICKET,
        recipient="tech@semi.fr",
        body_text=f"Nouveau ticket de {name}",
        mode="mailing",
    )
    add(
        "glpi_queuedwebhooks",
        itemtype="Ticket",
        items_id=TICKET,
        body=f'{{"requester": "{name}", "email": "{EMAIL}"}}',
    )
    add(
        "glpi_forms_answerssets",
        users_id=ME,
        name="Demande #1",
        answers=f'{{"email": "{EMAIL}", "phone": "{phone}"}}',
    )
    add("glpi_groups_users", users_id=ME, groups_id=1)
    add("glpi_groups_users", users_id=OTHER, groups_id=1)
    add("glpi_profiles_users", users_id=ME, profiles_id=1)
    add("glpi_reminders", users_id=ME, name="Rendez-vous", text=f"Rappeler {name}", date_mod=NOW)
    add("glpi_planningexternalevents", users_id=ME, name=f"Réunion {name}", date_mod=NOW)
    add(
        "glpi_savedsearches",
        users_id=ME,
        name="Mes tickets",
        itemtype="Ticket",
        query="criteria[0][value]=Durand",
    )
    add("glpi_displaypreferences", users_id=ME, itemtype="Ticket", num=1, interface="central")
    add(
        "glpi_oauth_access_tokens",
        identifier="tok-1",
        client="app",
        date_expiration=NOW,
        user_identifier=str(ME),
    )
    add(
        "glpi_computers",
        id=PC,
        users_id=ME,
        name="PC-CDURAND",
        contact=f"{login}@SEMI",
        date_mod=NOW,
    )
    add(
        "glpi_agents",
        itemtype="Computer",
        items_id=PC,
        deviceid="pc-cdurand-2025-06-01",
        name="PC-CDURAND",
        remote_addr="192.0.2.77",
        last_contact=NOW,
    )
    for table in ("glpi_monitors", "glpi_printers", "glpi_peripherals", "glpi_softwarelicenses"):
        add(table, users_id=ME, contact=login, name="Matériel", date_mod=NOW)
    add("glpi_monitors", users_id=OTHER, contact="lbernard", name="Écran", date_mod=NOW)
    add("glpi_phones", users_id=ME, contact=login, number_line=phone, date_mod=NOW)
    add(
        "glpi_lines",
        users_id=ME,
        name="Ligne mobile",
        caller_num=phone,
        caller_name=name,
        date_mod=NOW,
    )
    add(
        "glpi_items_devicesimcards",
        users_id=ME,
        itemtype="Phone",
        items_id=1,
        pin="1234",
        puk="12345678",
        msin="208150000000001",
        comment=f"SIM de {name}",
    )
    add(
        "glpi_logs",
        itemtype="Ticket",
        items_id=TICKET,
        user_name=f"Durand Camille ({ME})",
        new_value=name,
        date_mod=NOW,
    )
    add(
        "glpi_events",
        type="system",
        service="login",
        level=3,
        date=NOW,
        message=f"{login} log in from IP 192.0.2.77",
    )
    add(
        "glpi_events",
        type="system",
        service="login",
        level=3,
        date=NOW,
        message=f"{login} se connecte depuis l'IP 192.0.2.77",
    )
    add(
        "glpi_events",
        type="system",
        service="login",
        level=3,
        date=NOW,
        message="lbernard log in from IP 192.0.2.80",
    )
    add(
        "glpi_notepads",
        itemtype="User",
        items_id=ME,
        content=f"Appeler {name} au {phone}",
        date_mod=NOW,
    )
    add(
        "glpi_knowbaseitems_comments",
        users_id=ME,
        knowbaseitems_id=1,
        comment=f"Merci — {name}",
        date_mod=NOW,
    )
    add("glpi_projectteams", projects_id=1, itemtype="User", items_id=ME)
    add(
        "glpi_reservations",
        users_id=ME,
        reservationitems_id=1,
        comment=f"Pour {name}",
        begin=NOW,
        end=NOW,
    )


@pytest.fixture(params=["mariadb", "postgresql"])
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        engine = sa.create_engine(url)
        md = glpi.full_metadata("11")
        md.create_all(engine)
        with engine.begin() as conn:
            seed(conn, md)
        engine.dispose()
        yield url


def test_a_person_across_40_glpi_tables_is_found_in_each_and_leaves_no_residue(
    seeded: str,
) -> None:
    manifest = read_manifest(MANIFEST, categories=policy_categories())
    engine = sa.create_engine(seeded)
    with engine.connect() as conn:
        quote = "`" if engine.dialect.name in ("mysql", "mariadb") else '"'
        expected = {
            t: conn.execute(sa.text(q.replace("{q}", quote))).scalar_one()
            for t, q in COUNTS.items()
        }
    engine.dispose()
    assert len(COUNTS) >= 30 and all(expected.values()), expected

    # The scan sees the person everywhere before the erasure (it reads every text column).
    before = {table for table, _column in text_residue(seeded, NEEDLES)}
    assert len(before) >= 30, sorted(before)

    kept: list[KeptRow] = []
    options: dict[str, Any] = {"rules": policy_rules(), "archive": lambda _s, r: kept.extend(r)}
    with SqlSource(manifest, url=seeded, **options) as source:
        found = source.find(SUBJECT).table_counts
    assert {t: found.get(t, 0) for t in COUNTS} == expected

    with SqlSource(manifest, url=seeded, **options) as source:
        report = source.erase(SUBJECT)
    residue = text_residue(seeded, NEEDLES)
    allowed = {(k.table, k.key) for k in report.kept}
    left = {
        where: keys - {key for table, key in allowed if table == where[0]}
        for where, keys in residue.items()
    }
    assert {where: keys for where, keys in left.items() if keys} == {}
    # What stays is listed with its ground and its end date: the intervention report.
    assert {(k.table, k.category) for k in report.kept} == {
        ("glpi_tickettasks", "contract-services")
    }
    assert all(k.ground and k.ends_on for k in report.kept)
    # The other person is untouched.
    with SqlSource(manifest, url=seeded, **options) as source:
        other = source.find(Subject(email=["luc.bernard@exemple.fr"])).table_counts
    assert other["glpi_monitors"] == 1 and other["glpi_events"] == 1
    # The engine's own residue check searched their login and name (the manifest marks
    # them), not only the address given, and found nothing outside the kept report.
    assert {EMAIL, "cdurand", "Camille Durand", "Durand Camille"} <= set(report.identifiers)
    assert "Camille" not in report.identifiers  # a first name alone: every namesake
    assert report.residue_checked and report.residue == []
    assert {(r.table, r.column) for r in report.kept_residue} <= {("glpi_tickettasks", "content")}


def test_a_name_left_in_free_text_is_reported_as_residue(seeded: str) -> None:
    # Someone typed the person's name into another person's ticket: the erasure does not
    # reach that row, and the residue check must say so.
    engine = sa.create_engine(seeded)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE glpi_tickets SET content = :c WHERE id = :i"),
            {"c": "Rappeler Camille Durand demain", "i": TICKET + 1},
        )
    engine.dispose()
    manifest = read_manifest(MANIFEST, categories=policy_categories())
    options: dict[str, Any] = {"rules": policy_rules(), "archive": lambda _s, _r: None}
    with SqlSource(manifest, url=seeded, **options) as source:
        report = source.erase(SUBJECT)
    assert ("glpi_tickets", "content", 1) in {(r.table, r.column, r.rows) for r in report.residue}
    assert not report.complete
