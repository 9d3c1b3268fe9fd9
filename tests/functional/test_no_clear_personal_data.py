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


SHRED = """
from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.services import shred_person
shred_person(Actor.cli("test"), Person.objects.order_by("created_at")[1])
"""

READ_ALL = """
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, open_person
for person in Person.objects.order_by("created_at"):
    try:
        print("READ", open_person(person).last_name)
    except PersonUnavailable:
        print("GONE")
"""


def test_a_copy_taken_before_shredding_no_longer_opens_that_person(tmp_path: Path) -> None:
    env = {"VIGIE_VAR_DIR": str(tmp_path)}
    for args in (("migrate",), ("migrate", "--database", "keys"), ("shell", "-c", SCRIPT)):
        assert run_vigie(*args, env=env).returncode == 0
    backup = tmp_path / "backup.sqlite3"
    vacuum = (
        f"from django.db import connection; connection.cursor().execute(\"VACUUM INTO '{backup}'\")"
    )
    copy = run_vigie("shell", "-c", vacuum, env=env)
    assert copy.returncode == 0, copy.stderr
    assert run_vigie("shell", "-c", SHRED, env=env).returncode == 0
    # The old copy of the main database, read with today's key store.
    old = run_vigie(
        "shell", "-c", READ_ALL, env={**env, "VIGIE_DATABASE_URL": f"sqlite:///{backup}"}
    )
    lines = [line for line in old.stdout.splitlines() if line.startswith(("READ", "GONE"))]
    assert lines == ["READ Rousseau0", "GONE", "READ Rousseau2"], old.stdout + old.stderr
