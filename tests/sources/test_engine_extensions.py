"""The format extensions on a mini schema, on SQLite, MariaDB and PostgreSQL: `versions` on a
column, `retention.follows`, `like` links, `through` in several hops, lists in `where`; and the
link-column rule (another link's column is erased only where it holds the subject)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import yaml

from tests.sources.helpdesk import dump, policy_categories, policy_rules
from vigie.sources.inventory import check_manifest
from vigie.sources.manifest import parse_manifest
from vigie.sources.sql import SqlSource
from vigie.sources.sql_erase import hash_value
from vigie.sources.types import KeptRow, Subject

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
ALICE, BOB, AB = 1, 2, 3  # AB's login "a_b" is also a LIKE pattern matching "axb"
ALICE_BY_LOGIN = Subject(login=["alice"])

MANIFEST = """
source: desk
connection: {url_env: VIGIE_TEST_SOURCE_DESK_URL}
identities:
  user:
    table: users
    key: id
    match: {login: {column: name}}
tables:
  users:
    links: [{identity: user, column: id}]
    retention: {category: staff-accounts, start: date_mod, action: anonymise}
    columns:
      id: not_personal
      name: {category: identity-contact, erase: mask, mask: "[effacé]"}
      date_mod: not_personal
      nickname: {category: identity-contact, erase: "null", versions: [">=2.0"]}
      twofa: {category: staff-accounts, erase: "null", versions: ["2"]}
      old_flag: {category: not_personal, versions: ["<2.0"]}
  tickets:
    links:
      - {identity: user, through: {table: tickets_users, column: users_id, key: tickets_id}}
      - {identity: user, column: recipient, erase: false}
    retention: {category: hotline-tickets, start: date}
    columns:
      id: not_personal
      content: {category: hotline-tickets, erase: mask, mask: "[effacé]"}
      track: {category: hotline-tickets, erase: hash}
      recipient: {category: hotline-tickets, erase: mask, mask: 0}
      date: not_personal
  tickets_users:
    links: [{identity: user, column: users_id}]
    retention: {category: hotline-tickets, follows: {table: tickets, column: tickets_id}}
    columns:
      id: not_personal
      tickets_id: not_personal
      users_id: {category: hotline-tickets, erase: delete_row}
  events:
    links:
      - identity: user
        column: message
        like: {value: name, patterns: ["{} log in from IP %", "Failed login for {} from IP %"]}
    retention: {category: security-logs, start: date}
    columns:
      id: not_personal
      message: {category: security-logs, erase: delete_row}
      date: not_personal
  invoices:
    links: [{identity: user, column: users_id}]
    retention: {category: billing-accounting, start: datef, from: fiscal_year_close}
    columns:
      id: not_personal
      users_id: {category: billing-accounting, erase: keep}
      datef: not_personal
  invoice_lines:
    links:
      - {identity: user, through: {table: invoices, column: users_id, key: id}, references: invoice}
    retention: {category: billing-accounting, follows: {table: invoices, column: invoice}}
    columns:
      id: not_personal
      invoice: not_personal
      label: {category: billing-accounting, erase: keep}
  allocations:
    retention: {category: billing-accounting, follows: {table: invoices, column: invoice}}
    columns:
      id: not_personal
      invoice: not_personal
      payment: not_personal
  payments:
    links:
      - identity: user
        through:
          - {table: invoices, column: users_id, key: id}
          - {table: allocations, column: invoice, key: payment}
    retention: {category: billing-accounting, start: datep, from: fiscal_year_close}
    columns:
      id: not_personal
      amount: {category: billing-accounting, erase: keep}
      datep: not_personal
  roles:
    links: [{identity: user, column: person, where: {role: [20, 21]}}]
    retention:
      category: identity-contact
      follows: {table: users, column: person, where: {role: [20, 21]}}
    columns:
      id: not_personal
      role: not_personal
      person: {category: identity-contact, erase: delete_row}
"""

T = dt.datetime(2024, 3, 1, 10, 0)


def manifest():
    return parse_manifest(MANIFEST, categories=policy_categories())


def seed(engine: sa.Engine) -> sa.MetaData:
    md = sa.MetaData()
    integer = sa.Integer

    def table(name: str, *columns: sa.Column) -> sa.Table:
        return sa.Table(
            name, md, sa.Column("id", integer, primary_key=True, autoincrement=False), *columns
        )

    table("users", sa.Column("name", sa.String(50)), sa.Column("date_mod", sa.DateTime),
          sa.Column("nickname", sa.String(50)), sa.Column("old_flag", integer))  # fmt: skip
    table("tickets", sa.Column("content", sa.Text), sa.Column("track", sa.String(64)),
          sa.Column("recipient", integer), sa.Column("date", sa.DateTime))  # fmt: skip
    table("tickets_users", sa.Column("tickets_id", integer), sa.Column("users_id", integer))
    table("events", sa.Column("message", sa.String(255)), sa.Column("date", sa.DateTime))
    table("invoices", sa.Column("users_id", integer), sa.Column("datef", sa.Date))
    table("invoice_lines", sa.Column("invoice", integer), sa.Column("label", sa.String(100)))
    table("allocations", sa.Column("invoice", integer), sa.Column("payment", integer))
    table("payments", sa.Column("amount", integer), sa.Column("datep", sa.Date))
    table("roles", sa.Column("role", integer), sa.Column("person", integer))
    md.create_all(engine)
    rows = {
        "users": [
            {"id": ALICE, "name": "alice", "date_mod": T, "nickname": "Al", "old_flag": 1},
            {"id": BOB, "name": "bob", "date_mod": T, "nickname": None, "old_flag": 0},
            {"id": AB, "name": "a_b", "date_mod": T, "nickname": "AB", "old_flag": 0},
        ],
        "tickets": [
            # 10: Alice's, typed by Bob; 11: Alice's, typed by herself; 12: Bob's.
            {"id": 10, "content": "imprimante", "track": "t10", "recipient": BOB, "date": T},
            {"id": 11, "content": "écran", "track": "t11", "recipient": ALICE, "date": T},
            {"id": 12, "content": "réseau", "track": "t12", "recipient": ALICE, "date": T},
        ],
        "tickets_users": [
            {"id": 1, "tickets_id": 10, "users_id": ALICE},
            {"id": 2, "tickets_id": 11, "users_id": ALICE},
            {"id": 3, "tickets_id": 12, "users_id": BOB},
        ],
        "events": [
            {"id": 1, "message": "alice log in from IP 192.0.2.1", "date": T},
            {"id": 2, "message": "Failed login for alice from IP 192.0.2.1", "date": T},
            {"id": 3, "message": "malice log in from IP 192.0.2.9", "date": T},
            {"id": 4, "message": "axb log in from IP 192.0.2.3", "date": T},
            {"id": 5, "message": "a_b log in from IP 192.0.2.3", "date": T},
        ],
        "invoices": [
            {"id": 1, "users_id": ALICE, "datef": dt.date(2014, 5, 15)},
            {"id": 2, "users_id": ALICE, "datef": dt.date(2023, 5, 15)},
            {"id": 3, "users_id": BOB, "datef": dt.date(2014, 6, 1)},
        ],
        "invoice_lines": [
            {"id": 1, "invoice": 1, "label": "maintenance"},
            {"id": 2, "invoice": 2, "label": "dépannage"},
            {"id": 3, "invoice": 2, "label": "câble"},
            {"id": 4, "invoice": 3, "label": "licence"},
        ],
        "allocations": [
            {"id": 1, "invoice": 1, "payment": 7},
            {"id": 2, "invoice": 2, "payment": 8},
            {"id": 3, "invoice": 3, "payment": 9},
        ],
        "payments": [
            {"id": 7, "amount": 100, "datep": dt.date(2014, 6, 1)},
            {"id": 8, "amount": 80, "datep": dt.date(2023, 6, 1)},
            {"id": 9, "amount": 50, "datep": dt.date(2014, 7, 1)},
        ],
        "roles": [
            {"id": 1, "role": 20, "person": ALICE},
            {"id": 2, "role": 21, "person": ALICE},
            {"id": 3, "role": 90, "person": ALICE},  # internal role: another id space
            {"id": 4, "role": 20, "person": BOB},
        ],
    }
    with engine.begin() as conn:
        for name in md.sorted_tables:
            conn.execute(name.insert(), rows[name.name])
    return md


def desk(url: str, kept: list[KeptRow] | None = None, **options) -> SqlSource:
    if kept is not None:
        options["archive"] = lambda _s, rows: kept.extend(rows)
    return SqlSource(manifest(), url=url, rules=policy_rules(), **options)


def test_the_extensions_parse_into_typed_values() -> None:
    m = manifest()
    assert m.tables["users"].columns["twofa"].versions == ("2",)
    assert m.tables["users"].columns["old_flag"].personal is False
    assert [h.table for h in m.tables["payments"].links[0].through] == ["invoices", "allocations"]
    assert m.tables["roles"].links[0].where == {"role": (20, 21)}
    follows = m.tables["invoice_lines"].retention.follows
    assert (follows.table, follows.column, follows.references) == ("invoices", "invoice", None)
    assert m.tables["events"].links[0].like.patterns[1] == "Failed login for {} from IP %"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["tables"]["events"]["links"][0]["like"].update(patterns=["{} and {}"]),
            "tables.events.links.0.like.patterns.0: needs exactly one {}",
        ),
        (
            lambda d: d["tables"]["roles"]["retention"]["follows"].update(table="nowhere"),
            "tables.roles.retention.follows.table: table 'nowhere' is not described",
        ),
        (
            lambda d: d["tables"]["allocations"].update(
                retention={
                    "category": "billing-accounting",
                    "follows": {"table": "payments", "column": "payment"},
                    "from": "fiscal_year_close",
                }
            ),
            "tables.allocations.retention.from: not with `follows`",
        ),
        (
            lambda d: d["tables"]["users"]["columns"]["old_flag"].update(versions=["old"]),
            "tables.users.columns.old_flag.versions.0: 'old' does not match",
        ),
        (
            lambda d: d["tables"]["payments"]["links"][0]["through"][1].update(table="nowhere"),
            "tables.payments.links.0.through.1.table: table 'nowhere' is not described",
        ),
        (
            lambda d: d["tables"]["users"]["columns"]["old_flag"].update(erase="null"),
            "tables.users.columns.old_flag: a not_personal column has no `erase`",
        ),
    ],
)
def test_errors_in_the_extensions_name_their_path(change, message) -> None:
    from vigie.sources.manifest import InvalidManifest

    doc = yaml.safe_load(MANIFEST)
    change(doc)
    with pytest.raises(InvalidManifest) as caught:
        parse_manifest(yaml.safe_dump(doc, allow_unicode=True))
    assert any(str(e).startswith(message) for e in caught.value.errors), caught.value.errors


def test_versioned_columns_may_be_absent_and_the_check_still_passes(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed(engine)
    report = check_manifest(manifest(), policy_rules(), url=database_url)
    assert report.ok, [str(p) for p in report.problems]
    # `twofa` (version 2 only) is absent: not counted, not reported; `nickname` is there.
    assert report.personal_columns == 11
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users DROP COLUMN nickname"))
        conn.execute(sa.text("ALTER TABLE invoice_lines DROP COLUMN label"))
    report = check_manifest(manifest(), policy_rules(), url=database_url)
    assert [str(p) for p in report.problems] == [
        "tables.invoice_lines.columns.label: in the manifest but not in the database"
    ]
    engine.dispose()


def test_find_follows_like_links_hops_and_lists_as_direct_sql_counts(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed(engine)
    with desk(database_url) as source:
        found = source.find(ALICE_BY_LOGIN)
        other = source.find(Subject(login=["a_b"]))
    keys: dict[str, set[str]] = {}
    for row in found.rows:
        keys.setdefault(row.table, set()).add(row.key)
    assert keys == {
        "users": {"1"},
        "tickets": {"10", "11", "12"},  # 12: Alice is its recipient (erase: false)
        "tickets_users": {"1", "2"},
        "events": {"1", "2"},  # not "malice …"
        "invoices": {"1", "2"},
        "invoice_lines": {"1", "2", "3"},
        "payments": {"7", "8"},  # two hops: invoice, then allocation
        "roles": {"1", "2"},  # role 90 is not in the list
    }
    # The absent versioned column is skipped; the present one is returned.
    user = next(r for r in found.rows if r.table == "users")
    assert user.values == {"name": "alice", "nickname": "Al"}
    # A login holding LIKE wildcards matches only itself.
    assert {r.key for r in other.rows if r.table == "events"} == {"5"}
    engine.dispose()


def test_erase_leaves_other_links_columns_unless_they_hold_the_subject(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed(engine)
    before = dump(engine)
    kept: list[KeptRow] = []
    with desk(database_url, kept) as source:
        source.erase(ALICE_BY_LOGIN)
        again = source.erase(Subject(login=["alice"]))
    after = dump(engine)
    # Ticket 10 (Bob typed it): masked, hashed, Bob's link kept. Ticket 11 (hers, typed by
    # her): her recipient link cleared too. Ticket 12 (Bob's, she is recipient): untouched.
    from vigie.lib import keyring
    from vigie.sources.sql_erase import HASH_PURPOSE

    key = keyring.derive_key(HASH_PURPOSE)
    assert after["tickets"][10][1:4] == ("[effacé]", hash_value(key, "t10", 64), BOB)
    assert after["tickets"][11][1:4] == ("[effacé]", hash_value(key, "t11", 64), 0)
    assert after["tickets"][12] == before["tickets"][12]
    assert set(after["events"]) == {3, 4, 5}
    assert set(after["roles"]) == {3, 4}
    assert after["users"][ALICE][1] == "[effacé]" and after["users"][ALICE][3] is None
    # Kept rows: the lines of a kept invoice end with it (follows: the invoice's date,
    # counted from its fiscal-year close).
    ends = {(k.table, k.key): k.ends_on for k in kept}
    assert ends[("invoices", "2")] == ends[("invoice_lines", "2")] == dt.date(2033, 12, 31)
    assert ends[("invoice_lines", "1")] == dt.date(2024, 12, 31)
    assert ends[("payments", "8")] == dt.date(2033, 12, 31)
    for table in ("invoices", "invoice_lines", "payments", "allocations"):
        assert after[table] == before[table]
    # A second run: the identity is masked, nothing is found, nothing changes.
    assert again.tables == {}
    engine.dispose()


def test_a_rerun_does_not_hash_twice_where_another_links_column_was_left(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed(engine)
    with desk(database_url, []) as source:
        source.erase(Subject(login=["alice"]))
    first = dump(engine)
    # Undo the identity's masking only: a re-run finds Alice again, and ticket 10 (Bob's
    # recipient link left in place) must not be selected and hashed a second time.
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET name = 'alice' WHERE id = 1"))
    with desk(database_url, []) as source:
        report = source.erase(Subject(login=["alice"]))
    second = dump(engine)
    assert second["tickets"] == first["tickets"]
    assert "tickets" not in report.tables or report.tables["tickets"].updated == 0
    engine.dispose()


def test_rows_that_follow_their_parent_expire_and_are_purged_with_it(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed(engine)
    rule = policy_rules()["billing-accounting"]
    with engine.begin() as conn:  # a line whose invoice is gone has no date left: expired
        conn.execute(sa.text("INSERT INTO invoice_lines (id, invoice, label) VALUES (5, 99, 'x')"))
    with desk(database_url, []) as source:
        selection = source.expired(rule, dt.datetime(2025, 1, 2, tzinfo=PARIS))
        counts = {t.table: t.count for t in selection.tables}
        report = source.purge(selection)
        after = source.expired(rule, dt.datetime(2025, 1, 2, tzinfo=PARIS))
    # The 2014 invoices (ends 31/12/2024) go, with their lines and allocations.
    assert counts == {
        "invoices": 2,
        "invoice_lines": 3,
        "allocations": 2,
        "payments": 2,
    }
    assert report.deleted == counts and after.count == 0
    rows = dump(engine)
    assert set(rows["invoice_lines"]) == {2, 3} and set(rows["allocations"]) == {2}
    engine.dispose()


def test_the_residue_check_reads_an_identifier_literally_and_ignores_case(database_url) -> None:
    # "A_B" is found in "a_b" (any case) and not in "axb": its "_" is no wildcard, nor
    # is the "." of "A.B", on every backend (PostgreSQL runs them as one LIKE ANY with
    # backslash escapes, MariaDB as one REGEXP, escaped).
    from vigie.sources.sql_erase import residue

    engine = sa.create_engine(database_url)
    seed(engine)
    with desk(database_url, []) as source:
        found, kept = residue(source, ["A_B", "100%", "A.B", "(x"], {})
    counts = {(r.table, r.column): r.rows for r in found}
    assert counts == {("users", "name"): 1, ("events", "message"): 1}
    assert kept == []
    engine.dispose()
