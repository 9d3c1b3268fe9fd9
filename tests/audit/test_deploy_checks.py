"""`vigie check --deploy` warns when the audit log's anchor is within reach of whoever
can write the log itself (issue 11, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import run_vigie
from vigie.audit.checks import anchor_warnings, check_application_role


def test_it_warns_when_the_log_and_its_anchor_are_both_sqlite_files(tmp_path: Path) -> None:
    done = run_vigie(
        "check",
        "--deploy",
        env={
            "VIGIE_VAR_DIR": str(tmp_path),
            "VIGIE_DATABASE_URL": f"sqlite:///{tmp_path / 'vigie.sqlite3'}",
        },
    )
    assert "vigie.audit.W002" in done.stderr + done.stdout


MAIN_SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/vigie/var/vigie.sqlite3"}


def test_it_warns_when_the_key_store_is_the_main_database() -> None:
    assert [w.id for w in anchor_warnings(MAIN_SQLITE, dict(MAIN_SQLITE))] == ["vigie.audit.W001"]


def test_no_warning_when_the_key_store_is_a_server_database() -> None:
    keys = {"ENGINE": "django.db.backends.postgresql", "NAME": "vigie_keys", "HOST": "127.0.0.1"}
    assert anchor_warnings(MAIN_SQLITE, keys) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
@pytest.mark.django_db
def test_it_warns_when_vigie_connects_as_the_owner_of_the_audit_tables() -> None:
    # The test suite connects as the owner (a superuser): exactly what production must not.
    assert [w.id for w in check_application_role(databases=["default"])] == ["vigie.audit.W003"]
    assert check_application_role(databases=None) == []
