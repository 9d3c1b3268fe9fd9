"""Everything Vigie creates under var/ is readable by its own account only: files 0600,
directories 0700, the SQLite databases included (issue 11, item 7)."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.conftest import run_vigie


def _modes(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root.parent)): stat.S_IMODE(path.stat().st_mode)
        for path in [root, *root.rglob("*")]
    }


def test_databases_keys_and_directories_under_var_are_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {"VIGIE_VAR_DIR": str(var), "VIGIE_DATABASE_URL": f"sqlite:///{var / 'vigie.sqlite3'}"}
    for args in (("migrate",), ("migrate", "--database", "keys"), ("audit", "verify")):
        done = run_vigie(*args, env=env)
        assert done.returncode == 0, done.stderr
    modes = _modes(var)
    for name in ("vigie.sqlite3", "keys.sqlite3", "secret_key", "audit_key", "index_key"):
        assert f"var/{name}" in modes
    opened = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert not opened
    assert modes["var"] == 0o700
    assert modes["var/vigie.sqlite3"] == 0o600


def test_an_older_installation_is_closed_at_start_up(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    old = var / "vigie.sqlite3"
    old.write_bytes(b"")
    old.chmod(0o644)
    done = run_vigie(
        "check", env={"VIGIE_VAR_DIR": str(var), "VIGIE_DATABASE_URL": f"sqlite:///{old}"}
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
