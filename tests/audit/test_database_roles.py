"""On PostgreSQL the application runs as a role that owns nothing: it cannot switch off
the append-only triggers, drop the audit tables, or change or delete audit rows, while
its ordinary work goes on (R29; issue 11, item 1a). The set-up is the one
docs/deployment.md tells the operator to do: migrate as the owner, then `vigie grants`.

Skipped on SQLite (no roles); in CI, where VIGIE_TEST_DATABASE_URL is PostgreSQL, it runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import STRONG_PASSWORD, run_vigie

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)

REFUSED_IN_MAIN = [
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "ALTER TABLE audit_event DISABLE TRIGGER USER",
    "ALTER TABLE audit_checkpoint DISABLE TRIGGER USER",
    "ALTER TABLE audit_chainhead DISABLE TRIGGER USER",
    "DROP TABLE audit_event CASCADE",
    "DROP TABLE audit_chainhead CASCADE",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    "DELETE FROM audit_event",
    "DELETE FROM audit_checkpoint",
    "DELETE FROM audit_chainhead",
    "UPDATE audit_event SET action = 'forged'",
    "UPDATE audit_checkpoint SET seq = 0",
    "TRUNCATE audit_event, audit_chainhead, audit_checkpoint",
    "CREATE OR REPLACE FUNCTION vigie_audit_append_only() RETURNS trigger "
    "AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
]
REFUSED_IN_KEYS = [
    "ALTER TABLE audit_anchor DISABLE TRIGGER USER",
    "DROP TABLE audit_anchor",
    "DELETE FROM audit_anchor",
    "UPDATE audit_anchor SET seq = 0",
    "TRUNCATE audit_anchor",
]


@pytest.fixture
def server() -> Iterator[dict[str, Any]]:
    """An owner role and an application role with unique names, and the owner's two
    databases (main and key store), all dropped afterwards."""
    import psycopg

    main = settings.DATABASES["default"]
    host, port = main["HOST"] or "127.0.0.1", main["PORT"] or 5432
    suffix = secrets.token_hex(4)
    names = {
        "owner": f"vigie_owner_{suffix}",
        "app": f"vigie_app_{suffix}",
        "main": f"vigie_roles_{suffix}",
        "keys": f"vigie_roles_{suffix}_keys",
    }
    admin = psycopg.connect(
        host=host, port=port, user=main["USER"], dbname="postgres", autocommit=True
    )
    try:
        admin.execute(f'CREATE ROLE "{names["owner"]}" LOGIN')
        admin.execute(f'CREATE ROLE "{names["app"]}" LOGIN')
        for db in ("main", "keys"):
            admin.execute(f'CREATE DATABASE "{names[db]}" OWNER "{names["owner"]}"')
        yield {
            **names,
            "url": lambda role, db: f"postgres://{names[role]}@{host}:{port}/{names[db]}",
            "connect": lambda role, db: psycopg.connect(
                host=host, port=port, user=names[role], dbname=names[db], autocommit=True
            ),
        }
    finally:
        for db in ("main", "keys"):
            admin.execute(f'DROP DATABASE IF EXISTS "{names[db]}" WITH (FORCE)')
        for role in ("app", "owner"):
            admin.execute(f'DROP ROLE IF EXISTS "{names[role]}"')
        admin.close()


def test_the_application_role_cannot_alter_or_empty_the_audit_log(
    server: dict[str, Any], tmp_path: Path
) -> None:
    import psycopg

    def env(role: str) -> dict[str, str]:
        return {
            "VIGIE_VAR_DIR": str(tmp_path),
            "VIGIE_SECRET_KEY": "roles-test-" + "x" * 40,
            "VIGIE_AUDIT_KEY": "roles-test-audit-key",
            "VIGIE_INDEX_KEY": "roles-test-index-key",
            "VIGIE_DATABASE_URL": server["url"](role, "main"),
            "VIGIE_KEYS_DATABASE_URL": server["url"](role, "keys"),
        }

    # The operator's steps (docs/deployment.md): migrate and grant as the owner.
    for args in (
        ("migrate",),
        ("migrate", "--database", "keys"),
        ("grants", server["app"]),
        ("grants", server["app"], "--database", "keys"),
    ):
        done = run_vigie(*args, env=env("owner"))
        assert done.returncode == 0, (args, done.stderr)

    # The application's own work goes on: an account (its rows and audit event), the
    # verification (which appends and moves the anchor), the retention purge.
    as_app = env("app")
    created = run_vigie(
        "createstaff",
        "claire",
        "--email",
        "claire@example.com",
        "--password-stdin",
        env=as_app,
        stdin=STRONG_PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    verified = run_vigie("audit", "verify", env=as_app)
    assert verified.returncode == 0, verified.stderr
    assert "anchored in the key store: change" in verified.stdout
    assert run_vigie("audit", "purge", env=as_app).returncode == 0, "purge as the app role"

    with server["connect"]("app", "main") as db:
        db.execute("UPDATE accounts_user SET first_name = 'Claire' WHERE username = 'claire'")
        for sql in REFUSED_IN_MAIN:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(sql)
        events = db.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    with server["connect"]("app", "keys") as db:
        for sql in REFUSED_IN_KEYS:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(sql)
    assert events >= 2
    assert run_vigie("audit", "verify", env=as_app).returncode == 0


def test_grants_refuse_the_owner_itself_and_sqlite(server: dict[str, Any], tmp_path: Path) -> None:
    env = {
        "VIGIE_VAR_DIR": str(tmp_path),
        "VIGIE_DATABASE_URL": server["url"]("owner", "main"),
        "VIGIE_KEYS_DATABASE_URL": server["url"]("owner", "keys"),
    }
    refused = run_vigie("grants", server["owner"], env=env)
    assert refused.returncode != 0
    assert "the role running this command" in refused.stderr
    on_sqlite = run_vigie(
        "grants",
        server["app"],
        env={"VIGIE_VAR_DIR": str(tmp_path), "VIGIE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
    )
    assert on_sqlite.returncode != 0 and "PostgreSQL" in on_sqlite.stderr
