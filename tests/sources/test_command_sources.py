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
from vigie.sources.models import ArchivedRecord, ResidueCheck, Source
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
    assert "checking helpdesk" in out and out.endswith("OK\n")
    # Per source: personal tables, tables declared not personal, and undescribed ones.
    assert "helpdesk: 5 personal table(s), 1 not personal, 0 not described" in out
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


def test_check_names_the_undescribed_tables_in_its_summary(register, helpdesk_db, tmp_path) -> None:
    run("add", str(write(tmp_path, HELPDESK_MANIFEST)))
    with helpdesk_db.begin() as conn:
        conn.execute(sa.text("CREATE TABLE chat_messages (id INTEGER PRIMARY KEY, author TEXT)"))
        conn.execute(sa.text("CREATE TABLE crontasklogs (id INTEGER PRIMARY KEY)"))
        conn.execute(sa.text("CREATE TABLE plugin_notes (id INTEGER PRIMARY KEY)"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="problème"), translation.override("fr"):
        call_command("sources", "check", stdout=out)
    assert (
        "helpdesk : 5 table(s) personnelle(s), 2 non personnelle(s), 2 non décrite(s) "
        "(chat_messages, plugin_notes)"
    ) in out.getvalue()


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
    # Labels, not codes: the source's and the register's, and the strategy in words.
    assert "Helpdesk (test)\tfollowups\tHotline tickets and call notes\t7\tMasking" in out
    assert "Helpdesk (test)\tuseremails\tIdentity and contact details\t2\tDeletion" in out
    assert "Vigie's own store\tPeople (people.person)\tIdentity and contact details\t1" in out
    with translation.override("fr"):
        out, _err = run("find", "--email", "Alice.Martin@example.fr")
    assert "Assistance (test)\tfollowups\tTickets de hotline et notes d’appel\t7\tMasquage" in out
    assert "Assistance (test)\tusers\tComptes et habilitations du personnel" in out
    assert "Masquage, Effacement" in out  # the users' identity: name masked, realname cleared
    read = Event.objects.filter(action="personal_data:read").first()
    assert read.extra["counts"]["helpdesk"]["followups"] == 7
    assert Event.objects.filter(action="personal_data:read").count() == 2
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


def test_find_after_an_erasure_shows_the_kept_rows_with_their_ground_and_end_date(
    register, billing_db, cli_actor
) -> None:
    register_source(cli_actor, BILLING_MANIFEST)
    run("erase", "--email", "alice.martin@example.fr")
    with translation.override("fr"):
        out, _err = run("find", "--email", "alice.martin@example.fr")
    assert (
        "Facturation (test)\tinvoices\tFacturation et comptabilité\t2\t"
        "Conservation (C. com. L123-22, jusqu’au 31/12/2033)"
    ) in out
    with translation.override("en"):
        out, _err = run("find", "--email", "alice.martin@example.fr")
    assert "Kept (C. com. L123-22, until 31/12/2033)" in out


# `vigie worker` runs the job: it commits, so the test is transactional.
@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_erase_waits_for_the_residue_check_by_default_or_returns_at_once(
    register, helpdesk_db, cli_actor
) -> None:
    register_source(cli_actor, HELPDESK_MANIFEST)
    with helpdesk_db.begin() as conn:
        conn.execute(
            sa.text("UPDATE tickets SET name = 'from alice.martin@example.fr' WHERE id = 10")
        )
    with translation.override("fr"):
        out, _err = run("erase", "--email", "alice.martin@example.fr", "--no-wait")
    assert "helpdesk : vérification des résidus en cours" in out
    assert "RÉSIDU" not in out and "aucun résidu" not in out
    check = ResidueCheck.objects.get()
    assert check.state == "pending"
    with translation.override("fr"):
        out, _err = run("residue", str(check.pk))
    assert "vérification des résidus en cours" in out
    call_command("worker", "--batch")
    with translation.override("fr"):
        out, _err = run("residue", str(check.pk))
    assert "helpdesk : RÉSIDU : tickets.name contient encore la personne dans 1 ligne(s)" in out
    with pytest.raises(CommandError, match="999"):
        run("residue", "999")
    # By default the command waits: the answer that matters before writing to the person.
    create_person(cli_actor, email="bob@example.fr")
    with helpdesk_db.begin() as conn:
        conn.execute(sa.text("UPDATE tickets SET name = 'x' WHERE id = 10"))
    with translation.override("fr"):
        out, _err = run("erase", "--email", "alice.martin@example.fr")
    assert "en cours" not in out
    assert "helpdesk : vérification des résidus : aucun résidu" in out


def test_the_references_of_a_kept_row_go_with_its_archive_entry(
    register, billing_db, cli_actor, privacy_lead
) -> None:
    from vigie.audit.actor import Actor
    from vigie.sources.archive import forget
    from vigie.sources.models import ArchivedSubject

    register_source(cli_actor, BILLING_MANIFEST)
    subject = Subject(email=["alice.martin@example.fr"])
    erase_subject(Actor.for_user(privacy_lead), subject)
    kept = list(ArchivedRecord.objects.filter(source="billing", table="invoices"))
    assert len(kept) == 2
    # Keyed references, never the address itself.
    refs = set(ArchivedSubject.objects.values_list("ref", flat=True))
    assert refs and not any("alice" in ref for ref in refs)
    found = {r.source: r for r in find_subject(Actor.for_user(privacy_lead), subject)}
    assert found["billing"].table_counts["invoices"] == 2
    # The retention purge removes a row's entry: its references go with it.
    assert forget("billing", "invoices", [r.row_key for r in kept]) == 2
    assert not ArchivedSubject.objects.filter(record__table="invoices").exists()
    found = {r.source: r for r in find_subject(Actor.for_user(privacy_lead), subject)}
    assert "invoices" not in found["billing"].table_counts
