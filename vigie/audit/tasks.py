from __future__ import annotations

from django_tasks import task

from vigie.audit.actor import Actor
from vigie.audit.services import purge_read_events


@task()
def purge_read_events_task() -> int:
    """Daily: read events past retention go (R29). Safe to run twice."""
    return purge_read_events(Actor.system("audit purge"))


#: Enqueued once a day by `vigie worker` (see vigie.jobs.services).
DAILY_TASKS = (purge_read_events_task,)
