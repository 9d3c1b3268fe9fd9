"""Issue 12, item 3: an erasure cannot claim "nothing left" while data remains.

Before an erase, a source whose database holds a table (or column) its manifest does
not describe is refused; the privacy lead's explicit ``--accept-unmapped`` runs it and
the report says « incomplet », naming what is undescribed. After the erase, every text
column of the described personal tables is searched for the person's identifiers
(addresses, logins, names where the manifest marks a name column): any residue is
reported by table and column; what a kept category keeps is listed apart.
"""

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
    policy_rules,
    seed_billing,
    seed_helpdesk,
)
from vigie.audit.models import Event
from vigie.register.services import load_file
from vigie.sources.display import residue_statement
from vigie.sources.manifest import parse_manifest
from vigie.sources.models import ResidueCheck
from vigie.sources.residue import refresh, run_residue_check
from vigie.sources.services import erase_subject, register_source
from vigie.sources.sql import SqlSource
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import EraseReport, ResidueState, Subject, Verdict

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ALICE = "alice.martin@example.fr"


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


def add_chat_table(engine: sa.Engine) -> None:
    """A personal table the manifest does not describe (a plugin's chat, say)."""
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE chat_messages (id INTEGER PRIMARY KEY, author TEXT)"))
        conn.execute(sa.text("INSERT INTO chat_messages VALUES (1, :a)"), {"a": ALICE})


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("sources", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_an_erase_against_an_undescribed_personal_table_is_refused_then_incomplete_with_override(
    register, helpdesk_db, cli_actor
) -> None:
    register_source(cli_actor, HELPDESK_MANIFEST)
    add_chat_table(helpdesk_db)
    before = dump(helpdesk_db)
    with pytest.raises(CommandError, match="chat_messages"):
        run("erase", "--email", ALICE)
    assert dump(helpdesk_db) == before, "a refused erase changed nothing"
    assert not Event.objects.filter(action="sources:subject:erase").exists()

    with translation.override("fr"):
        out = run("erase", "--email", ALICE, "--accept-unmapped")
    assert "incomplet" in out
    assert "chat_messages" in out
    after = dump(helpdesk_db)
    assert after["users"][1][1] == "[effacé]", "the described tables were erased"
    assert after["chat_messages"] == before["chat_messages"], "the undescribed one was not"
    event = Event.objects.get(action="sources:subject:erase")
    assert event.extra["incomplete"] == {"helpdesk": ["chat_messages"]}


def test_the_service_refuses_without_the_override_and_marks_the_report_incomplete_with_it(
    register, helpdesk_db, cli_actor, privacy_lead
) -> None:
    from vigie.audit.actor import Actor

    register_source(cli_actor, HELPDESK_MANIFEST)
    add_chat_table(helpdesk_db)
    actor = Actor.for_user(privacy_lead)
    with pytest.raises(SourceError, match="chat_messages"):
        erase_subject(actor, Subject(email=[ALICE]))
    reports = erase_subject(actor, Subject(email=[ALICE]), accept_unmapped=True)
    helpdesk = next(r for r in reports if r.source == "helpdesk")
    assert helpdesk.incomplete
    assert helpdesk.undescribed == ["chat_messages"]
    assert not next(r for r in reports if r.source == "vigie").incomplete


def test_a_purge_against_an_undescribed_table_is_refused(register, helpdesk_db) -> None:
    import datetime as dt

    add_chat_table(helpdesk_db)
    manifest = parse_manifest(HELPDESK_MANIFEST)
    rules = policy_rules()
    with SqlSource(manifest, rules=rules) as source:
        selection = source.expired(rules["hotline-tickets"], dt.datetime(2040, 1, 1))
        before = dump(helpdesk_db)
        with pytest.raises(SourceError, match="chat_messages"):
            source.purge(selection)
        assert dump(helpdesk_db) == before
        report = source.purge(selection, accept_unmapped=True)
    assert report.incomplete and report.undescribed == ["chat_messages"]
    assert sum(report.deleted.values()) + sum(report.anonymised.values()) > 0


MARKED = BILLING_MANIFEST.replace(
    "nom: {category: billing-accounting, erase: keep}",
    "nom: {category: billing-accounting, erase: keep, identifies: name}",
)


# `vigie worker` runs the job: it commits, so the test is transactional.
@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_after_an_erase_the_residue_check_names_table_and_column_and_lists_kept_apart(
    register, helpdesk_db, tmp_path, monkeypatch, cli_actor, privacy_lead
) -> None:
    from vigie.audit.actor import Actor

    # The address typed into a ticket's title, a column the manifest calls not personal.
    with helpdesk_db.begin() as conn:
        conn.execute(sa.text("UPDATE tickets SET name = :n WHERE id = 10"), {"n": f"from {ALICE}"})
    billing_url = f"sqlite:///{tmp_path / 'billing.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_BILLING_URL", billing_url)
    billing = sa.create_engine(billing_url)
    seed_billing(billing)
    with billing.begin() as conn:
        # Her name (the marked column's value) in an invoice's note: residue.
        conn.execute(sa.text("UPDATE invoices SET ref = 'Alice Martin' WHERE rowid = 3"))
    register_source(cli_actor, HELPDESK_MANIFEST)
    register_source(cli_actor, MARKED)
    reports = erase_subject(Actor.for_user(privacy_lead), Subject(email=[ALICE]))
    by_source = {r.source: r for r in reports}
    # The erase returns at once: the residue check is a job, and until it has run no
    # report may say "nothing left".
    assert {r.residue_state for r in by_source.values() if r.source != "vigie"} == {
        ResidueState.PENDING
    }
    assert all(
        r.verdict is Verdict.PENDING and not r.complete
        for r in by_source.values()
        if r.source != "vigie"
    )
    assert not ResidueCheck.objects.filter(identifiers_sealed__isnull=True).exists()
    call_command("worker", "--batch")
    helpdesk, billed = refresh(by_source["helpdesk"]), refresh(by_source["billing"])
    assert helpdesk.residue_checked and billed.residue_checked
    assert [(r.table, r.column, r.rows) for r in helpdesk.residue] == [("tickets", "name", 1)]
    assert [(r.table, r.column, r.rows) for r in billed.residue] == [("invoices", "ref", 1)]
    # The name the invoice's third party keeps (C. com. L123-22) is not residue: kept.
    assert [(r.table, r.column) for r in billed.kept_residue] == [("thirdparty", "nom")]
    assert "billing-accounting" in billed.kept_categories
    assert not helpdesk.complete and not billed.complete
    assert helpdesk.verdict is Verdict.RESIDUE
    event = Event.objects.get(action="sources:subject:erase")
    assert set(event.extra["residue_checks"]) == {"helpdesk", "billing"}
    checked = {
        e.extra["source"]: e.extra["residue"]
        for e in Event.objects.filter(action="sources:subject:residue-check")
    }
    assert checked["helpdesk"] == {"tickets": {"name": 1}}
    # Done, the identifiers searched for are dropped; a second run changes nothing.
    assert not ResidueCheck.objects.filter(identifiers_sealed__isnull=False).exists()
    assert run_residue_check(helpdesk.residue_check) == "already done"
    assert Event.objects.filter(action="sources:subject:residue-check").count() == 2


def test_a_pending_report_cannot_claim_nothing_left() -> None:
    """The report type: "nothing left" only from a done check that found nothing."""
    report = EraseReport("helpdesk", residue_state=ResidueState.PENDING, residue_check=1)
    assert report.residue == [] and not report.incomplete
    assert report.verdict is Verdict.PENDING
    assert not report.complete and not report.residue_checked
    with translation.override("fr"):
        assert residue_statement(report) == "vérification des résidus en cours"
    with translation.override("en"):
        assert residue_statement(report) == "residue check in progress"
    report.complete_residue([], [])
    assert report.verdict is Verdict.NOTHING_LEFT and report.complete
    with translation.override("fr"):
        assert "aucun résidu" in residue_statement(report)
    incomplete = EraseReport("helpdesk", incomplete=True, undescribed=["chat"])
    incomplete.complete_residue([], [])
    assert incomplete.verdict is Verdict.INCOMPLETE and not incomplete.complete


# `vigie worker` runs the job: it commits, so the test is transactional.
@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_a_residue_check_run_twice_at_once_records_one_result(
    register, helpdesk_db, cli_actor, privacy_lead
) -> None:
    from vigie.audit.actor import Actor

    register_source(cli_actor, HELPDESK_MANIFEST)
    reports = erase_subject(Actor.for_user(privacy_lead), Subject(email=[ALICE]))
    helpdesk = next(r for r in reports if r.source == "helpdesk")
    assert run_residue_check(helpdesk.residue_check) == "done"
    # The queued job runs afterwards: it finds the check done.
    call_command("worker", "--batch")
    assert Event.objects.filter(action="sources:subject:residue-check").count() == 1
    assert refresh(helpdesk).verdict is Verdict.NOTHING_LEFT
