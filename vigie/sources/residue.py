"""The residue check after an erasure, as a background job (issue 12).

Searching every text column of a large source for the person's identifiers takes
seconds (14 s at 9.9 M rows on PostgreSQL): the erase returns at once, its report
marked pending, and a job (``vigie.sources.tasks.residue_check_task``, scheduled with
``jobs.services.schedule_call``) runs the check and completes it. The job only reads the
source and writes its result once (a conditional update): it is safe to run twice, and
a run lost half-way is simply run again.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event
from vigie.lib import keyring
from vigie.lib.crypto import open_text, seal_text
from vigie.sources.models import ResidueCheck
from vigie.sources.types import Erase, EraseReport, Keep, Plan, Residue

PURPOSE = "vigie:sources:residue-identifiers"
SEPARATOR = "\n"


class UnknownCheck(LookupError):
    """No residue check has that number."""


def _aad(check_id: int) -> str:
    return f"sources.residuecheck:{check_id}"


def queue_residue_check(report: EraseReport, subject_ref: str, plan: Plan) -> ResidueCheck:
    """Store the check of ``report`` (pending, its identifiers sealed) and schedule its job;
    call inside the transaction that journals the erasure."""
    from vigie.jobs.services import schedule_call
    from vigie.sources.tasks import residue_check_task

    check = ResidueCheck.objects.create(
        source=report.source,
        subject_ref=subject_ref,
        plan={c: "keep" if isinstance(choice, Keep) else "erase" for c, choice in plan.items()},
    )
    key = keyring.derive_key(PURPOSE)
    text = SEPARATOR.join(v.replace(SEPARATOR, " ") for v in report.identifiers)
    check.identifiers_sealed = seal_text(key, text, _aad(check.pk))
    check.save(update_fields=["identifiers_sealed"])
    schedule_call(
        residue_check_task,
        timezone.now(),
        key=f"sources:residue-check:{check.pk}",
        args=[check.pk],
    )
    report.residue_check = check.pk
    return check


def run_residue_check(check_id: int) -> str:
    """Run the check if it is still pending: read the source, then record the result and
    drop the identifiers in one conditional update (a second run finds it done)."""
    from vigie.sources.services import load_source

    check = ResidueCheck.objects.filter(pk=check_id).first()
    if check is None:
        return "unknown"
    if check.state == ResidueCheck.State.DONE:
        return "already done"
    blob = bytes(check.identifiers_sealed or b"")
    text = open_text(keyring.derive_key(PURPOSE), blob, _aad(check.pk)) if blob else ""
    identifiers = [v for v in text.split(SEPARATOR) if v]
    plan: Plan = {
        category: Keep("", dt.date.max) if choice == "keep" else Erase()
        for category, choice in check.plan.items()
    }
    with load_source(check.source) as engine:
        found, kept = engine.check_residue_now(identifiers, plan)
    with transaction.atomic():
        updated = ResidueCheck.objects.filter(pk=check.pk, state=ResidueCheck.State.PENDING).update(
            state=ResidueCheck.State.DONE,
            residue=[[r.table, r.column, r.rows] for r in found],
            kept_residue=[[r.table, r.column, r.rows, r.category] for r in kept],
            identifiers_sealed=None,
            done_at=timezone.now(),
        )
        if not updated:
            return "already done"
        residue: dict[str, dict[str, int]] = {}
        for item in found:
            residue.setdefault(item.table, {})[item.column] = item.rows
        record_event(
            Actor.system("residue check"),
            Action.SUBJECT_RESIDUE_CHECK,
            ObjectRef("sources.subject", check.subject_ref),
            extra={"source": check.source, "check": check.pk, "residue": residue},
        )
    return "done"


def residue_check(check_id: int) -> ResidueCheck:
    check = ResidueCheck.objects.filter(pk=check_id).first()
    if check is None:
        raise UnknownCheck(f"no residue check numbered {check_id}")
    return check


def apply_check(report: EraseReport, check: ResidueCheck) -> EraseReport:
    """Complete ``report`` with its stored check once done (a pending one leaves it pending)."""
    report.residue_check = check.pk
    if check.state == ResidueCheck.State.DONE:
        report.complete_residue(
            [Residue(t, c, int(n)) for t, c, n in check.residue],
            [Residue(t, c, int(n), cat) for t, c, n, cat in check.kept_residue],
        )
    return report


def refresh(report: EraseReport) -> EraseReport:
    """The report with the current state of its check (after the job ran)."""
    if report.residue_check is None:
        return report
    return apply_check(report, residue_check(report.residue_check))
