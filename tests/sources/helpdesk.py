"""A mini helpdesk and a mini billing database, on SQLite, MariaDB and PostgreSQL.

Test modules import the fixtures they need from here (``from tests.sources.helpdesk
import ...``); each test gets its own fresh database on each backend, dropped after.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from vigie.lib.legal_calendar import parse_period
from vigie.sources.manifest import Manifest, parse_manifest
from vigie.sources.rules import RetentionRule

ROOT = Path(__file__).resolve().parents[2]
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
MARIADB = os.environ.get("VIGIE_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306")
_counter = itertools.count(1)

HELPDESK_MANIFEST = """
source: helpdesk
label: {fr: "Assistance (test)", en: "Helpdesk (test)"}
system: "mini helpdesk"
connection: {url_env: VIGIE_TEST_SOURCE_HELPDESK_URL}
identities:
  user:
    table: users
    key: id
    match:
      email: {table: useremails, column: email, key: users_id}
      login: {column: name}
not_personal_tables: ["configs", "crontask*"]
tables:
  users:
    links: [{identity: user, column: id}]
    retention: {category: staff-accounts, start: date_mod, action: anonymise}
    columns:
      id: not_personal
      name: {category: identity-contact, erase: mask, mask: "[effacé]"}
      realname: {category: identity-contact, erase: "null"}
      password: {category: staff-accounts, erase: "null"}
      personal_token: {category: staff-accounts, erase: hash}
      2fa: {category: staff-accounts, erase: "null"}
      date_mod: not_personal
  useremails:
    links: [{identity: user, column: users_id}]
    retention: {category: identity-contact, start: date_creation}
    columns:
      id: not_personal
      users_id: {category: identity-contact, erase: delete_row}
      email: {category: identity-contact, erase: delete_row}
      date_creation: not_personal
  tickets:
    links:
      - identity: user
        through: {table: tickets_users, column: users_id, key: tickets_id, where: {type: 1}}
        references: id
      - {identity: user, column: users_id_recipient, erase: false}
    retention: {category: hotline-tickets, start: date}
    columns:
      id: not_personal
      name: not_personal
      content: {category: hotline-tickets, erase: mask, mask: "[effacé]"}
      date: not_personal
      begin: not_personal
      users_id_recipient: {category: staff-accounts, erase: mask, mask: 0}
  tickets_users:
    links: [{identity: user, column: users_id}]
    retention: {category: hotline-tickets, start: date_creation}
    columns:
      id: not_personal
      tickets_id: not_personal
      users_id: {category: hotline-tickets, erase: delete_row}
      type: not_personal
      date_creation: not_personal
  followups:
    links: [{identity: user, column: users_id, where: {itemtype: Ticket}}]
    retention: {category: hotline-tickets, start: date}
    columns:
      id: not_personal
      itemtype: not_personal
      items_id: not_personal
      users_id: {category: hotline-tickets, erase: mask, mask: 0}
      content: {category: hotline-tickets, erase: mask, mask: "[effacé]"}
      date: not_personal
"""

BILLING_MANIFEST = """
source: billing
label: {fr: "Facturation (test)", en: "Billing (test)"}
connection: {url_env: VIGIE_TEST_SOURCE_BILLING_URL}
identities:
  customer:
    table: thirdparty
    key: rowid
    match:
      email: {column: email}
tables:
  thirdparty:
    key: rowid
    links: [{identity: customer, column: rowid}]
    retention: {category: billing-accounting, start: tms, from: fiscal_year_close}
    columns:
      rowid: not_personal
      nom: {category: billing-accounting, erase: keep}
      email: {category: identity-contact, erase: "null"}
      phone: {category: identity-contact, erase: "null"}
      tms: not_personal
  invoices:
    links: [{identity: customer, column: fk_soc}]
    retention: {category: billing-accounting, start: datef, from: fiscal_year_close}
    columns:
      rowid: not_personal
      ref: not_personal
      fk_soc: {category: billing-accounting, erase: keep}
      note_private: {category: billing-accounting, erase: "null"}
      total: not_personal
      datef: not_personal
"""


def helpdesk_metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "users",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(100)),
        sa.Column("realname", sa.String(100)),
        sa.Column("password", sa.String(255)),
        sa.Column("personal_token", sa.String(40)),
        sa.Column("2fa", sa.String(40)),
        sa.Column("date_mod", sa.DateTime),
    )
    sa.Table(
        "useremails",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("users_id", sa.Integer),
        sa.Column("email", sa.String(255)),
        sa.Column("date_creation", sa.DateTime),
    )
    sa.Table(
        "tickets",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(255)),
        sa.Column("content", sa.Text),
        sa.Column("date", sa.DateTime),
        sa.Column("begin", sa.DateTime),
        sa.Column("users_id_recipient", sa.Integer),
    )
    sa.Table(
        "tickets_users",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("tickets_id", sa.Integer),
        sa.Column("users_id", sa.Integer),
        sa.Column("type", sa.Integer),
        sa.Column("date_creation", sa.DateTime),
    )
    sa.Table(
        "followups",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("itemtype", sa.String(50)),
        sa.Column("items_id", sa.Integer),
        sa.Column("users_id", sa.Integer),
        sa.Column("content", sa.Text),
        sa.Column("date", sa.DateTime),
    )
    sa.Table(
        "configs",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(100)),
        sa.Column("value", sa.String(255)),
    )
    return md


def billing_metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "thirdparty",
        md,
        sa.Column("rowid", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("nom", sa.String(100)),
        sa.Column("email", sa.String(255)),
        sa.Column("phone", sa.String(30)),
        sa.Column("tms", sa.DateTime),
    )
    sa.Table(
        "invoices",
        md,
        sa.Column("rowid", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ref", sa.String(30)),
        sa.Column("fk_soc", sa.Integer),
        sa.Column("note_private", sa.Text),
        sa.Column("total", sa.Integer),
        sa.Column("datef", sa.Date),
    )
    return md


T = dt.datetime(2024, 3, 1, 10, 0)
ALICE, BOB, CAROL = 1, 2, 3


def seed_helpdesk(engine: sa.Engine) -> None:
    md = helpdesk_metadata()
    md.create_all(engine)
    t = md.tables
    with engine.begin() as conn:
        conn.execute(
            t["users"].insert(),
            [
                {
                    "id": ALICE,
                    "name": "alice",
                    "realname": "Alice Martin",
                    "password": "$2y$a",
                    "personal_token": "tok-alice-0123456789",
                    "2fa": "secret-a",
                    "date_mod": dt.datetime(2020, 1, 10, 9, 0),
                },
                {
                    "id": BOB,
                    "name": "bob",
                    "realname": "Bob Durand",
                    "password": "$2y$b",
                    "personal_token": "tok-bob",
                    "2fa": None,
                    "date_mod": T,
                },
                {
                    "id": CAROL,
                    "name": "carol",
                    "realname": "Carol Petit",
                    "password": None,
                    "personal_token": None,
                    "2fa": None,
                    "date_mod": dt.datetime(2021, 6, 30, 23, 0),
                },
            ],
        )
        conn.execute(
            t["useremails"].insert(),
            [
                {
                    "id": 1,
                    "users_id": ALICE,
                    "email": "  Alice.Martin@Example.FR ",
                    "date_creation": T,
                },
                {
                    "id": 2,
                    "users_id": ALICE,
                    "email": "alice.perso@example.org",
                    "date_creation": T,
                },
                {"id": 3, "users_id": BOB, "email": "bob@example.fr", "date_creation": T},
                {"id": 4, "users_id": CAROL, "email": "carol@example.fr", "date_creation": T},
            ],
        )
        tickets = [
            # 10: Alice requester, Bob the technician (recipient).
            {
                "id": 10,
                "name": "Imprimante",
                "content": "Mon imprimante…",
                "users_id_recipient": BOB,
            },
            # 11: Alice only observer (type 2): not hers to erase.
            {"id": 11, "name": "Réseau", "content": "Le réseau…", "users_id_recipient": BOB},
            # 12: shared: Alice and Carol both requesters.
            {"id": 12, "name": "Messagerie", "content": "Nos boîtes…", "users_id_recipient": BOB},
            # 13: Bob's own ticket, where Alice is the recipient (erase: false link).
            {"id": 13, "name": "Écran", "content": "Écran noir", "users_id_recipient": ALICE},
            {"id": 14, "name": "Clavier", "content": "Touche", "users_id_recipient": None},
        ]
        for ticket in tickets:
            ticket.update({"date": T, "begin": T})
        conn.execute(t["tickets"].insert(), tickets)
        conn.execute(
            t["tickets_users"].insert(),
            [
                {"id": 1, "tickets_id": 10, "users_id": ALICE, "type": 1, "date_creation": T},
                {"id": 2, "tickets_id": 11, "users_id": ALICE, "type": 2, "date_creation": T},
                {"id": 3, "tickets_id": 12, "users_id": ALICE, "type": 1, "date_creation": T},
                {"id": 4, "tickets_id": 12, "users_id": CAROL, "type": 1, "date_creation": T},
                {"id": 5, "tickets_id": 13, "users_id": BOB, "type": 1, "date_creation": T},
                {"id": 6, "tickets_id": 14, "users_id": CAROL, "type": 1, "date_creation": T},
            ],
        )
        followups = []
        for n in range(1, 8):  # seven of Alice's followups: four batches of two
            followups.append(
                {
                    "id": n,
                    "itemtype": "Ticket",
                    "items_id": 10,
                    "users_id": ALICE,
                    "content": f"relance {n}",
                    "date": T,
                }
            )
        followups += [
            {
                "id": 20,
                "itemtype": "Problem",
                "items_id": 1,
                "users_id": ALICE,
                "content": "problème",
                "date": T,
            },
            {
                "id": 21,
                "itemtype": "Ticket",
                "items_id": 10,
                "users_id": BOB,
                "content": "Réponse du technicien",
                "date": T,
            },
            {
                "id": 22,
                "itemtype": "Ticket",
                "items_id": 14,
                "users_id": CAROL,
                "content": "merci",
                "date": dt.datetime(2019, 1, 1),
            },
        ]
        conn.execute(t["followups"].insert(), followups)
        conn.execute(t["configs"].insert(), [{"id": 1, "name": "version", "value": "10.0"}])


def seed_billing(engine: sa.Engine) -> None:
    md = billing_metadata()
    md.create_all(engine)
    t = md.tables
    with engine.begin() as conn:
        conn.execute(
            t["thirdparty"].insert(),
            [
                {
                    "rowid": 1,
                    "nom": "Alice Martin",
                    "email": "alice.martin@example.fr",
                    "phone": "0601020304",
                    "tms": dt.datetime(2023, 6, 30),
                },
                {
                    "rowid": 2,
                    "nom": "SARL Bob",
                    "email": "compta@bob.example",
                    "phone": None,
                    "tms": dt.datetime(2012, 2, 1),
                },
            ],
        )
        conn.execute(
            t["invoices"].insert(),
            [
                {
                    "rowid": 1,
                    "ref": "FA2305-001",
                    "fk_soc": 1,
                    "note_private": "client pénible",
                    "total": 120,
                    "datef": dt.date(2023, 5, 15),
                },
                {
                    "rowid": 2,
                    "ref": "FA2212-004",
                    "fk_soc": 1,
                    "note_private": None,
                    "total": 80,
                    "datef": dt.date(2022, 12, 31),
                },
                {
                    "rowid": 3,
                    "ref": "FA1301-001",
                    "fk_soc": 2,
                    "note_private": "old",
                    "total": 50,
                    "datef": dt.date(2013, 1, 5),
                },
                {
                    "rowid": 4,
                    "ref": "FA1212-009",
                    "fk_soc": 2,
                    "note_private": None,
                    "total": 70,
                    "datef": dt.date(2012, 12, 31),
                },
            ],
        )


def _server_reachable(url: str) -> bool:
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def _postgres_admin_url() -> str:
    base = os.environ.get("VIGIE_TEST_DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        rest = base.split("://", 1)[1].rsplit("/", 1)[0]
        return f"postgresql+psycopg://{rest}/postgres"
    return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def servers_required() -> bool:
    """``VIGIE_TEST_REQUIRE_SERVERS=1`` (CI): an unreachable MariaDB or PostgreSQL fails
    the tests that need it instead of skipping them."""
    return os.environ.get("VIGIE_TEST_REQUIRE_SERVERS", "").strip().lower() in {"1", "true", "yes"}


def unreachable(backend: str) -> None:
    """Skip (or, when servers are required, fail) a test whose server does not answer."""
    message = f"{backend} server not reachable"
    if servers_required():
        pytest.fail(f"{message} (VIGIE_TEST_REQUIRE_SERVERS is set)")
    pytest.skip(message)


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on ``backend`` (sqlite, mariadb, postgresql): its URL;
    dropped on exit."""
    name = f"vigie_engine_test_{WORKER}_{os.getpid()}_{next(_counter)}"
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    if backend == "mariadb":
        admin_url, url = MARIADB, f"{MARIADB}/{name}?charset=utf8mb4"
        create, drop = f"CREATE DATABASE {name} CHARACTER SET utf8mb4", f"DROP DATABASE {name}"
    else:
        admin_url = _postgres_admin_url()
        name = name.replace("engine_test", "engine_src")
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        create, drop = f"CREATE DATABASE {name}", f"DROP DATABASE {name} WITH (FORCE)"
    if not _server_reachable(admin_url):
        unreachable(backend)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(create))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(drop))
        admin.dispose()


@pytest.fixture(params=["sqlite", "mariadb", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on one backend; dropped after the test."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


def policy_rules() -> dict[str, RetentionRule]:
    """The shipped register's retention rules, without a database."""
    doc = yaml.safe_load((ROOT / "policies" / "semi-informatique.yaml").read_text("utf-8"))
    rules = {}
    for entry in doc["data_categories"]:
        rule = entry["retention"]
        rules[entry["key"]] = RetentionRule(
            entry["key"],
            parse_period(rule.get("active_duration")) + parse_period(rule.get("archive_duration")),
            rule["legal_reference"],
            rule["final_action"],
        )
    return rules


def policy_categories() -> set[str]:
    return set(policy_rules())


def helpdesk_manifest() -> Manifest:
    return parse_manifest(HELPDESK_MANIFEST, categories=policy_categories())


def billing_manifest() -> Manifest:
    return parse_manifest(BILLING_MANIFEST, categories=policy_categories())


def dump(engine: sa.Engine) -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Every row of every table, by primary key (a tuple when composite): compared
    before and after."""
    md = sa.MetaData()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
        md.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for name, table in md.tables.items():
            key = list(table.primary_key.columns) or [next(iter(table.columns))]
            positions = [list(table.columns).index(c) for c in key]
            rows = conn.execute(sa.select(table).order_by(*key)).all()
            out[name] = {
                (row[positions[0]] if len(positions) == 1 else tuple(row[i] for i in positions)): (
                    tuple(row)
                )
                for row in rows
            }
    return out
