"""Migration people.0008: the Art. 14 due date becomes a Paris date (C2) recomputed from
the collection time, a notice that was only queued is no longer counted as given, and
queued notices reference the person their content is now rendered for."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "keys"])

BEFORE = [("people", "0007_organisation_kind_prospect"), ("mail", "0005_message_claimed_by")]
AFTER = [("people", "0008_art14_notice_due_date")]
COLLECTED = dt.datetime(2025, 2, 3, 13, 0, tzinfo=dt.UTC)  # 14:00 in Paris


def _migrate(target) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor


def test_due_dates_become_dates_and_only_delivered_notices_count() -> None:
    executor = _migrate([BEFORE[0]])
    try:
        apps = executor.loader.project_state(BEFORE).apps
        person_model = apps.get_model("people", "Person")
        message_model = apps.get_model("mail", "Message")

        def person(sent: bool):
            return person_model.objects.create(
                id=uuid.uuid4(),
                source="partner",
                source_name="Salon IT Sud",
                collected_at=COLLECTED,
                art14_notice_due_at=COLLECTED + dt.timedelta(days=28),
                art14_notice_sent_at=COLLECTED if sent else None,
            )

        def notice(to, status: str):
            return message_model.objects.create(
                id=uuid.uuid4(),
                person=to,
                kind="service",
                template="art14_notice",
                context={"source_name": "Salon IT Sud"},
                status=status,
                message_id=f"<{uuid.uuid4().hex}@vigie.example>",
            )

        failed, delivered, queued = person(True), person(True), person(False)
        failed_notice = notice(failed, "failed")
        notice(delivered, "sent")
        queued_notice = notice(queued, "queued")
        subject = person_model.objects.create(
            id=uuid.uuid4(), source="subject", collected_at=COLLECTED
        )
        executor = _migrate(AFTER)
        # The models as they stand at 0008 (later migrations of mail add columns).
        after = executor.loader.project_state(AFTER).apps
        Message = after.get_model("mail", "Message")
        Person = after.get_model("people", "Person")

        rows = {p.pk: p for p in Person.objects.all()}
        for pk in (failed.pk, delivered.pk, queued.pk):
            assert rows[pk].art14_notice_due_at == dt.date(2025, 3, 3)
        assert rows[subject.pk].art14_notice_due_at is None
        assert rows[failed.pk].art14_notice_sent_at is None
        assert rows[delivered.pk].art14_notice_sent_at == COLLECTED
        assert Message.objects.get(pk=queued_notice.pk).context == {"person": str(queued.pk)}
        assert Message.objects.get(pk=failed_notice.pk).context == {"person": str(failed.pk)}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_going_back_keeps_the_notices_due() -> None:
    """Rolled back to 0007, a notice still due stays due (with the former rule, one month
    after collection): a due date lost on the way back would let marketing reach people
    never informed (R9)."""
    executor = _migrate([BEFORE[0]])
    try:
        apps = executor.loader.project_state(BEFORE).apps
        person_model = apps.get_model("people", "Person")
        due = person_model.objects.create(
            id=uuid.uuid4(),
            source="partner",
            source_name="Salon IT Sud",
            collected_at=COLLECTED,
            art14_notice_due_at=COLLECTED + dt.timedelta(days=28),
        )
        subject = person_model.objects.create(
            id=uuid.uuid4(), source="subject", collected_at=COLLECTED
        )
        _migrate(AFTER)
        executor = _migrate([BEFORE[0]])
        person_model = executor.loader.project_state(BEFORE).apps.get_model("people", "Person")
        rows = {p.pk: p for p in person_model.objects.all()}
        assert rows[due.pk].art14_notice_due_at == dt.datetime(2025, 3, 3, 13, 0, tzinfo=dt.UTC)
        assert rows[subject.pk].art14_notice_due_at is None
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
