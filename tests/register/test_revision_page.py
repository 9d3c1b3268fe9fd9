"""A register revision says in words which part of the register changed."""

from __future__ import annotations

import pytest

from tests.policy.conftest import register  # noqa: F401 (fixture)
from vigie.accounts.permissions import Role
from vigie.register.models import Revision
from vigie.web.templatetags.vigie_display import register_path

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_revision_page_names_each_changed_section_in_french(
    register,  # noqa: F811 (fixture)
    make_staff,
    signed_in,
) -> None:
    number = Revision.objects.order_by("-number").first().number
    page = (
        signed_in(make_staff(Role.PRIVACY_LEAD))
        .get(f"/backoffice/register/revisions/{number}/", secure=True)
        .content.decode()
    )
    assert "Catégorie de données" in page
    assert "Identité du responsable de traitement" in page


def test_a_path_reads_as_its_section_and_entry() -> None:
    assert register_path("data_categories") == "Catégorie de données"
    assert (
        register_path("data_categories.identity-contact.retention.active_duration")
        == "Catégorie de données « identity-contact »"
    )
