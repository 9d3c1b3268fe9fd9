"""The purpose key ``offres_semi`` became ``offres`` (issue 9). Stored rows were
migrated, but clients configured with the former key, CSV files exported before the
rename and audit events recorded before it (the log is hash-chained, never rewritten)
keep working and read as the current purpose."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import create_api_key
from vigie.audit import display
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event
from vigie.consent.api import router

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _client(make_staff, cli_actor, scope: Permission) -> TestClient:
    owner = make_staff(Role.PRIVACY_LEAD)
    _key, secret = create_api_key(cli_actor, owner, name="mailer", scopes=[scope])
    return TestClient(router, headers={"Authorization": f"Bearer {secret}"})


def test_an_audience_check_with_the_former_key_answers_for_the_current_purpose(
    make_staff, cli_actor
) -> None:
    client = _client(make_staff, cli_actor, Permission.AUDIENCE_CHECK)
    former = client.post(
        "/audience/check", json={"purpose": "offres_semi", "addresses": ["a@exemple.fr"]}
    )
    current = client.post(
        "/audience/check", json={"purpose": "offres", "addresses": ["a@exemple.fr"]}
    )
    assert former.status_code == 200, former.content
    assert former.json() == current.json()


def test_an_event_recorded_under_the_former_key_reads_as_a_sentence() -> None:
    sentence = str(display.sentence("consent:offres_semi:grant"))
    assert sentence == str(display.sentence("consent:offres:grant"))
    assert "offres_semi" not in sentence


def test_the_audit_log_page_shows_no_raw_code_for_an_old_consent_event(
    make_staff, signed_in
) -> None:
    record_event(
        Actor.cli("before-upgrade"), "consent:offres_semi:grant", ObjectRef("people.person", "x")
    )
    client = signed_in(make_staff(Role.PRIVACY_LEAD))
    page = client.get("/backoffice/audit/", secure=True).content.decode()
    assert "offres_semi" not in page
    assert "pour « Nos offres »" in page
    # Filtering on the current action finds the event recorded under the former name.
    found = client.get("/backoffice/audit/?action=consent:offres:grant", secure=True)
    assert "before-upgrade" in found.content.decode()
