"""Back-office: the data map (R4) and where one person's data is (Art. 15, R51)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from django.utils import translation

from tests.sources.helpdesk import HELPDESK_MANIFEST, ROOT, seed_helpdesk
from vigie.audit.models import Event
from vigie.people.services import create_person, shred_person
from vigie.register.services import load_file
from vigie.sources.services import check_sources, register_source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def helpdesk(cli_actor, tmp_path: Path, monkeypatch) -> None:
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")
    url = f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", url)
    seed_helpdesk(sa.create_engine(url))
    register_source(cli_actor, HELPDESK_MANIFEST)


def test_the_data_map_shows_tables_categories_retention_and_the_last_check(
    signed_in, privacy_lead, helpdesk, cli_actor
) -> None:
    client = signed_in(privacy_lead)
    page = client.get("/backoffice/sources/")
    assert page.status_code == 200
    assert "Assistance (test)" in page.text
    # A manifest without table labels still loads: the table is named by its name.
    assert '<small class="tech">useremails</small>' in page.text
    assert "Comptes et habilitations du personnel" in page.text  # a category, in French
    assert "jamais lancé" in page.text
    check_sources(cli_actor)
    page = client.get("/backoffice/sources/")
    assert "aucun problème" in page.text


def test_a_failed_check_lists_its_problems_on_the_data_map(
    signed_in, auditor, helpdesk, cli_actor, monkeypatch, tmp_path
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN birthday VARCHAR(10)"))
    check_sources(cli_actor)
    page = signed_in(auditor).get("/backoffice/sources/")
    assert page.status_code == 200
    assert "tables.users.columns.birthday" in page.text


def test_a_stored_problem_reads_in_the_language_of_whoever_opens_the_data_map(
    signed_in, auditor, helpdesk, cli_actor, tmp_path
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN birthday VARCHAR(10)"))
    with translation.override("en"):  # the check ran in English (a CLI with LANG=en)
        check_sources(cli_actor)
    client = signed_in(auditor)
    page = client.get("/backoffice/sources/")
    assert (
        '<small class="tech">tables.users.columns.birthday</small> : '
        "dans la base mais pas dans le manifeste"
    ) in page.text
    assert "in the database but not in the manifest" not in page.text
    page = client.get("/backoffice/sources/?lang=en")
    assert "tables.users.columns.birthday</small> : in the database but not in the manifest" in (
        page.text
    )


def test_a_persons_page_shows_where_their_data_is_and_journals_the_search(
    signed_in, privacy_lead, helpdesk, cli_actor
) -> None:
    person = create_person(cli_actor, email="alice.martin@example.fr", first_name="Alice")
    page = signed_in(privacy_lead).get(f"/backoffice/sources/people/{person.pk}/")
    assert page.status_code == 200
    assert '<small class="tech">followups</small>' in page.text and "<td>7</td>" in page.text
    # Vigie's own tables by their label, the technical name in small print.
    assert 'Personnes <small class="tech">people.person</small>' in page.text
    # Sources by their label; rows are counted once even when they hold several
    # categories (users: two).
    assert "Assistance (test) — 16 lignes" in page.text
    views = set(
        Event.objects.filter(action="personal_data:read").values_list("extra__view", flat=True)
    )
    assert {"sources:person", "sources.find_subject"} <= views


def test_an_erased_persons_page_searches_nothing(
    signed_in, privacy_lead, helpdesk, cli_actor
) -> None:
    person = create_person(cli_actor, email="alice.martin@example.fr")
    shred_person(cli_actor, person)
    page = signed_in(privacy_lead).get(f"/backoffice/sources/people/{person.pk}/")
    assert page.status_code == 200
    assert not Event.objects.filter(extra__view="sources.find_subject").exists()


def test_an_unreachable_source_is_said_and_nothing_partial_is_shown(
    signed_in, privacy_lead, helpdesk, cli_actor, monkeypatch
) -> None:
    monkeypatch.delenv("VIGIE_TEST_SOURCE_HELPDESK_URL")
    person = create_person(cli_actor, email="alice.martin@example.fr")
    page = signed_in(privacy_lead).get(f"/backoffice/sources/people/{person.pk}/")
    assert page.status_code == 503
    assert "VIGIE_TEST_SOURCE_HELPDESK_URL" in page.text
    assert "<code>people.person</code>" not in page.text


@pytest.mark.parametrize("persona", ["outsider", "technician"])
def test_others_are_refused_on_the_data_pages(signed_in, request, persona, cli_actor) -> None:
    person = create_person(cli_actor, email="x@example.fr")
    client = signed_in(request.getfixturevalue(persona))
    assert client.get("/backoffice/sources/").status_code == 403
    assert client.get(f"/backoffice/sources/people/{person.pk}/").status_code == 403
    assert not Event.objects.filter(action="personal_data:read").exists()


def test_an_auditor_sees_the_data_map_but_not_a_persons_data(
    signed_in, auditor, helpdesk, cli_actor
) -> None:
    person = create_person(cli_actor, email="alice.martin@example.fr", first_name="Alicette")
    client = signed_in(auditor)
    assert client.get("/backoffice/sources/").status_code == 200
    page = client.get(f"/backoffice/sources/people/{person.pk}/")
    assert page.status_code == 403
    assert "Alicette" not in page.text
    assert not Event.objects.filter(action="personal_data:read").exists()
