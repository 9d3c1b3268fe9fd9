"""The installed `vigie` command, in its own process, on a SQLite file: what a user runs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def vigie(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env.update(
        {
            "VIGIE_VAR_DIR": str(tmp_path),
            "VIGIE_DATABASE_URL": f"sqlite:///{tmp_path / 'vigie.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "vigie.settings",
        }
    )

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vigie", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )

    run.db = tmp_path / "vigie.sqlite3"  # type: ignore[attr-defined]
    run.var = tmp_path  # type: ignore[attr-defined]
    return run


def test_demo_setup_is_idempotent_and_verify_catches_tampering(vigie) -> None:
    first = vigie("demo", "--no-serve")
    assert first.returncode == 0, first.stderr
    assert "login demo-admin" in first.stdout and "TOTP" in first.stdout
    second = vigie("demo", "--no-serve")
    assert second.returncode == 0
    # The same logins are printed again: the data is reused, not recreated.
    assert first.stdout == second.stdout

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
