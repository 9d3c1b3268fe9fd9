"""`vigie grants` on a database it cannot reach: a clear message, not a traceback."""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.conftest import run_vigie


def test_grants_on_a_database_that_cannot_be_reached_says_so(tmp_path: Path) -> None:
    """A mistyped database name (found trying the demo) printed Django's traceback."""
    missing = f"vigie_no_such_database_{secrets.token_hex(4)}"
    done = run_vigie(
        "grants",
        "vigie_app",
        "--print",
        env={
            "VIGIE_VAR_DIR": str(tmp_path),
            "VIGIE_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{missing}",
        },
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "CommandError: cannot connect to the database (default)" in done.stderr
