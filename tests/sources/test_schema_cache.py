"""Reflected schemas are kept across calls on a registered source, never stale (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from django.utils import timezone

from tests.sources.helpdesk import HELPDESK_MANIFEST, ROOT, seed_helpdesk
from vigie.register.services import load_file
from vigie.sources.models import Source
from vigie.sources.services import check_sources, load_source, register_source
from vigie.sources.sql_schema import SchemaView
from vigie.sources.types import Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ALICE = Subject(email=["alice.martin@example.fr"])
#: The manifest of a later version of the helpdesk: users gained a phone column.
WITH_PHONE = HELPDESK_MANIFEST.replace(
    "      date_mod: not_personal\n",
    '      date_mod: not_personal\n      phone: {category: identity-contact, erase: "null"}\n',
    1,
)


@pytest.fixture
def registered(cli_actor, tmp_path: Path, monkeypatch) -> sa.Engine:
    """The helpdesk registered, its database seeded; the SQLite file's engine."""
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")
    url = f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", url)
    engine = sa.create_engine(url)
    seed_helpdesk(engine)
    register_source(cli_actor, HELPDESK_MANIFEST)
    return engine


@pytest.fixture
def reflected(monkeypatch) -> list[str]:
    """The names of the tables reflected from now on."""
    names: list[str] = []
    original = SchemaView._reflect

    def spy(self: SchemaView, name: str) -> sa.Table:
        names.append(name)
        return original(self, name)

    monkeypatch.setattr(SchemaView, "_reflect", spy)
    return names


def find(subject: Subject = ALICE) -> dict[str, int]:
    with load_source("helpdesk") as source:
        return source.find(subject).table_counts


def test_a_second_call_on_a_registered_source_reflects_nothing(registered, reflected) -> None:
    first = find()
    assert first["followups"] == 7 and "users" in reflected
    reflected.clear()
    assert find() == first
    with load_source("helpdesk") as source:
        source.erase(Subject(email=["bob@example.fr"]))
    assert reflected == []


def test_a_new_manifest_for_an_upgraded_database_is_reflected_again(
    registered, reflected, cli_actor
) -> None:
    find()
    with registered.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN phone VARCHAR(20)"))
        conn.execute(sa.text("UPDATE users SET phone = '0601020304' WHERE id = 1"))
    register_source(cli_actor, WITH_PHONE)
    reflected.clear()
    with load_source("helpdesk") as source:
        users = [r for r in source.find(ALICE).rows if r.table == "users"]
    assert "users" in reflected
    assert users[0].values["phone"] == "0601020304"


def test_another_url_is_reflected_again(registered, reflected, tmp_path, monkeypatch) -> None:
    find()
    other = tmp_path / "moved.sqlite3"
    engine = sa.create_engine(f"sqlite:///{other}")
    seed_helpdesk(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM followups"))
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", f"sqlite:///{other}")
    reflected.clear()
    assert "followups" not in find()
    assert "users" in reflected


def test_a_sources_check_makes_the_next_call_reflect_again(registered, reflected) -> None:
    from vigie.audit.actor import Actor

    find()
    reflected.clear()
    check_sources(Actor.cli("test"))
    find()
    assert "users" in reflected


def test_a_check_stored_by_another_process_is_seen_too(registered, reflected) -> None:
    # Another process (the CLI) ran the check: only its stored time tells this one.
    find()
    with load_source("helpdesk") as source:
        before = source.cache_key
    Source.objects.update(last_check_at=timezone.now())
    reflected.clear()
    with load_source("helpdesk") as source:
        assert source.cache_key != before
        source.find(ALICE)
    assert "users" in reflected


def test_the_cache_key_names_no_url(registered) -> None:
    with load_source("helpdesk") as source:
        key = source.cache_key
    assert key is not None and "sqlite" not in repr(key) and "helpdesk.sqlite3" not in repr(key)


def test_a_database_error_drops_the_cached_schema(registered, reflected) -> None:
    from vigie.sources.sql_schema import SourceError

    find()
    with registered.begin() as conn:
        conn.execute(sa.text("ALTER TABLE followups RENAME TO followups_old"))
    with pytest.raises(SourceError):
        find()
    with registered.begin() as conn:
        conn.execute(sa.text("ALTER TABLE followups_old RENAME TO followups"))
    reflected.clear()
    assert find()["followups"] == 7
    assert "followups" in reflected
