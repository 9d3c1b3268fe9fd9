"""The audit chains are anchored in the key store: emptying or cutting back the log in
the main database, heads and checkpoints included, no longer verifies as intact
(R29, Art. 5(2); issue 11, item 1). Runs on SQLite and, in CI, on PostgreSQL, where the
"attacker" is a database superuser who first disables the append-only triggers."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from tests.audit.test_verify import _read_events_200_days_ago
from vigie.audit.actions import Action
from vigie.audit.anchoring import write_anchor
from vigie.audit.models import Anchor, Chain, ChainHead, Event
from vigie.audit.services import (
    ObjectRef,
    purge_read_events,
    record_event,
    record_read,
    verify_chains,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

AUDIT_TABLES = ("audit_event", "audit_chainhead", "audit_checkpoint")


def as_attacker(*statements: str | tuple[str, list]) -> None:
    """Rewrite the main database behind Vigie's back, triggers off where there are any."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, [])
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.fixture
def anchored(django_capture_on_commit_callbacks):
    """Record events as the application does: each commit moves the anchor."""

    def record(actor, count: int, *, read: bool = False) -> list[Event]:
        events = []
        for i in range(count):
            with django_capture_on_commit_callbacks(execute=True):
                if read:
                    events.append(record_read(actor, ObjectRef("accounts.user", str(i)), view="t"))
                else:
                    events.append(
                        record_event(
                            actor, Action.USER_ROLE_CHANGE, ObjectRef("accounts.user", "1")
                        )
                    )
        return events

    return record


def test_each_committed_event_moves_the_anchor_in_the_key_store(anchored, cli_actor) -> None:
    events = anchored(cli_actor, 3)
    anchor = Anchor.objects.using("keys").get(chain=Chain.CHANGE)
    assert (anchor.seq, anchor.hash) == (3, events[-1].hash)
    result = verify_chains()
    assert result.ok and result.anchored == ("change",)


def test_an_emptied_log_does_not_verify(anchored, cli_actor) -> None:
    anchored(cli_actor, 3)
    as_attacker(
        "DELETE FROM audit_event", "DELETE FROM audit_chainhead", "DELETE FROM audit_checkpoint"
    )
    result = verify_chains()
    assert not result.ok
    assert "anchored at seq 3" in result.problem.message
    with pytest.raises(CommandError, match=r"NOT intact.*anchored at seq 3"):
        call_command("audit", "verify")


def test_an_emptied_read_chain_does_not_verify(anchored, cli_actor) -> None:
    anchored(cli_actor, 2)
    anchored(cli_actor, 4, read=True)
    as_attacker(
        "DELETE FROM audit_event WHERE chain = 'read'",
        "DELETE FROM audit_chainhead WHERE chain = 'read'",
        "DELETE FROM audit_checkpoint WHERE chain = 'read'",
    )
    result = verify_chains()
    assert not result.ok
    assert result.problem.chain == "read"
    assert "anchored at seq 4" in result.problem.message


def test_a_log_rolled_back_to_an_earlier_signed_head_does_not_verify(anchored, cli_actor) -> None:
    # The attacker kept a copy of the head as it was after event 2, signature included…
    anchored(cli_actor, 2)
    old = ChainHead.objects.values("seq", "hash", "mac").get(chain=Chain.CHANGE)
    anchored(cli_actor, 3)
    # …and puts it back after deleting what came later: the chain alone looks intact.
    as_attacker(
        "DELETE FROM audit_event WHERE chain = 'change' AND seq > 2",
        (
            "UPDATE audit_chainhead SET seq = %s, hash = %s, mac = %s WHERE chain = 'change'",
            [old["seq"], old["hash"], old["mac"]],
        ),
    )
    result = verify_chains()
    assert not result.ok
    assert "ends at seq 2 but was anchored at seq 5" in result.problem.message


def test_a_rolled_back_event_leaves_no_anchor_ahead_of_the_log(
    django_capture_on_commit_callbacks, anchored, cli_actor
) -> None:
    anchored(cli_actor, 1)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record_event(cli_actor, Action.USER_CREATE, ObjectRef("accounts.user", "2"))
        raise RuntimeError("the change fails")
    assert Anchor.objects.get(chain=Chain.CHANGE).seq == 1
    assert verify_chains().ok


def test_the_anchor_never_steps_back(anchored, cli_actor) -> None:
    first, _second = anchored(cli_actor, 2)
    # A writer that committed first but anchors last (two workers) changes nothing.
    assert write_anchor(Chain.CHANGE, 1, first.hash)
    assert Anchor.objects.get(chain=Chain.CHANGE).seq == 2
    assert verify_chains().ok


def rewrite_anchor(sql: str, params: list | None = None) -> None:
    """Change the anchor as the key store's owner could (its trigger off on PostgreSQL)."""
    keys = connections["keys"]
    with keys.cursor() as cursor:
        if keys.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_anchor DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        if keys.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_anchor ENABLE TRIGGER USER")


def test_a_forged_anchor_does_not_verify(anchored, cli_actor) -> None:
    anchored(cli_actor, 2)
    rewrite_anchor("UPDATE audit_anchor SET seq = 1")
    result = verify_chains()
    assert not result.ok and "anchor" in result.problem.message


def test_the_anchored_event_must_still_be_the_one_anchored(anchored, cli_actor) -> None:
    anchored(cli_actor, 2)
    rewrite_anchor("UPDATE audit_anchor SET hash = %s", ["f" * 64])
    assert not verify_chains().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_moving_the_anchor_back_or_deleting_it(anchored, cli_actor) -> None:
    from django.db.utils import DatabaseError

    anchored(cli_actor, 2)
    for sql in ("UPDATE audit_anchor SET seq = 0", "DELETE FROM audit_anchor"):
        with (
            pytest.raises(DatabaseError, match="only moves forward"),
            transaction.atomic(using="keys"),
            connections["keys"].cursor() as cursor,
        ):
            cursor.execute(sql)
    assert Anchor.objects.get(chain=Chain.CHANGE).seq == 2


def test_the_purge_keeps_the_read_chain_anchored_and_intact(anchored, cli_actor) -> None:
    _read_events_200_days_ago(cli_actor, 3)
    anchored(cli_actor, 1, read=True)
    purge_read_events(cli_actor)
    assert Event.objects.filter(chain=Chain.READ).count() == 1
    result = verify_chains()
    assert result.ok, result.problem
    assert "read" in result.anchored


def test_an_unreachable_key_store_leaves_the_event_and_logs_an_alert(
    django_capture_on_commit_callbacks, cli_actor, caplog, monkeypatch
) -> None:
    from django.db import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Anchor.objects, "filter", down)
    with django_capture_on_commit_callbacks(execute=True):
        record_event(cli_actor, Action.USER_CREATE, ObjectRef("accounts.user", "1"))
    assert Event.objects.count() == 1
    assert "audit anchor of the change chain not written" in caplog.text


def test_an_emptied_log_that_grows_back_past_its_anchor_still_does_not_verify(
    anchored, cli_actor
) -> None:
    # The attacker empties the log, then lets the application go on writing: a few
    # sign-ins later the new chain is longer than the anchor. The anchor must not follow
    # a chain that does not go through the link it holds.
    anchored(cli_actor, 3)
    as_attacker(
        "DELETE FROM audit_event", "DELETE FROM audit_chainhead", "DELETE FROM audit_checkpoint"
    )
    anchored(cli_actor, 5)
    anchor = Anchor.objects.get(chain=Chain.CHANGE)
    assert anchor.seq == 3
    result = verify_chains()
    assert not result.ok
    assert result.problem.seq == 3


def test_an_event_appended_while_verify_walks_is_no_tamper(
    anchored, cli_actor, monkeypatch
) -> None:
    # Another process appends an event after verify has read the chain's events and
    # before it reads the head: the log is intact, verify must say so (it said "events
    # N..N are missing" for nearly every run next to a busy writer on PostgreSQL).
    from vigie.audit import services

    anchored(cli_actor, 3)
    check = services._check_event
    appended = []

    def check_then_another_writer_commits(event, expected_seq, link):
        problem = check(event, expected_seq, link)
        if event.seq == 3 and not appended:
            appended.append(
                record_event(cli_actor, Action.USER_CREATE, ObjectRef("accounts.user", "9"))
            )
        return problem

    monkeypatch.setattr(services, "_check_event", check_then_another_writer_commits)
    result = verify_chains()
    assert appended and result.ok, result.problem


def test_a_purge_committing_while_verify_walks_is_no_tamper(anchored, cli_actor, monkeypatch):
    # The daily purge commits a batch after verify has read the read chain's checkpoints
    # and before it reads its events: the events it expected first are gone, rightly.
    # Seen on PostgreSQL with `audit purge` and `audit verify` run side by side.
    from vigie.audit.models import Checkpoint

    _read_events_200_days_ago(cli_actor, 4)
    anchored(cli_actor, 1, read=True)
    real_filter = Checkpoint.objects.filter
    purged = []

    class ReadBeforeThePurge:
        def __init__(self, rows):
            self.rows = rows

        def order_by(self, *fields):
            return self.rows

    def filter_then_purge(*args, **kwargs):
        if kwargs.get("chain") == Chain.READ and not purged:
            before = list(real_filter(*args, **kwargs).order_by("seq"))
            purged.append(purge_read_events(cli_actor))
            return ReadBeforeThePurge(before)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Checkpoint.objects, "filter", filter_then_purge)
    result = verify_chains()
    assert purged == [4]
    assert result.ok, result.problem


def test_an_event_anchored_in_turn_moves_the_anchor_in_one_key_store_statement(
    anchored, cli_actor, django_capture_on_commit_callbacks
) -> None:
    """Issue 14 (DSR latency): the anchor is where the new event's previous link is, so
    one conditional UPDATE moves it — after the log was checked to hold that link."""
    from django.test.utils import CaptureQueriesContext

    first, second = anchored(cli_actor, 2)
    with (
        CaptureQueriesContext(connections["keys"]) as keys,
        CaptureQueriesContext(connection) as main,
        django_capture_on_commit_callbacks(execute=True),
    ):
        third = record_event(cli_actor, Action.USER_ROLE_CHANGE, ObjectRef("accounts.user", "1"))
    key_store = [q["sql"] for q in keys.captured_queries]
    assert len(key_store) == 1 and key_store[0].startswith("UPDATE")
    # The anchored link (event 2) was looked for in the log before the anchor moved.
    assert any(
        "audit_event" in q["sql"] and q["sql"].startswith("SELECT") for q in main.captured_queries
    )
    anchor = Anchor.objects.get(chain=Chain.CHANGE)
    assert (anchor.seq, anchor.hash) == (3, third.hash)
    assert second.hash == third.prev_hash and first.seq == 1
    assert verify_chains().ok


def test_a_head_put_back_over_an_emptied_log_does_not_carry_the_anchor_on_the_short_way(
    anchored, cli_actor
) -> None:
    # The attacker empties the log but puts back a copy of the head: the next event
    # follows exactly the anchored link, yet the log no longer holds it.
    anchored(cli_actor, 3)
    head = ChainHead.objects.values("seq", "hash", "mac").get(chain=Chain.CHANGE)
    as_attacker(
        "DELETE FROM audit_event",
        "DELETE FROM audit_checkpoint",
        (
            "UPDATE audit_chainhead SET seq = %s, hash = %s, mac = %s WHERE chain = 'change'",
            [head["seq"], head["hash"], head["mac"]],
        ),
    )
    anchored(cli_actor, 2)
    anchor = Anchor.objects.get(chain=Chain.CHANGE)
    assert (anchor.seq, anchor.hash) == (3, head["hash"])
    assert not verify_chains().ok
