"""A pg_dump of the main database holds no person's e-mail or name in clear (R30)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.db import connection

from vigie.audit.actor import Actor
from vigie.people.services import create_person

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL"),
]


def test_a_pg_dump_greps_clean() -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump (postgresql-client) is not installed")
    for n in range(3):
        create_person(
            Actor.cli("test"),
            email=f"mathilde.garnier{n}@exemple.fr",
            first_name="Mathilde",
            last_name=f"Garnier{n}",
            phone=f"+33 4 42 00 00 0{n}",
        )
    params = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            params["HOST"] or "127.0.0.1",
            "-p",
            str(params["PORT"] or 5432),
            "-U",
            params["USER"],
            params["NAME"],
        ],
        capture_output=True,
        check=True,
    ).stdout
    assert b"people_person" in dump  # the table is in the dump …
    for clear in (b"mathilde", b"Mathilde", b"Garnier", b"exemple.fr", b"42 00 00"):
        assert clear not in dump  # … but none of its people in clear
