"""The runner of scheduled calls (see ``jobs.services.schedule_call``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_scheduled_call(call_id: int) -> str:
    """Run one scheduled call if it is due and not done yet; safe to run any number of times."""
    from vigie.jobs.services import run_call

    return run_call(call_id)
