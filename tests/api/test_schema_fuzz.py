"""Schemathesis against the real OpenAPI schema, through the real WSGI application."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from vigie.accounts.permissions import Role
from vigie.accounts.services import create_api_key
from vigie.audit.actor import Actor
from vigie.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# The WSGI handler closes the connection at the end of each request when it is in
# a transaction (Django's test client prevents that; a bare WSGI call does not), so
# these tests run in autocommit mode and the database is flushed afterwards.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "keys"])


@pytest.fixture
def api_token(make_staff) -> str:
    # Every scope the privacy lead's role allows: each operation runs for real.
    owner = make_staff(Role.PRIVACY_LEAD)
    _key, secret = create_api_key(
        Actor.cli("test"), owner, name="fuzz", scopes=[p.value for p in owner.vigie_permissions]
    )
    return secret


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_its_schema(case, api_token) -> None:
    # A 400 for a business rule the schema cannot express (e.g. partner data needs
    # the proof of the partner's permission) is documented, not a schema breach.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_token}"},
        excluded_checks=[positive_data_acceptance],
    )
