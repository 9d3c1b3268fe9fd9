"""Tasks used by the job tests (tasks must live at module level to be enqueued)."""

from __future__ import annotations

from django_tasks import task

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event


@task()
def mark_done(label: str) -> str:
    record_event(Actor.system("test-task"), Action.USER_ROLE_CHANGE, ObjectRef("test.job", label))
    return label
