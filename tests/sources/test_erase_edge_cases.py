"""Erasure edge cases found in review: deleting tables, partial keeps, shared addresses,
unusable URLs and partial runs (Art. 17, R53)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.sources.helpdesk import (
    ALICE,
    HELPDESK_MANIFEST,
    ROOT,
    policy_categories,
    policy_rules,
    seed_helpdesk,
)
from vigie.audit.models import Event
from vigie.people.services import create_person
from vigie.register.services import load_file
from vigie.sources.builtin import BuiltinSource
from vigie.sources.manifest import parse_manifest
from vigie.sources.services import erase_subject, register_source
from vigie.sources.sql import SqlSource
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import Keep, Subject

ALICE_BY_EMAIL = Subject(email=["alice.martin@example.fr"])


def _source(url: str, text: str) -> SqlSource:
    manifest = parse_manifest(text, categories=policy_categories())
    return SqlSource(manifest, url=url, rules=policy_rules())


def _emails(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT id FROM useremails ORDER BY id"))]


@pytest.mark.django_db
def test_a_deleting_table_deletes_linked_rows_whose_other_columns_are_already_empty(
    database_url,
) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE useremails SET email = NULL WHERE id = 2"))
    text = HELPDESK_MANIFEST.replace(
        "      email: {category: identity-contact, erase: delete_row}",
        '      email: {category: identity-contact, erase: "null"}',
    )
    assert text != HELPDESK_MANIFEST
    with _source(database_url, text) as source:
        source.erase(ALICE_BY_EMAIL)
    assert _emails(engine) == [3, 4]


@pytest.mark.django_db
def test_keeping_one_category_of_a_deleting_table_nulls_the_other_categories(
    database_url,
) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    text = HELPDESK_MANIFEST.replace(
        "      users_id: {category: identity-contact, erase: delete_row}",
        "      users_id: {category: staff-accounts, erase: delete_row}",
    )
    assert text != HELPDESK_MANIFEST
    plan = {"staff-accounts": Keep("contentieux en cours", dt.date(2031, 1, 1))}
    with _source(database_url, text) as source:
        source.erase(ALICE_BY_EMAIL, plan)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, users_id, email FROM useremails WHERE users_id = :u"), {"u": ALICE}
        ).all()
    # Alice's two rows stay (kept), but not her addresses.
    assert sorted((r[0], r[2]) for r in rows) == [(1, None), (2, None)]


@pytest.mark.django_db(databases=["default", "keys"])
def test_vigies_store_erases_every_person_sharing_the_address(cli_actor) -> None:
    first = create_person(cli_actor, email="dup@example.fr")
    second = create_person(cli_actor, email="DUP@example.fr")
    subject = Subject(email=["dup@example.fr"])
    assert {row.key for row in BuiltinSource(cli_actor).find(subject).rows} >= {
        str(first.pk),
        str(second.pk),
    }
    BuiltinSource(cli_actor).erase(subject)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.shredded_at is not None and second.shredded_at is not None


@pytest.mark.django_db
def test_an_unusable_url_is_a_clear_error_naming_no_password() -> None:
    bad = "mysql+pymysql://u:s3cret@127.0.0.1:abc/db"
    with _source(bad, HELPDESK_MANIFEST) as source, pytest.raises(SourceError) as error:
        source.find(ALICE_BY_EMAIL)
    assert "not usable" in str(error.value) and "s3cret" not in str(error.value)


@pytest.mark.django_db(databases=["default", "keys"])
def test_an_erasure_stopped_by_an_unreachable_source_still_journals_what_was_done(
    cli_actor, tmp_path, monkeypatch
) -> None:
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")
    url = f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", url)
    seed_helpdesk(sa.create_engine(url))
    register_source(cli_actor, HELPDESK_MANIFEST)
    # A second source, registered but unreachable (its variable is not set).
    register_source(
        cli_actor,
        HELPDESK_MANIFEST.replace("source: helpdesk", "source: zz_helpdesk_copy").replace(
            "VIGIE_TEST_SOURCE_HELPDESK_URL", "VIGIE_TEST_SOURCE_MISSING_URL"
        ),
    )
    with pytest.raises(Exception, match="VIGIE_TEST_SOURCE_MISSING_URL"):
        erase_subject(cli_actor, ALICE_BY_EMAIL)
    event = Event.objects.get(action="sources:subject:erase")
    assert event.extra["failed"]["source"] == "zz_helpdesk_copy"
    assert event.extra["sources"]["helpdesk"]["useremails"][0] == 2
    assert _emails(sa.create_engine(url)) == [3, 4]
