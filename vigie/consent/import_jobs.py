"""The back-office import, handed to the worker (``importing`` does the work).

A file of a few thousand lines takes longer than a web request may last: the page
reads the file and validates its lines at once (a file that cannot be read, or lines
with a consent and no wording, are refused on the page, before anything is written),
then stores the file sealed in an ``ImportJob`` and schedules the import with
``jobs.services.schedule_call``, so that a run lost with its worker is enqueued again
by the sweep. The page answers at once with the job's page, which shows the progress
and then the report.

Each line commits with the job's progress (``lines_done`` and the counts so far): a
run killed half-way is resumed by the next one from the first line not committed,
and the final report counts every line once. Two runs at once (a duplicate in the
queue, or a slow run the sweep took for a lost one) take turns on the job's row; the
one that finds a line already done stops and fails, so that its call stays pending
until the job is done.
When the job ends, its sealed file is deleted; the report (counts, line numbers and
reasons, no address) stays for the page.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from vigie.audit.actor import Actor
from vigie.consent import importing
from vigie.consent.models import ImportJob
from vigie.jobs.services import schedule_call
from vigie.lib import crypto, keyring

_KEY_PURPOSE = "consent-import-file"


def _aad(job_id: uuid.UUID) -> str:
    return f"consent.importjob:{job_id}:file"


def start_import(
    actor: Actor, content: bytes | str, *, file_name: str, wording: str, channel: str
) -> ImportJob:
    """Check the file as the CLI does, then hand it to the worker; ``ImportFileError``
    when it is refused (nothing stored)."""
    text = content if isinstance(content, str) else importing.decode_file(content)
    prepared = importing.prepare(importing.read_rows(text), wording=wording)
    job_id = uuid.uuid4()
    with transaction.atomic():
        job = ImportJob.objects.create(
            id=job_id,
            actor_type=actor.kind,
            actor_id=actor.id,
            actor_ip=actor.ip,
            file_name=file_name[:200],
            file_sealed=crypto.seal_text(keyring.derive_key(_KEY_PURPOSE), text, _aad(job_id)),
            wording=wording,
            channel=channel[:500],
            lines_total=len(prepared.lines),
        )
        schedule_call(
            run_import_task,
            timezone.now(),
            key=f"consent-import:{job.pk}",
            args=[str(job.pk)],
            own_transactions=True,
        )
    return job


class _JobCheckpoint(importing.Checkpoint):
    def __init__(self, job_id: uuid.UUID) -> None:
        self.job_id = job_id

    def resume(self) -> tuple[int, dict[str, Any]]:
        job = ImportJob.objects.get(pk=self.job_id)
        return job.lines_done, dict(job.report or {})

    def claim(self, index: int) -> None:
        job = ImportJob.objects.select_for_update().get(pk=self.job_id)
        if job.lines_done != index or job.state == ImportJob.State.DONE:
            raise importing.Overtaken(str(self.job_id))

    def save(self, done: int, state: dict[str, Any]) -> None:
        ImportJob.objects.filter(pk=self.job_id).update(
            lines_done=done, report=state, state=ImportJob.State.RUNNING
        )

    def finish(self, report: importing.ImportReport) -> None:
        ImportJob.objects.filter(pk=self.job_id).update(
            state=ImportJob.State.DONE,
            report=report.as_dict(),
            file_sealed=None,
            finished_at=timezone.now(),
        )


def run_import(job_id: str) -> str:
    """Run (or resume) an import job; safe to run any number of times."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.state == ImportJob.State.DONE:
        return "nothing to do"
    if job.file_sealed is None:
        return "no file"
    text = crypto.open_text(keyring.derive_key(_KEY_PURPOSE), bytes(job.file_sealed), _aad(job.pk))
    actor = Actor(job.actor_type, job.actor_id, job.actor_ip)
    try:
        # Read and validated again: the same file gives the same lines, in the same order.
        prepared = importing.prepare(importing.read_rows(text), wording=job.wording)
    except importing.ImportFileError:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, file_sealed=None, finished_at=timezone.now()
        )
        return "refused"
    try:
        importing.store_lines(
            actor,
            prepared,
            wording=job.wording,
            channel=job.channel,
            checkpoint=_JobCheckpoint(job.pk),
        )
    except importing.Overtaken:
        # Another run is storing the lines (the sweep took a slow run for a lost one).
        # Failing leaves the call pending: it is tried again later, and then finds the
        # job done, or resumes it if that other run died meanwhile.
        raise ImportStillRunning(str(job.pk)) from None
    return "done"


class ImportStillRunning(RuntimeError):
    """Another run of the job is under way; this one stopped without writing."""


def purge_finished_imports(now: datetime | None = None) -> int:
    """Delete the import jobs finished more than the task-result retention ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    return ImportJob.objects.filter(finished_at__lt=cutoff).delete()[0]


@task()
def run_import_task(job_id: str) -> str:
    """The worker's side of a back-office import (a scheduled call)."""
    return run_import(job_id)
