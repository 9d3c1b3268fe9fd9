"""A disclosure's reference is free text (« intervention #123 chez M. Dupont »): the audit
log, shareable with an auditor, says only whether there is one (no personal data in it)."""

from __future__ import annotations

import datetime as dt

import pytest

from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.disclosures.services import record_disclosure
from vigie.people.models import Person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_audit_event_does_not_carry_the_free_text_reference(claire: Person) -> None:
    when = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    record_disclosure(
        Actor.cli(),
        claire,
        "debt-collectors",
        ["identity-contact"],
        when,
        reference="Dossier impayé de Claire Martin",
    )
    event = Event.objects.get(action="disclosures:disclosure:record")
    assert "Claire" not in repr(event.extra)
    assert event.extra["with_reference"] is True
    assert event.extra["recipient"] == "debt-collectors"
