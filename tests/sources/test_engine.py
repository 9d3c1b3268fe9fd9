"""The SQL engine on SQLite, MariaDB and PostgreSQL: find, erase, expired, purge."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.sources.helpdesk import (
    ALICE,
    BOB,
    CAROL,
    billing_manifest,
    dump,
    helpdesk_manifest,
    helpdesk_metadata,
    policy_rules,
    seed_billing,
    seed_helpdesk,
)
from vigie.lib import keyring
from vigie.sources.models import ArchivedRecord
from vigie.sources.sql import SqlSource
from vigie.sources.sql_erase import HASH_PURPOSE
from vigie.sources.types import Erase, Keep, Subject

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
ALICE_BY_EMAIL = Subject(email=["ALICE.martin@example.fr  "])


def helpdesk(url: str, **options) -> SqlSource:
    return SqlSource(helpdesk_manifest(), url=url, rules=policy_rules(), **options)


def billing(url: str, **options) -> SqlSource:
    return SqlSource(billing_manifest(), url=url, rules=policy_rules(), **options)


def scalar(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_find_returns_the_subjects_rows_by_category_as_direct_sql_counts_them(
    database_url,
) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    with helpdesk(database_url) as source:
        result = source.find(ALICE_BY_EMAIL)
    tickets = scalar(
        engine,
        "SELECT COUNT(*) FROM tickets WHERE id IN "
        "(SELECT tickets_id FROM tickets_users WHERE users_id = 1 AND type = 1) "
        "OR users_id_recipient = 1",
    )
    followups = scalar(
        engine, "SELECT COUNT(*) FROM followups WHERE users_id = 1 AND itemtype = 'Ticket'"
    )
    assert result.table_counts == {
        "users": 1,
        "useremails": scalar(engine, "SELECT COUNT(*) FROM useremails WHERE users_id = 1"),
        "tickets": tickets,
        "tickets_users": scalar(engine, "SELECT COUNT(*) FROM tickets_users WHERE users_id = 1"),
        "followups": followups,
    }
    assert (tickets, followups) == (3, 7)
    assert result.counts[("users", "identity-contact")] == 1
    assert result.counts[("users", "staff-accounts")] == 1
    assert result.counts[("tickets", "hotline-tickets")] == 3
    identity = next(r for r in result.by_category["identity-contact"] if r.table == "users")
    assert identity.key == str(ALICE)
    assert identity.values == {"name": "alice", "realname": "Alice Martin"}
    staff = next(r for r in result.by_category["staff-accounts"] if r.table == "users")
    assert staff.values["2fa"] == "secret-a"
    engine.dispose()


def test_a_login_finds_the_same_rows_as_an_email(database_url) -> None:
    seed_helpdesk(sa.create_engine(database_url))
    with helpdesk(database_url) as source:
        by_login = source.find(Subject(login=["alice"]))
        by_email = source.find(ALICE_BY_EMAIL)
        nobody = source.find(Subject(email=["nobody@example.fr"]))
    assert by_login.rows == by_email.rows
    assert nobody.rows == ()


def test_erase_applies_each_strategy_and_leaves_everyone_elses_rows_byte_identical(
    database_url,
) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    before = dump(engine)
    with helpdesk(database_url) as source:
        report = source.erase(ALICE_BY_EMAIL)
    after = dump(engine)

    user = after["users"][ALICE]
    token = hmac.new(
        keyring.derive_key(HASH_PURPOSE), b"tok-alice-0123456789", hashlib.sha256
    ).hexdigest()[:40]
    assert user[1:6] == ("[effacé]", None, None, token, None)
    assert user[6] == before["users"][ALICE][6]  # not personal: untouched
    assert set(after["useremails"]) == {3, 4}
    assert set(after["tickets_users"]) == {4, 5, 6}
    assert after["tickets"][10][2] == after["tickets"][12][2] == "[effacé]"
    # Bob typed Alice's tickets: his link (another link's column) is not erased with hers.
    assert after["tickets"][10][5] == after["tickets"][12][5] == BOB
    # The recipient link does not erase: Bob's ticket 13 keeps Alice as recipient.
    assert after["tickets"][13] == before["tickets"][13]
    for n in range(1, 8):
        assert after["followups"][n][3:5] == (0, "[effacé]")
    # A non-Ticket followup is not linked by the manifest: untouched.
    assert after["followups"][20] == before["followups"][20]

    changed = {
        "users": {ALICE},
        "useremails": {1, 2},
        "tickets": {10, 12},
        "tickets_users": {1, 2, 3},
        "followups": set(range(1, 8)),
    }
    for table, rows in before.items():
        for key, row in rows.items():
            if key not in changed.get(table, set()):
                assert after[table][key] == row, (table, key)
    assert report.tables["followups"].updated == 7
    assert report.tables["useremails"].deleted == 2
    assert report.tables["tickets_users"].deleted == 3
    engine.dispose()


def test_erase_changes_rows_in_bounded_batches(database_url) -> None:
    # All of them in one transaction per source (test_erase_atomic.py).
    seed_helpdesk(sa.create_engine(database_url))
    batches: list[tuple[str, int]] = []
    with helpdesk(database_url, batch_size=2, on_batch=lambda t, n: batches.append((t, n))) as src:
        src.erase(ALICE_BY_EMAIL)
    assert [n for t, n in batches if t == "followups"] == [2, 2, 2, 1]
    assert all(n <= 2 for _t, n in batches)
    # Dependents first, the tables that lead to the person last.
    order = list(dict.fromkeys(t for t, _n in batches))
    assert order.index("followups") < order.index("tickets_users") < order.index("users")
    assert order[-1] == "useremails"


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("stop_after", [1, 4, 7])
def test_an_interrupted_erase_run_again_ends_exactly_like_an_uninterrupted_one(
    database_url, stop_after
) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    with helpdesk(database_url, batch_size=2) as source:
        source.erase(ALICE_BY_EMAIL)
    expected = dump(engine)

    helpdesk_metadata().drop_all(engine)
    seed_helpdesk(engine)
    seen = []

    def crash(table: str, count: int) -> None:
        seen.append(table)
        if len(seen) > stop_after:
            raise Interrupted(table)

    with helpdesk(database_url, batch_size=2, on_batch=crash) as source, pytest.raises(Interrupted):
        source.erase(ALICE_BY_EMAIL)
    assert dump(engine) != expected
    with helpdesk(database_url, batch_size=2) as source:
        source.erase(ALICE_BY_EMAIL)
    assert dump(engine) == expected
    engine.dispose()


def test_kept_rows_go_to_the_archive_index_with_their_ground_and_end_date(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed_billing(engine)
    before = dump(engine)
    with billing(database_url) as source:
        report = source.erase(Subject(email=["alice.martin@example.fr"]))
        again = source.erase(Subject(email=["alice.martin@example.fr"]))
    after = dump(engine)
    assert after["invoices"][1][1:6] == ("FA2305-001", 1, None, 120, dt.date(2023, 5, 15))
    assert after["invoices"][3] == before["invoices"][3]
    assert after["thirdparty"][1][1:4] == ("Alice Martin", None, None)
    assert after["thirdparty"][2] == before["thirdparty"][2]
    archived = {
        (r.table, r.row_key): (r.category, r.ground, r.ends_on)
        for r in ArchivedRecord.objects.filter(source="billing")
    }
    assert archived == {
        ("invoices", "1"): ("billing-accounting", "C. com. L123-22", dt.date(2033, 12, 31)),
        ("invoices", "2"): ("billing-accounting", "C. com. L123-22", dt.date(2032, 12, 31)),
        ("thirdparty", "1"): ("billing-accounting", "C. com. L123-22", dt.date(2033, 12, 31)),
    }
    assert report.kept_categories == {
        "billing-accounting": ("C. com. L123-22", dt.date(2033, 12, 31))
    }
    # The address is erased, so a second run finds nothing and adds nothing.
    assert again.kept == [] and ArchivedRecord.objects.count() == 3
    engine.dispose()


def test_a_plan_keeps_a_category_on_its_ground_or_erases_what_the_manifest_keeps(
    database_url,
) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    seed_billing(engine)
    before = dump(engine)
    hold = Keep(ground="17(3)(e) – litige RG 24/123", until=dt.date(2030, 1, 31))
    # One database holds both: each manifest describes half of it, so each erase is
    # accepted explicitly as incomplete (issue 12).
    with helpdesk(database_url) as source:
        source.erase(ALICE_BY_EMAIL, plan={"hotline-tickets": hold}, accept_unmapped=True)
    with billing(database_url) as source:
        source.erase(
            Subject(email=["alice.martin@example.fr"]),
            plan={"billing-accounting": Erase()},
            accept_unmapped=True,
        )
    after = dump(engine)
    # Ticket texts stay, their link rows too, each in the archive index; the
    # recipient column is another person's link (Bob typed the ticket): untouched.
    assert after["tickets"][10][2] == before["tickets"][10][2]
    assert after["tickets"][10][5] == BOB
    assert set(after["tickets_users"]) == set(before["tickets_users"])
    assert after["followups"][1] == before["followups"][1]
    held = ArchivedRecord.objects.filter(source="helpdesk", table="followups")
    assert held.count() == 7
    assert {(r.ground, r.ends_on) for r in held} == {(hold.ground, hold.until)}
    # Other categories are still erased.
    assert after["users"][ALICE][1] == "[effacé]"
    assert set(after["useremails"]) == {3, 4}
    # The plan overrides the manifest's keep: the invoices lose their link to Alice.
    assert after["invoices"][1][2] is None and after["thirdparty"][1][1] is None
    assert not ArchivedRecord.objects.filter(source="billing").exists()
    engine.dispose()


def test_expired_counts_the_invoices_past_ten_years_from_their_fiscal_year_close(
    database_url,
) -> None:
    engine = sa.create_engine(database_url)
    seed_billing(engine)
    rule = policy_rules()["billing-accounting"]
    with billing(database_url) as source:
        on_the_eve = source.expired(rule, dt.datetime(2033, 12, 30, 12, tzinfo=PARIS))
        on_the_day = source.expired(rule, dt.datetime(2033, 12, 31, 0, 30, tzinfo=PARIS))
    eve = {t.table: t.count for t in on_the_eve.tables}
    day = {t.table: t.count for t in on_the_day.tables}
    # The invoice of 15/05/2023 goes on 31/12/2033 (R17's worked example), not before.
    assert eve["invoices"] == scalar(
        engine, "SELECT COUNT(*) FROM invoices WHERE datef <= '2022-12-31'"
    )
    assert day["invoices"] == scalar(
        engine, "SELECT COUNT(*) FROM invoices WHERE datef <= '2023-12-31'"
    )
    assert (eve["invoices"], day["invoices"]) == (3, 4)
    assert (eve["thirdparty"], day["thirdparty"]) == (1, 2)
    assert on_the_day.count == 6
    engine.dispose()


def test_purge_deletes_the_selection_in_batches_and_its_archive_entries(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed_billing(engine)
    rule = policy_rules()["billing-accounting"]
    batches = []
    with billing(database_url, batch_size=2, on_batch=lambda t, n: batches.append(n)) as source:
        source.erase(Subject(email=["alice.martin@example.fr"]))
        assert ArchivedRecord.objects.count() == 3
        selection = source.expired(rule, dt.datetime(2033, 1, 2, tzinfo=PARIS))
        report = source.purge(selection)
        after = source.expired(rule, dt.datetime(2033, 1, 2, tzinfo=PARIS))
    assert report.deleted == {"invoices": 3, "thirdparty": 1}
    assert all(n <= 2 for n in batches)
    assert after.count == 0
    assert scalar(engine, "SELECT COUNT(*) FROM invoices") == 1
    assert set(ArchivedRecord.objects.values_list("table", "row_key")) == {
        ("invoices", "1"),
        ("thirdparty", "1"),
    }
    engine.dispose()


def test_purge_anonymises_expired_accounts_once_and_leaves_the_others(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    before = dump(engine)
    rule = policy_rules()["staff-accounts"]
    now = dt.datetime(2026, 6, 30, 12, tzinfo=PARIS)
    with helpdesk(database_url, batch_size=1) as source:
        selection = source.expired(rule, now)
        report = source.purge(selection)
        again = source.expired(rule, now)
    after = dump(engine)
    assert {t.table: t.count for t in selection.tables} == {"users": 2}
    assert report.anonymised == {"users": 2} and report.batches == 2
    assert again.count == 0
    for person in (ALICE, CAROL):
        assert after["users"][person][1:3] == ("[effacé]", None)
    assert after["users"][BOB] == before["users"][BOB]
    engine.dispose()
