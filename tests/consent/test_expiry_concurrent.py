"""The daily expiry job (issue 10, item 10) and a confirmation clicked at the same moment
lock in the same order as every consent change (the person, then the subscription): found
on PostgreSQL, the job locked the subscription and then the person while the confirmation
held the person and waited for the subscription, and one of them died of a deadlock."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections

from tests.consent.conftest import WORDING
from vigie.audit.models import Event
from vigie.consent import expiry, services
from vigie.consent.models import Method, Status, Subscription

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
    # SQLite serialises writers; its in-memory test database is not shared by threads.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL sessions"),
]


def test_a_confirmation_in_time_and_the_expiry_job_at_once_neither_fails(
    make_person, staff_actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_person("lea@exemple.fr")
    services.object_to_marketing(staff_actor, person, method=Method.PHONE)
    token = services.start_double_opt_in(
        services.subject_actor("198.51.100.7"), person, "newsletter", wording=WORDING
    )
    expires = Subscription.objects.get(person=person, purpose="newsletter").pending_expires_at
    # The confirmation has locked the person and is writing its event when the job (its
    # clock a second past the deadline) reaches the same request.
    writing, go_on = threading.Event(), threading.Event()
    append_event = services.append_event

    def slow_append(*args, **kwargs):
        writing.set()
        go_on.wait(10)
        return append_event(*args, **kwargs)

    monkeypatch.setattr(services, "append_event", slow_append)
    errors: list[BaseException] = []
    outcomes: dict[str, object] = {}

    def confirm() -> None:
        try:
            outcomes["confirm"] = services.confirm_double_opt_in(token).status
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def job() -> None:
        try:
            outcomes["job"] = expiry.expire_pending_requests(expires + dt.timedelta(seconds=1))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    clicked = threading.Thread(target=confirm)
    clicked.start()
    assert writing.wait(10)
    daily = threading.Thread(target=job)
    daily.start()
    time.sleep(1)  # the job is now waiting on its locks
    go_on.set()
    clicked.join(30)
    daily.join(30)
    assert errors == []
    # The person confirmed in time: subscribed, and the job found nothing left to mark.
    assert outcomes == {"confirm": Status.SUBSCRIBED, "job": 0}
    assert Subscription.objects.get(person=person, purpose="newsletter").status == (
        Status.SUBSCRIBED
    )
    assert not Event.objects.filter(action="consent:newsletter:expire").exists()
