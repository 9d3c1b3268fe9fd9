"""The R4 inventory check: every column mapped, every personal table with a rule."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import yaml
from django.utils import translation

from tests.sources.helpdesk import (
    HELPDESK_MANIFEST,
    helpdesk_manifest,
    policy_rules,
    seed_helpdesk,
)
from vigie.sources.inventory import check_manifest
from vigie.sources.manifest import parse_manifest


def problems(report) -> list[str]:
    """The problems as printed, in English (the source texts) whatever test ran before."""
    with translation.override("en"):
        return [str(p) for p in report.problems]


def test_a_problem_reads_in_french_for_a_french_reader_and_keeps_its_english_message(
    database_url,
) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN birth_date DATE"))
    report = check_manifest(helpdesk_manifest(), policy_rules(), url=database_url)
    engine.dispose()
    (problem,) = report.problems
    with translation.override("fr"):
        assert str(problem) == (
            "tables.users.columns.birth_date: dans la base mais pas dans le manifeste"
        )
    # The JSON report (stored, served by the API) keeps the English text and the source
    # string with its values, to be shown later in the reader's language.
    assert report.as_json()["problems"][0]["message"] == "in the database but not in the manifest"


def test_a_database_its_manifest_fully_describes_passes_with_a_summary(database_url) -> None:
    seed_helpdesk(sa.create_engine(database_url))
    report = check_manifest(helpdesk_manifest(), policy_rules(), url=database_url)
    assert report.ok, problems(report)
    assert (report.tables, report.personal_columns) == (5, 12)


def test_a_new_column_no_manifest_maps_fails_the_check_naming_it(database_url) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN birth_date DATE"))
        conn.execute(sa.text("CREATE TABLE contacts (id INTEGER PRIMARY KEY, phone VARCHAR(20))"))
        conn.execute(sa.text("CREATE TABLE crontasks_log (id INTEGER PRIMARY KEY)"))
    report = check_manifest(helpdesk_manifest(), policy_rules(), url=database_url)
    assert problems(report) == [
        "tables.contacts.columns.id: in the database but in no manifest (table not described)",
        "tables.contacts.columns.phone: in the database but in no manifest (table not described)",
        "tables.users.columns.birth_date: in the database but not in the manifest",
    ]
    engine.dispose()


def test_mapped_columns_and_tables_missing_from_the_database_are_reported(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    seed_helpdesk(sa.create_engine(url))
    doc = yaml.safe_load(HELPDESK_MANIFEST)
    doc["tables"]["users"]["columns"]["nickname"] = {
        "category": "identity-contact",
        "erase": "null",
    }
    doc["tables"]["users"]["retention"]["start"] = "last_login"
    doc["tables"]["assets"] = {
        "links": [{"identity": "user", "column": "users_id"}],
        "retention": {"category": "hotline-tickets", "start": "date"},
        "columns": {"users_id": {"category": "hotline-tickets", "erase": "null"}},
    }
    manifest = parse_manifest(yaml.safe_dump(doc))
    assert sorted(problems(check_manifest(manifest, policy_rules(), url=url))) == [
        "tables.assets: described but not in the database",
        "tables.users.columns.nickname: in the manifest but not in the database",
        "tables.users.retention.start: users.last_login is not in the database",
    ]


def test_unknown_categories_and_personal_tables_without_a_rule_are_reported(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    seed_helpdesk(sa.create_engine(url))
    doc = yaml.safe_load(HELPDESK_MANIFEST)
    doc["tables"]["followups"].pop("retention")
    doc["tables"]["users"]["columns"]["realname"]["category"] = "hobbies"
    rules = policy_rules()
    manifest = parse_manifest(yaml.safe_dump(doc))
    assert sorted(problems(check_manifest(manifest, rules, url=url))) == [
        "tables.followups.retention: personal columns but no retention rule (R12)",
        "tables.users.columns.realname.category: 'hobbies' is not a category of the register",
    ]


def test_an_unreachable_database_is_a_problem_not_a_traceback(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("VIGIE_TEST_SOURCE_HELPDESK_URL", raising=False)
    report = check_manifest(helpdesk_manifest(), policy_rules())
    assert problems(report) == [
        "connection: connection.url_env: the environment variable "
        "VIGIE_TEST_SOURCE_HELPDESK_URL is not set"
    ]
    bad = check_manifest(
        helpdesk_manifest(), policy_rules(), url="mysql+pymysql://nobody@127.0.0.1:1/x"
    )
    assert bad.problems[0].kind == "connection"
    assert "cannot reach the database" in bad.problems[0].message


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://x"])
def test_a_malformed_url_is_reported_without_its_text(url) -> None:
    report = check_manifest(helpdesk_manifest(), policy_rules(), url=url)
    assert report.problems[0].kind == "connection"
    assert url not in str(report.problems[0])
