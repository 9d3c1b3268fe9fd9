"""The SQLite files hold no person's e-mail or name in clear (R30), checked on disk."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_vigie

SCRIPT = """
from vigie.audit.actor import Actor
from vigie.people.services import create_person
for n in range(3):
    create_person(Actor.cli("test"), email=f"camille.rousseau{n}@exemple.fr",
                  first_name="Camille", last_name=f"Rousseau{n}")
"""


def test_the_database_file_has_no_clear_email_or_name(tmp_path: Path) -> None:
    env = {"VIGIE_VAR_DIR": str(tmp_path)}
    assert run_vigie("migrate", env=env).returncode == 0
    assert run_vigie("migrate", "--database", "keys", env=env).returncode == 0
    result = run_vigie("shell", "-c", SCRIPT, env=env)
    assert result.returncode == 0, result.stderr
    for name in ("vigie.sqlite3", "keys.sqlite3"):
        for path in tmp_path.glob(name + "*"):  # the file and its WAL
            content = path.read_bytes()
            for clear in (b"camille", b"Camille", b"Rousseau", b"exemple.fr"):
                assert clear not in content, (path.name, clear)
    count = run_vigie(
        "shell",
        "-c",
        "from vigie.people.models import Person; print(Person.objects.count())",
        env=env,
    )
    assert count.stdout.strip().splitlines()[-1] == "3"
