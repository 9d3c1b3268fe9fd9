"""`vigie audit verify` catches edits, deletions and insertions done in the database,
and keeps passing after the 6-month purge of read events (R29). Runs on SQLite and,
in CI, on PostgreSQL, where the append-only trigger must first be disabled by the
"attacker" (a database superuser)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from vigie.audit.actions import Action
from vigie.audit.models import Chain, Checkpoint, Event
from vigie.audit.services import (
    ObjectRef,
    purge_read_events,
    record_event,
    record_read,
    verify_chains,
)

# verify reads the chains' anchors in the key store (vigie/audit/anchoring.py).
pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def tamper(sql: str, params: list | tuple = ()) -> None:
    """Change the table behind Vigie's back, as someone with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


@pytest.fixture
def five_changes(db, cli_actor) -> list[Event]:
    return [
        record_event(cli_actor, Action.USER_ROLE_CHANGE, ObjectRef("accounts.user", str(i)))
        for i in range(1, 6)
    ]


def test_an_intact_chain_verifies(five_changes, capsys) -> None:
    result = verify_chains()
    assert result.ok and result.checked == 5
    call_command("audit", "verify")
    assert "5 events verified" in capsys.readouterr().out


def test_it_catches_an_edited_event(five_changes) -> None:
    target = five_changes[2]
    tamper("UPDATE audit_event SET object_id = %s WHERE id = %s", ["99", target.pk])
    result = verify_chains()
    assert not result.ok
    assert result.problem.event_id == target.pk
    assert "content" in result.problem.message
    with pytest.raises(CommandError, match=rf"event #{target.pk} "):
        call_command("audit", "verify")


def test_it_catches_a_deleted_event(five_changes) -> None:
    tamper("DELETE FROM audit_event WHERE id = %s", [five_changes[1].pk])
    result = verify_chains()
    assert result.problem.event_id == five_changes[2].pk
    assert "missing (seq 2 deleted)" in result.problem.message


def test_it_catches_the_deletion_of_the_latest_event(five_changes) -> None:
    tamper("DELETE FROM audit_event WHERE id = %s", [five_changes[-1].pk])
    result = verify_chains()
    assert not result.ok
    assert "events 5..5 are missing" in result.problem.message


def test_it_catches_an_inserted_event(five_changes) -> None:
    last = five_changes[-1]
    tamper(
        "INSERT INTO audit_event (chain, seq, occurred_at, actor_type, actor_id, action, "
        "object_type, object_id, ip, extra, prev_hash, hash) "
        "VALUES (%s, %s, %s, 'user', '1', 'accounts:user:role_change', 'accounts.user', '7', "
        "NULL, %s, %s, %s)",
        [Chain.CHANGE.value, 6, timezone.now(), "{}", last.hash, "f" * 64],
    )
    forged = Event.objects.get(seq=6, chain=Chain.CHANGE)
    result = verify_chains()
    assert result.problem.event_id == forged.pk
    assert "edited or forged" in result.problem.message


def test_it_catches_an_event_inserted_by_renumbering(five_changes) -> None:
    # Make room after seq 2 and slip a copy of event 2 in: the links break there.
    tamper("UPDATE audit_event SET seq = seq + 100 WHERE chain = 'change' AND seq > 2")
    tamper(
        "INSERT INTO audit_event (chain, seq, occurred_at, actor_type, actor_id, action, "
        "object_type, object_id, ip, extra, prev_hash, hash) "
        "SELECT chain, 3, occurred_at, actor_type, actor_id, action, object_type, object_id, "
        "ip, extra, hash, hash FROM audit_event WHERE chain = 'change' AND seq = 2"
    )
    result = verify_chains()
    assert not result.ok
    assert result.problem.seq == 3


def _read_events_200_days_ago(cli_actor, count: int) -> list[Event]:
    with time_machine.travel(timezone.now() - dt.timedelta(days=200), tick=False):
        return [
            record_read(cli_actor, ObjectRef("accounts.user", str(i)), view="test")
            for i in range(count)
        ]


def test_verify_passes_after_the_six_month_purge(db, cli_actor) -> None:
    old_reads = _read_events_200_days_ago(cli_actor, 7)
    change = record_event(cli_actor, Action.USER_ROLE_CHANGE, ObjectRef("accounts.user", "1"))
    recent = record_read(cli_actor, ObjectRef("accounts.user", "1"), view="test")

    purged = purge_read_events(cli_actor, batch_size=3)

    assert purged == 7
    remaining_reads = list(Event.objects.filter(chain=Chain.READ).values_list("pk", flat=True))
    assert remaining_reads == [recent.pk]
    assert Event.objects.filter(pk=change.pk).exists()
    assert Checkpoint.objects.count() == 3  # batches of 3, 3 and 1
    assert Checkpoint.objects.order_by("-seq").first().hash == old_reads[-1].hash
    result = verify_chains()
    assert result.ok, result.problem
    call_command("audit", "verify")
    # Run again: nothing left to purge, nothing changes, still intact.
    assert purge_read_events(cli_actor) == 0
    assert verify_chains().ok
    # One purge event per batch, written with the batch it describes.
    assert Event.objects.filter(action="audit:log:purge").count() == 3


def test_tampering_is_still_caught_after_a_purge(db, cli_actor) -> None:
    _read_events_200_days_ago(cli_actor, 2)
    kept = record_read(cli_actor, ObjectRef("accounts.user", "3"), view="test")
    later = record_read(cli_actor, ObjectRef("accounts.user", "4"), view="test")
    purge_read_events(cli_actor)
    tamper("DELETE FROM audit_event WHERE id = %s", [kept.pk])
    result = verify_chains()
    assert result.problem.event_id == later.pk


def test_a_forged_checkpoint_is_caught(db, cli_actor) -> None:
    _read_events_200_days_ago(cli_actor, 3)
    purge_read_events(cli_actor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_append_only"
            )
        cursor.execute("UPDATE audit_checkpoint SET seq = seq + 1")
    result = verify_chains()
    assert not result.ok and "checkpoint" in result.problem.message


def test_recent_read_events_are_kept_by_the_purge(db, cli_actor) -> None:
    with time_machine.travel(timezone.now() - dt.timedelta(days=150), tick=False):
        record_read(cli_actor, ObjectRef("accounts.user", "1"), view="test")
    assert purge_read_events(cli_actor) == 0
    assert Event.objects.filter(chain=Chain.READ).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_even_in_raw_sql(db, cli_actor) -> None:
    event = record_event(cli_actor, Action.USER_CREATE, ObjectRef("accounts.user", "1"))
    for sql in [
        "UPDATE audit_event SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_event WHERE id = %s",
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    # Even with the purge flag, a recent or a change event cannot be deleted.
    recent = record_read(cli_actor, ObjectRef("accounts.user", "1"), view="test")
    for target in (event, recent):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL vigie.audit_purge = 'on'")
            cursor.execute("DELETE FROM audit_event WHERE id = %s", [target.pk])
    assert Event.objects.count() == 2


def test_verify_passes_on_ipv6_addresses_written_in_any_case(db, cli_actor) -> None:
    from vigie.audit.actor import Actor

    record_event(
        Actor("user", "1", "2001:DB8:0:0::1"), Action.USER_LOGIN, ObjectRef("accounts.user", "1")
    )
    assert Event.objects.get().ip == "2001:db8::1"
    assert verify_chains().ok


def test_floats_are_refused_in_extra_because_jsonb_may_rewrite_them(db, cli_actor) -> None:
    with pytest.raises(TypeError, match="floats"):
        record_event(cli_actor, Action.USER_LOGIN, ObjectRef("x", "1"), extra={"n": 1e16})
    record_event(
        cli_actor, Action.USER_LOGIN, ObjectRef("x", "1"), extra={"n": 10**16, 3: "int key"}
    )
    assert verify_chains().ok


def test_a_purge_with_a_local_time_cutoff_still_verifies(db, cli_actor) -> None:
    from zoneinfo import ZoneInfo

    _read_events_200_days_ago(cli_actor, 2)
    now_in_paris = timezone.now().astimezone(ZoneInfo("Europe/Paris"))
    assert purge_read_events(cli_actor, now=now_in_paris) == 2
    assert verify_chains().ok


def test_an_event_on_an_unknown_chain_cannot_be_inserted(db, cli_actor) -> None:
    from django.db import IntegrityError

    record_event(cli_actor, Action.USER_LOGIN, ObjectRef("x", "1"))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_event (chain, seq, occurred_at, actor_type, actor_id, action, "
            "object_type, object_id, ip, extra, prev_hash, hash) "
            "VALUES ('bogus', 1, %s, 'user', '1', 'x', 'x', '1', NULL, '{}', 'x', 'x')",
            [timezone.now()],
        )


def test_the_purge_only_removes_a_prefix_even_if_the_clock_went_back(db, cli_actor) -> None:
    [old] = _read_events_200_days_ago(cli_actor, 1)
    recent = record_read(cli_actor, ObjectRef("accounts.user", "2"), view="test")
    # A machine with a clock set back writes an "old" event after a recent one.
    with time_machine.travel(timezone.now() - dt.timedelta(days=300), tick=False):
        backdated = record_read(cli_actor, ObjectRef("accounts.user", "3"), view="test")
    assert purge_read_events(cli_actor) == 1
    remaining = set(Event.objects.filter(chain=Chain.READ).values_list("pk", flat=True))
    assert remaining == {recent.pk, backdated.pk}
    assert old.pk not in remaining
    assert verify_chains().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_truncating_the_log(db, cli_actor) -> None:
    record_event(cli_actor, Action.USER_CREATE, ObjectRef("accounts.user", "1"))
    for table in ("audit_event", "audit_chainhead", "audit_checkpoint"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL vigie.allow_truncate = 'off'")
            cursor.execute(f"TRUNCATE {table} CASCADE")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_chainhead")
    assert verify_chains().checked == 1
