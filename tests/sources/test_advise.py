"""Issue 12, item 7: `vigie sources advise` suggests the indexes the links need.

On the mini helpdesk (no index but primary keys), every lookup of the links is a
scan: each is suggested with its cost measured on the database now; once an index
serves it, it is no longer suggested; nothing is ever created by Vigie.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from django.core.management import call_command

from tests.sources.helpdesk import HELPDESK_MANIFEST, ROOT, helpdesk_manifest, seed_helpdesk
from vigie.register.services import load_file
from vigie.sources.advise import advise
from vigie.sources.services import register_source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def indexes(engine: sa.Engine) -> dict[str, list]:
    inspector = sa.inspect(engine)
    return {t: inspector.get_indexes(t) for t in inspector.get_table_names()}


def test_advise_suggests_an_index_per_unserved_link_with_its_cost_and_creates_none(
    database_url,
) -> None:
    engine = sa.create_engine(database_url)
    seed_helpdesk(engine)
    before = indexes(engine)
    advice = {(a.lookup.table, a.lookup.column): a for a in advise(helpdesk_manifest(), engine)}
    assert indexes(engine) == before, "advise created nothing"
    # The links' columns (the primary keys serve `users.id`, `tickets.id`).
    assert {
        ("useremails", "users_id"),
        ("tickets_users", "users_id"),
        ("tickets", "users_id_recipient"),
        ("followups", "users_id"),
    } <= set(advice)
    assert ("users", "id") not in advice and ("tickets", "id") not in advice
    followups = advice[("followups", "users_id")]
    assert followups.statement.startswith("CREATE INDEX")
    assert "followups (itemtype, users_id)" in followups.statement
    assert followups.scans is True and followups.probe_ms is not None and followups.rows == 10
    # The address is compared trimmed and lower-cased: an expression index, where one exists.
    email = advice[("useremails", "email")]
    if engine.dialect.name == "mysql":
        assert email.statement == "" and "generated column" in email.note
    else:
        assert "lower(trim(email))" in email.statement

    with engine.begin() as conn:
        conn.execute(sa.text("CREATE INDEX fu_item_user ON followups (itemtype, users_id)"))
    again = {(a.lookup.table, a.lookup.column) for a in advise(helpdesk_manifest(), engine)}
    assert ("followups", "users_id") not in again
    assert ("tickets_users", "users_id") in again
    engine.dispose()


def test_the_command_prints_each_suggestion_per_source(cli_actor, tmp_path, monkeypatch) -> None:
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")
    url = f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", url)
    seed_helpdesk(sa.create_engine(url))
    register_source(cli_actor, HELPDESK_MANIFEST)
    out = io.StringIO()
    call_command("sources", "advise", stdout=out)
    text = out.getvalue()
    assert "helpdesk\ttickets_users.users_id\ttables.tickets.links.0.through\t" in text
    assert "CREATE INDEX vigie_idx_tickets_users_users_id ON tickets_users (type, users_id)" in text
    assert "full scan" in text and "Vigie creates no index" in text
