"""The story of issue 12, replayed on a full GLPI 11.0.7 database (review7), with the texts GLPI
really writes: every event message that carries the login (GLPI's `Event::log` calls write
`sprintf(__('%s updates an item'), $_SESSION['glpiname'])` and the like for each action, and
'Login for %1$s denied by authorization rules from IP %2$s' at a refused login), and asset
names that carry the login (reference 1.5: `name` is personal on monitors, phones, printers,
peripherals, network equipment and unmanaged devices, as on computers).

After `erase`, a scan of every text column finds nothing of the person, and `find` no longer
claims the events table holds fewer rows of theirs than it does.
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
from vigie.sources.types import Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml"
EMAIL, LOGIN, ME, OTHER = "camille.durand@exemple.fr", "cdurand", 7, 8
SUBJECT = Subject(email=[EMAIL])
NEEDLES = [EMAIL, LOGIN, "Durand"]
HER_EVENTS = [
    f"{LOGIN} log in from IP 192.0.2.7",
    f"Failed login for {LOGIN} from IP 192.0.2.7",
    f"Login for {LOGIN} denied by authorization rules from IP 192.0.2.7",
    f"{LOGIN} se connecte depuis l'IP 192.0.2.7",
    f"Connexion échouée de {LOGIN} depuis l'IP 192.0.2.7",
    f"{LOGIN} updates an item",
    f"{LOGIN} adds the item PC lent",
    f"{LOGIN} adds a link with an item",
]
OTHERS_EVENTS = ["lbernard updates an item", "cdurand2 log in from IP 192.0.2.8"]
ASSETS = [
    "glpi_monitors",
    "glpi_phones",
    "glpi_printers",
    "glpi_peripherals",
    "glpi_networkequipments",
    "glpi_unmanageds",
]


def seed(conn: sa.Connection, md: sa.MetaData) -> None:
    def add(table: str, **values: Any) -> None:
        insert(conn, md, table, **values)

    add("glpi_users", id=ME, name=LOGIN, firstname="Camille", realname="Durand", date_mod=NOW)
    add("glpi_users", id=OTHER, name="lbernard", firstname="Luc", realname="Bernard", date_mod=NOW)
    add("glpi_useremails", users_id=ME, email=EMAIL)
    for message in HER_EVENTS + OTHERS_EVENTS:
        add("glpi_events", type="system", service="login", level=3, message=message, date=NOW)
    for number, table in enumerate(ASSETS, start=600):
        # Named after the person, as help desks name the devices they hand out.
        add(
            table,
            id=number,
            name=f"ECRAN-{LOGIN.upper()}",
            users_id=ME,
            contact=LOGIN,
            date_mod=NOW,
        )
        add(table, id=number + 50, name="ECRAN-LBERNARD", users_id=OTHER, date_mod=NOW)


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


def test_every_event_naming_the_login_and_every_asset_named_after_them_are_erased(
    seeded: str,
) -> None:
    manifest = read_manifest(MANIFEST, categories=policy_categories())
    options: dict[str, Any] = {"rules": policy_rules(), "archive": lambda _s, _r: None}
    with SqlSource(manifest, url=seeded, **options) as source:
        found = source.find(SUBJECT).table_counts
    assert found["glpi_events"] == len(HER_EVENTS)
    assert all(found[table] == 1 for table in ASSETS)

    with SqlSource(manifest, url=seeded, **options) as source:
        report = source.erase(SUBJECT)
    assert not report.kept
    residue = text_residue(seeded, NEEDLES)
    # "cdurand2 log in…" is another person's event: the events are compared whole below.
    residue.pop(("glpi_events", "message"), None)
    assert residue == {}
    engine = sa.create_engine(seeded)
    with engine.connect() as conn:
        left = conn.execute(sa.text("SELECT message FROM glpi_events")).scalars().all()
        names = conn.execute(sa.text("SELECT name FROM glpi_monitors ORDER BY id")).scalars().all()
    engine.dispose()
    # Other people's events and assets are untouched; the person's asset keeps a name.
    assert sorted(left) == sorted(OTHERS_EVENTS)
    assert names[1] == "ECRAN-LBERNARD" and names[0] and names[0] != f"ECRAN-{LOGIN.upper()}"


#: Every GLPI 11 table with a free-text `contact` (and `contact_num`): the agent writes the
#: session's login there (`login`, `login@DOMAIN`, `DOMAIN\login`), a technician a name.
CONTACT_TABLES = [
    "glpi_appliances",
    "glpi_assets_assets",
    "glpi_certificates",
    "glpi_computers",
    "glpi_monitors",
    "glpi_networkequipments",
    "glpi_peripherals",
    "glpi_phones",
    "glpi_printers",
    "glpi_softwarelicenses",
    "glpi_unmanageds",
]
HER_CONTACTS = [LOGIN, f"{LOGIN}@EXEMPLE", f"EXEMPLE\\{LOGIN}", "Camille Durand", "Durand Camille"]
OTHER_CONTACTS = ["lbernard", f"{LOGIN}2", "Luc Bernard", "Camille Martin", f"x{LOGIN}"]


@pytest.fixture(params=["mariadb", "postgresql"])
def contacts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        engine = sa.create_engine(url)
        md = glpi.full_metadata("11")
        md.create_all(engine)
        with engine.begin() as conn:
            insert(
                conn,
                md,
                "glpi_users",
                id=ME,
                name=LOGIN,
                firstname="Camille",
                realname="Durand",
                date_mod=NOW,
            )
            insert(
                conn,
                md,
                "glpi_users",
                id=OTHER,
                name="lbernard",
                firstname="Luc",
                realname="Bernard",
                date_mod=NOW,
            )
            insert(conn, md, "glpi_useremails", users_id=ME, email=EMAIL)
            for table in CONTACT_TABLES:
                for number, contact in enumerate(HER_CONTACTS + OTHER_CONTACTS, start=1):
                    # Nobody assigned (users_id = 0): the contact is all that names them.
                    insert(
                        conn,
                        md,
                        table,
                        id=number,
                        name=f"ASSET-{number}",
                        users_id=0,
                        contact=contact,
                        contact_num="01 23 45 67 89",
                        date_mod=NOW,
                    )
        engine.dispose()
        yield url


def _contact_counts(url: str) -> dict[str, int]:
    """Direct SQL: the rows of each table whose contact is one of hers."""
    engine = sa.create_engine(url)
    counts = {}
    with engine.connect() as conn:
        for table in CONTACT_TABLES:
            query = f"SELECT COUNT(*) FROM {table} WHERE contact IN :values"  # noqa: S608
            statement = sa.text(query).bindparams(sa.bindparam("values", expanding=True))
            counts[table] = conn.execute(statement, {"values": HER_CONTACTS}).scalar_one()
    engine.dispose()
    return counts


def test_an_asset_naming_the_person_only_in_its_contact_is_found_and_erased(
    contacts: str,
) -> None:
    manifest = read_manifest(MANIFEST, categories=policy_categories())
    options: dict[str, Any] = {"rules": policy_rules(), "archive": lambda _s, _r: None}
    expected = _contact_counts(contacts)
    assert set(expected.values()) == {len(HER_CONTACTS)}
    with SqlSource(manifest, url=contacts, **options) as source:
        by_email = source.find(SUBJECT).table_counts
        by_login = source.find(Subject(login=[LOGIN])).table_counts
    assert {t: by_email.get(t, 0) for t in CONTACT_TABLES} == expected
    assert {t: by_login.get(t, 0) for t in CONTACT_TABLES} == expected

    with SqlSource(manifest, url=contacts, **options) as source:
        report = source.erase(SUBJECT)
    assert {t: report.tables[t].updated for t in CONTACT_TABLES} == expected
    assert set(_contact_counts(contacts).values()) == {0}
    engine = sa.create_engine(contacts)
    with engine.connect() as conn:
        for table in CONTACT_TABLES:
            left = conn.execute(
                sa.text(f"SELECT contact FROM {table} WHERE contact IS NOT NULL")  # noqa: S608
            ).scalars()
            assert sorted(left) == sorted(OTHER_CONTACTS), table
            numbers = conn.execute(
                sa.text(f"SELECT COUNT(*) FROM {table} WHERE contact_num IS NULL")  # noqa: S608
            ).scalar_one()
            assert numbers == len(HER_CONTACTS), table
    engine.dispose()
