"""record_event: same transaction as the change, append-only, no personal data (R29)."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.conftest import STRONG_PASSWORD
from vigie.accounts.services import create_staff
from vigie.audit.actions import Action
from vigie.audit.models import AppendOnlyError, Chain, Event
from vigie.audit.services import ObjectRef, record_event, record_read, verify_chains

# verify reads the chains' anchors in the key store (vigie/audit/anchoring.py).
pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_an_event_rolls_back_with_the_change_it_describes(db, cli_actor) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        create_staff(cli_actor, username="ghost", email="g@semi.example", password=STRONG_PASSWORD)
        assert Event.objects.count() == 1
        raise RuntimeError("the caller fails after the change")
    assert not Event.objects.exists()
    assert verify_chains().ok


def test_it_keeps_references_not_personal_data(db, cli_actor) -> None:
    user = create_staff(
        cli_actor,
        username="jeanne",
        email="jeanne.dupont@semi.example",
        password=STRONG_PASSWORD,
        first_name="Jeanne",
        last_name="Dupont",
    )
    event = Event.objects.get()
    assert (event.object_type, event.object_id) == ("accounts.user", str(user.pk))
    assert (event.actor_type, event.actor_id) == ("cli", "test")
    stored = " ".join(str(v) for v in Event.objects.values().get().values())
    for personal in ["jeanne", "Dupont", "semi.example"]:
        assert personal not in stored


def test_reads_and_changes_go_to_their_own_chains(db, cli_actor) -> None:
    record_event(cli_actor, Action.USER_CREATE, ObjectRef("accounts.user", "1"))
    record_read(cli_actor, ObjectRef("accounts.user", "1"), view="test")
    record_event(cli_actor, Action.USER_ROLE_CHANGE, ObjectRef("accounts.user", "1"))
    chains = list(Event.objects.order_by("pk").values_list("chain", "seq"))
    assert chains == [(Chain.CHANGE, 1), (Chain.READ, 1), (Chain.CHANGE, 2)]
    first, _read, third = Event.objects.order_by("pk")
    assert third.prev_hash == first.hash


def test_the_orm_refuses_to_edit_or_delete_an_event(db, cli_actor) -> None:
    event = record_event(cli_actor, Action.USER_CREATE, ObjectRef("accounts.user", "1"))
    event.action = "something:else:happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.get().action == "accounts:user:create"


def test_an_attempt_to_edit_raises_a_security_alert(db, cli_actor, caplog) -> None:
    event = record_event(cli_actor, Action.USER_CREATE, ObjectRef("accounts.user", "1"))
    with caplog.at_level("CRITICAL", logger="vigie.security"), pytest.raises(AppendOnlyError):
        event.delete()
    assert "audit log tampering attempt refused" in caplog.text
