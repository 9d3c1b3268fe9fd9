"""The installed `vigie` command, in its own process, on a SQLite file: what a user runs."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_vigie


@pytest.fixture
def vigie(tmp_path: Path):
    env = {
        "VIGIE_VAR_DIR": str(tmp_path),
        "VIGIE_DATABASE_URL": f"sqlite:///{tmp_path / 'vigie.sqlite3'}",
    }

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return run_vigie(*args, env=env, stdin=stdin)

    run.db = tmp_path / "vigie.sqlite3"  # type: ignore[attr-defined]
    return run


def test_demo_setup_is_idempotent_and_verify_catches_tampering(vigie) -> None:
    first = vigie("demo", "--no-serve")
    assert first.returncode == 0, first.stderr
    assert "login demo-admin" in first.stdout and "TOTP" in first.stdout
    assert "Register loaded: revision 1." in first.stdout
    assert "Privacy policy v1 published." in first.stdout
    assert "Demo source created and registered: glpi." in first.stdout
    assert "Demo source created and registered: dolibarr." in first.stdout
    # The demo runs the inventory check itself: the data map shows it on first visit.
    assert "Inventory check of glpi: no problem." in first.stdout
    assert "Inventory check of dolibarr: no problem." in first.stdout
    # Rights requests at every point of their clock, for the dashboard.
    assert "Demo rights requests created: 6." in first.stdout
    # DKIM: a key under var/ (mode 0600), made once, and the DNS record to publish.
    key = vigie.db.parent / "dkim-vigie.pem"  # type: ignore[attr-defined]
    assert f"DKIM key created: {key}" in first.stdout
    assert "vigie._domainkey.semi-informatique.com:\n  v=DKIM1; k=rsa; p=" in first.stdout
    assert key.stat().st_mode & 0o777 == 0o600
    # R4: the demo's GLPI and Dolibarr databases pass the inventory check.
    checked = vigie("sources", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "glpi" in checked.stdout and "dolibarr" in checked.stdout
    second = vigie("demo", "--no-serve")
    assert second.returncode == 0
    # The same logins are printed again: the data is reused, not recreated.
    logins = [line for line in first.stdout.splitlines() if "login" in line or "TOTP" in line]
    assert logins == [
        line for line in second.stdout.splitlines() if "login" in line or "TOTP" in line
    ]
    assert "Register loaded" not in second.stdout
    assert f"DKIM key reused: {key}" in second.stdout
    assert "Demo source created" not in second.stdout
    assert "Demo rights requests created" not in second.stdout
    assert "Inventory check" not in second.stdout
    assert "published" not in second.stdout

    ok = vigie("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "events verified" in ok.stdout

    with sqlite3.connect(vigie.db) as connection:
        connection.execute("UPDATE audit_event SET actor_id = 'someone-else' WHERE seq = 1")
    broken = vigie("audit", "verify")
    assert broken.returncode == 1
    assert "event #1 (change chain, seq 1): content does not match its hash" in broken.stderr


def test_bad_input_exits_non_zero_with_a_message(vigie) -> None:
    assert vigie("migrate").returncode == 0
    result = vigie(
        "createstaff", "x", "--email", "x@semi.example", "--role", "chef", "--password-stdin"
    )
    assert result.returncode != 0
    assert "invalid choice: 'chef'" in result.stderr
    assert "Traceback" not in result.stderr
    result = vigie("audit", "frobnicate")
    assert result.returncode != 0
    assert "invalid choice" in result.stderr
