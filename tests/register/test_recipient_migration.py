"""The recipient projection's migration replays the revisions already stored."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.register.conftest import MINIMAL

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("register", "0001_initial")]
AFTER = [("register", "0002_recipient_projection")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_existing_revisions_get_their_recipients_dropped_ones_marked_out() -> None:
    old_apps = _migrate(BEFORE)
    try:
        Revision = old_apps.get_model("register", "Revision")
        first = copy.deepcopy(MINIMAL)
        first["recipients"].append({**first["recipients"][0], "key": "counsel"})
        for number, document in enumerate([first, MINIMAL], start=1):
            Revision.objects.create(
                number=number, created_at=timezone.now(), author_type="cli", document=document
            )
        new_apps = _migrate(AFTER)
        Recipient = new_apps.get_model("register", "Recipient")
        rows = {r.key: r for r in Recipient.objects.all()}
        assert set(rows) == {"datacenter", "counsel"}
        assert rows["datacenter"].in_register and not rows["counsel"].in_register
        assert rows["datacenter"].privacy_contact == "dpo@hebergeur.example"
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
