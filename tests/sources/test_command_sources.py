"""`vigie sources add|list|check|find`, and the services behind them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.sources.helpdesk import (
    BILLING_MANIFEST,
    HELPDESK_MANIFEST,
    ROOT,
    dump,
    seed_billing,
    seed_helpdesk,
)
from vigie.audit.models import Event
from vigie.people.services import create_person, find_by_email
from vigie.register.services import load_file
from vigie.sources.models import ArchivedRecord, Source
from vigie.sources.services import erase_subject, find_subject, register_source
from vigie.sources.types import Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def register(cli_actor) -> None:
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")


@pytest.fixture
def helpdesk_db(tmp_path: Path, monkeypatch) -> sa.Engine:
    url = f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", url)
    engine = sa.create_engine(url)
    seed_helpdesk(engine)
    return engine


@pytest.fixture
def billing_db(tmp_path: Path, monkeypatch) -> sa.Engine:
    url = f"sqlite:///{tmp_path / 'billing.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_BILLING_URL", url)
    engine = sa.create_engine(url)
    seed_billing(engine)
    return engine


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sources", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, name: str = "manifest.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_add_registers_a_source_and_list_shows_it(register, tmp_path) -> None:
    out, _err = run("add", str(write(tmp_path, HELPDESK_MANIFEST)))
    assert "source helpdesk registered" in out
    assert Source.objects.get().name == "helpdesk"
    assert Event.objects.filter(action="sources:source:register").count() == 1
    out, _err = run("list")
    assert "helpdesk" in out and "never checked" in out


def test_add_refuses_a_bad_manifest_naming_every_path_and_registers_nothing(
    register, tmp_path
) -> None:
    bad = HELPDESK_MANIFEST.replace('erase: "null"}', "erase: wipe}", 1)
    err = io.StringIO()
    with pytest.raises(CommandError, match="error"):
        call_command("sources", "add", str(write(tmp_path, bad)), stderr=err)
    assert "tables.users.columns.realname.erase: 'wipe' is not one of" in err.getvalue()
    assert not Source.objects.exists()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("sources", "add", str(tmp_path / "missing.yaml"), stderr=err)
    assert "missing.yaml: cannot read" in err.getvalue()


def test_add_checks_categories_against_the_register(register, tmp_path) -> None:
    bad = HELPDESK_MANIFEST.replace(
        "category: staff-accounts, erase: hash", "category: hobbies, erase: hash"
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("sources", "add", str(write(tmp_path, bad)), stderr=err)
    assert "tables.users.columns.personal_token.category: 'hobbies'" in err.getvalue()


def test_check_is_clean_then_fails_naming_a_new_column(register, helpdesk_db, tmp_path) -> None:
    run("add", str(write(tmp_path, HELPDESK_MANIFEST)))
    out, _err = run("check")
    assert "checking helpdesk" in out and "helpdesk: 5 table(s)" in out and out.endswith("OK\n")
    assert Source.objects.get().last_check["ok"] is True
    with helpdesk_db.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN birth_date DATE"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("sources", "check", stdout=out)
    assert "tables.users.columns.birth_date: in the database but not in the manifest" in (
        out.getvalue()
    )
    assert Source.objects.get().last_check["ok"] is False


def test_check_of_an_ad_hoc_manifest_reads_its_url_from_the_environment(
    register, helpdesk_db, tmp_path, monkeypatch
) -> None:
    path = write(tmp_path, HELPDESK_MANIFEST)
    out, _err = run("check", "--manifest", str(path))
    assert "helpdesk" in out and "OK" in out
    assert not Source.objects.exists()
    monkeypatch.delenv("VIGIE_TEST_SOURCE_HELPDESK_URL")
    out = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("sources", "check", "--manifest", str(path), stdout=out)
    assert "VIGIE_TEST_SOURCE_HELPDESK_URL is not set" in out.getvalue()


def test_find_prints_counts_per_source_table_and_category_and_journals_the_read(
    register, helpdesk_db, tmp_path, cli_actor
) -> None:
    run("add", str(write(tmp_path, HELPDESK_MANIFEST)))
    create_person(cli_actor, email="alice.martin@example.fr", first_name="Alice")
    out, _err = run("find", "--email", "Alice.Martin@example.fr")
    assert "helpdesk\tfollowups\thotline-tickets\t7" in out
    assert "vigie\tpeople.person\tidentity-contact\t1" in out
    read = Event.objects.get(action="personal_data:read")
    assert read.extra["counts"]["helpdesk"]["followups"] == 7
    assert "alice" not in str(read.extra).lower()
    with pytest.raises(CommandError, match="--email"):
        run("find")


def test_erase_subject_erases_every_source_then_vigies_own_store(
    register, helpdesk_db, billing_db, cli_actor, privacy_lead
) -> None:
    from vigie.audit.actor import Actor

    register_source(cli_actor, HELPDESK_MANIFEST)
    register_source(cli_actor, BILLING_MANIFEST)
    create_person(cli_actor, email="alice.martin@example.fr")
    actor = Actor.for_user(privacy_lead)
    subject = Subject(email=["alice.martin@example.fr"])
    found = {r.source: r.table_counts for r in find_subject(actor, subject)}
    assert found["billing"] == {"thirdparty": 1, "invoices": 2}
    reports = erase_subject(actor, subject)
    assert [r.source for r in reports] == ["billing", "helpdesk", "vigie"]
    assert find_by_email("alice.martin@example.fr") is None
    assert dump(helpdesk_db)["users"][1][1] == "[effacé]"
    assert ArchivedRecord.objects.filter(source="billing").count() == 3
    event = Event.objects.get(action="sources:subject:erase")
    assert event.actor_id == str(privacy_lead.pk)
    assert event.extra["sources"]["helpdesk"]["useremails"] == [2, 0, 0]
    assert event.extra["kept"]["billing"]["billing-accounting"] == ["C. com. L123-22", "2033-12-31"]


def test_register_source_needs_a_loaded_register(cli_actor) -> None:
    from vigie.sources.manifest import InvalidManifest

    with pytest.raises(InvalidManifest, match="no register is loaded"):
        register_source(cli_actor, HELPDESK_MANIFEST)


def test_the_command_speaks_french_by_default(register) -> None:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("fr"):
        call_command("sources", "list", stdout=out, stderr=err)
    assert "aucune source enregistrée" in out.getvalue() + err.getvalue()


def test_list_gives_the_check_date_as_jj_mm_aaaa(register, helpdesk_db, tmp_path) -> None:
    run("add", str(write(tmp_path, HELPDESK_MANIFEST)))
    run("check")
    Source.objects.update(last_check_at="2026-12-06T10:00:00+00:00")
    with translation.override("fr"):
        out, _err = run("list")
    assert "helpdesk\tvérifiée le 06/12/2026 : OK" in out


@pytest.mark.parametrize("action", ["find", "erase"])
def test_find_and_erase_refuse_what_is_not_an_address(register, cli_actor, action) -> None:
    """A typo must not read as « rien trouvé » or as an erasure done (found trying the demo):
    the command names the value, exits non-zero and journals nothing."""
    before = Event.objects.count()
    with translation.override("fr"), pytest.raises(CommandError, match=r"« alice\.martin »"):
        run(action, "--email", "alice.martin")
    assert Event.objects.count() == before
