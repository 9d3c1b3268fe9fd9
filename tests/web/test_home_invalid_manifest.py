"""The back-office home lists a source whose stored manifest no longer validates (one
stored before an upgrade of the format) as invalid, instead of failing."""

from __future__ import annotations

import pytest

from vigie.accounts.permissions import Role
from vigie.sources.models import Source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_home_page_survives_a_stored_manifest_that_no_longer_validates(
    make_staff, signed_in
) -> None:
    Source.objects.create(name="ancien", manifest="source: ancien\nversion: 0\n")
    client = signed_in(make_staff(Role.PRIVACY_LEAD))
    client.raise_request_exception = False
    assert client.get("/backoffice/sources/", secure=True).status_code == 200  # the map copes
    response = client.get("/backoffice/", secure=True)
    assert response.status_code == 200
    assert "ancien" in response.content.decode()
