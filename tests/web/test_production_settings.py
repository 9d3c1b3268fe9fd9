"""With production settings, `check --deploy` prints no warning (issue 2, item 4)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import run_vigie


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_vigie(*args, env=env)


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    # Production keeps the key store (and the audit anchor) on a database server; with
    # both databases as SQLite files check --deploy warns (tests/audit/test_deploy_checks.py).
    result = _run(
        {
            "VIGIE_VAR_DIR": str(tmp_path),
            "VIGIE_ALLOWED_HOSTS": "rgpd.semi-informatique.com",
            "VIGIE_KEYS_DATABASE_URL": "postgres://vigie_app@127.0.0.1:5432/vigie_keys",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_secret_key_is_generated_once_into_var(tmp_path: Path) -> None:
    _run({"VIGIE_VAR_DIR": str(tmp_path)}, "check")
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first.strip()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    _run({"VIGIE_VAR_DIR": str(tmp_path)}, "check")
    assert key_file.read_text() == first


def test_a_bad_setting_value_is_a_clear_error(tmp_path: Path) -> None:
    result = _run({"VIGIE_VAR_DIR": str(tmp_path), "VIGIE_DEBUG": "maybe"}, "check")
    assert result.returncode != 0
    assert "VIGIE_DEBUG='maybe'" in result.stderr
    assert "Traceback" not in result.stderr
