"""Attack review of issue 14: the receiving controller's one-time link (Art. 20(2), R58)
pressed twice at the same moment gives the export once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from vigie.audit.actor import Actor
from vigie.rights import portability

from .backoffice import open_verified

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
    # SQLite serialises writers; its in-memory test database is not shared by threads.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL sessions"),
]


def test_two_presses_of_the_one_time_link_at_once_give_the_export_once(
    claire, privacy_lead, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = Actor.for_user(privacy_lead)
    case = open_verified(claire, types=["portability"])
    export = portability.build_export(lead, case)
    link = portability.send_link(lead, export, "dpo@nouveau.example", by="staff")
    token = portability.link_token(link.pk)
    # Both requests have read the link as unused before either spends it.
    both_read = threading.Barrier(2, timeout=10)
    link_state = portability.link_state

    def slow_state(value: str):
        found = link_state(value)
        both_read.wait()
        return found

    monkeypatch.setattr(portability, "link_state", slow_state)
    outcomes: list[str] = []

    def press() -> None:
        try:
            portability.use_link(Actor("anonymous", "", "203.0.113.9"), token)
            outcomes.append("served")
        except portability.LinkRefused as refused:
            outcomes.append(refused.reason)
        except BaseException as error:  # reported by the main thread
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["served", "used"]
    assert case.events.filter(kind="portability_link_used").count() == 1
