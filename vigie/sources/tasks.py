"""The sources' background jobs: the residue check after an erasure (issue 12)."""

from __future__ import annotations

from django_tasks import task


@task()
def residue_check_task(check_id: int) -> str:
    """Run one residue check if it is not done yet; safe to run any number of times."""
    from vigie.sources.residue import run_residue_check

    return run_residue_check(check_id)
