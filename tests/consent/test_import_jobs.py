"""The back-office import runs in the worker (a file of thousands of lines outlasts a
web request): the page answers at once, shows the progress, then the report; a worker
killed half-way leaves a job that the sweep runs again, and that run finishes the
import with the same report as one run would give. The import reads the database per
chunk of lines, not per line, where it safely can."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.consent.test_partner_import import EXPECTED, partner_file
from tests.consent.test_partner_import import suppressed as suppressed_addresses
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.consent import importing
from vigie.consent.importing import import_csv
from vigie.consent.models import ImportJob
from vigie.jobs.models import ScheduledCall
from vigie.jobs.services import reconcile_scheduled_calls
from vigie.people.models import Person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
suppressed = suppressed_addresses  # the fixture, under its name


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


def _upload(client):
    return client.post(
        reverse("consent:import"),
        {"file": SimpleUploadedFile("partenaire.csv", partner_file().encode()), "wording": ""},
    )


def test_the_page_answers_at_once_and_keeps_the_file_sealed_until_the_job_ends(
    suppressed, signed_in, privacy_lead, run_import_jobs
) -> None:
    client = signed_in(privacy_lead)
    answer = _upload(client)
    assert answer.status_code == 302
    # Nothing imported by the request itself: the worker does it.
    assert Person.objects.count() == 4  # the suppressed fixture's
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.WAITING and job.lines_total == 145
    assert b"prenom1.nom1@" not in bytes(job.file_sealed)
    page = client.get(answer["Location"]).content.decode()
    assert '<progress max="145" value="0">' in page
    assert run_import_jobs() == 1
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.file_sealed is None
    assert {k: job.report[k] if k != "errors" else len(job.report[k]) for k in EXPECTED} == EXPECTED
    # Run again (a duplicate in the queue): nothing more happens.
    ScheduledCall.objects.update(done_at=None)
    assert importing.Overtaken  # the guard exists
    from vigie.consent.import_jobs import run_import

    assert run_import(str(job.pk)) == "nothing to do"
    assert Event.objects.filter(action="consent:import:run").count() == 1


def test_a_worker_killed_half_way_is_run_again_and_finishes_the_job(
    suppressed, signed_in, privacy_lead, run_import_jobs, monkeypatch
) -> None:
    answer = _upload(signed_in(privacy_lead))
    real = importing._store
    calls = {"n": 0}

    def dies_at_the_60th_line(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 60:
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "_store", dies_at_the_60th_line)
    with pytest.raises(WorkerKilled):
        run_import_jobs()
    monkeypatch.setattr(importing, "_store", real)
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.RUNNING and job.lines_done == 59
    assert not Event.objects.filter(action="consent:import:run").exists()
    # The worker's row of the run says "running" for ever; the sweep takes it as lost.
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - dt.timedelta(hours=2))
    later = timezone.now() + dt.timedelta(minutes=5)
    assert reconcile_scheduled_calls(later) == [f"consent-import:{job.pk}"]
    assert run_import_jobs() == 1
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.file_sealed is None
    counts = {k: job.report[k] if k != "errors" else len(job.report[k]) for k in EXPECTED}
    assert counts == EXPECTED
    # Each address once: the lines done before the kill were not imported twice.
    live = list(
        Person.objects.filter(shredded_at__isnull=True).values_list("email_index", flat=True)
    )
    assert len(live) == len(set(live)) == 120 + 4
    [event] = Event.objects.filter(action="consent:import:run")
    assert event.extra["imported"] == 120 and event.extra["read"] == 145
    assert ScheduledCall.objects.get().done_at is not None
    page = signed_in(privacy_lead).get(answer["Location"]).content.decode()
    assert 'data-count="imported">120<' in page and 'http-equiv="refresh"' not in page


def test_the_suppression_list_and_the_people_on_file_are_read_per_chunk_not_per_line() -> None:
    header = (
        "email;first_name;last_name;subject_types;source;source_name;"
        "partner_permission_ref;purpose;consent;collected_at\n"
    )
    rows = "".join(
        f"p{n}@societe{n}.fr;P;N;prospect_B2B;partner;Salon;contrat-1;;non;01/03/2026\n"
        for n in range(100)
    )
    with CaptureQueriesContext(connection) as queries:
        report = import_csv(Actor.cli("test"), header + rows, wording="", channel="")
    assert report.imported == 100
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("consent_suppressionentry" in q for q in sql) <= 1
    looked_up = [
        q for q in sql if q.startswith("SELECT") and "people_person" in q.split("WHERE")[0]
    ]
    # One read of the chunk, then one check per new line under its lock (not two).
    assert len(looked_up) <= 100 + 2, len(looked_up)


def test_finished_import_jobs_go_after_the_retention(settings) -> None:
    from vigie.consent.tasks import purge_finished_imports_task
    from vigie.jobs.services import daily_tasks

    assert purge_finished_imports_task in daily_tasks()
    now = timezone.now()
    for days in (8, 6, None):
        ImportJob.objects.create(
            actor_type="cli",
            state=ImportJob.State.DONE if days else ImportJob.State.RUNNING,
            finished_at=now - dt.timedelta(days=days) if days else None,
        )
    assert purge_finished_imports_task.call() == 1
    assert ImportJob.objects.count() == 2


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_the_audit_anchor_is_written_once_per_chunk_and_ends_at_the_head(monkeypatch) -> None:
    """Each line commits its person's audit event; the key store gets the chain's head
    once per chunk and at the end, not after every line (the log may run ahead of its
    anchor meanwhile, never behind)."""
    from vigie.audit import anchoring
    from vigie.audit.models import Anchor, ChainHead

    writes = []
    real = anchoring.write_anchor

    def counted(chain, seq, link, *previous):
        writes.append(seq)
        return real(chain, seq, link, *previous)

    monkeypatch.setattr(anchoring, "write_anchor", counted)
    header = (
        "email;first_name;last_name;subject_types;source;source_name;"
        "partner_permission_ref;purpose;consent;collected_at\n"
    )
    rows = "".join(
        f"a{n}@societe{n}.fr;P;N;prospect_B2B;partner;Salon;contrat-1;;non;01/03/2026\n"
        for n in range(30)
    )
    report = import_csv(Actor.cli("test"), header + rows, wording="", channel="")
    assert report.imported == 30
    # 31 events (30 people, the import): one anchor for the lines, one for the import.
    assert len(writes) <= 2, writes
    head = ChainHead.objects.get(chain="change")
    assert Anchor.objects.get(chain="change").seq == head.seq


def test_a_second_run_while_the_first_stores_lines_stops_without_writing(
    signed_in, privacy_lead, monkeypatch
) -> None:
    """A slow run taken for a lost one: the second run read where the job stood, then
    the first stored lines; the second finds its first line done, writes nothing, and
    fails so that its call stays pending until the job is done."""
    from vigie.consent import import_jobs

    _upload(signed_in(privacy_lead))
    job = ImportJob.objects.get()

    class Stale(import_jobs._JobCheckpoint):
        def resume(self):
            _done, state = super().resume()
            return 0, state

    ImportJob.objects.filter(pk=job.pk).update(lines_done=10)
    monkeypatch.setattr(import_jobs, "_JobCheckpoint", Stale)
    with pytest.raises(import_jobs.ImportStillRunning):
        import_jobs.run_import(str(job.pk))
    assert Person.objects.count() == 0
    job.refresh_from_db()
    assert job.lines_done == 10 and job.state != ImportJob.State.DONE
