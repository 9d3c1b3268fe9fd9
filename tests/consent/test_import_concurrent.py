"""Two imports of the same file at once (a double click on « Importer », the page and the
command together) record each address once: re-importing is idempotent even when the
two runs overlap. Found on PostgreSQL: 383 people for a file of 200 addresses."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from vigie.audit.actor import Actor
from vigie.consent.importing import import_csv
from vigie.people.models import Organisation, Person

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
    # SQLite's IMMEDIATE transactions serialize writers already; its in-memory test
    # database cannot be shared by two threads' connections.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL sessions"),
]

HEADER = (
    "email;first_name;last_name;job_title;organisation;subject_types;source;source_name;"
    "partner_permission_ref;purpose;consent;collected_at;informed_of_opt_out\n"
)
PARTNER = "Salon IT Sud;contrat-2026-03;;non;01/03/2026;oui"


def test_two_overlapping_imports_record_each_address_once() -> None:
    rows = [f"p{n}@societe{n}.fr;P{n};N{n};DSI;;prospect_B2B;partner;{PARTNER}" for n in range(40)]
    rows += [f"contact@orga{n}.fr;;;;Orga {n};prospect_B2B;partner;{PARTNER}" for n in range(10)]
    text = HEADER + "\n".join(rows) + "\n"
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            import_csv(Actor.cli("test"), text, wording="", channel="")
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Person.objects.count() == 40, connection.vendor
    assert Organisation.objects.count() == 10
