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


@task()
def deadline_reached(label: str, *, step: str = "") -> str:
    """A deadline's effect: one audit event per run, so a test can count the runs."""
    record_event(
        Actor.system("test-deadline"),
        Action.USER_ROLE_CHANGE,
        ObjectRef("test.deadline", label),
        extra={"step": step},
    )
    return label


@task()
def deadline_fails(label: str) -> str:
    """A deadline whose effect fails after writing: the write must be rolled back."""
    record_event(
        Actor.system("test-deadline"), Action.USER_ROLE_CHANGE, ObjectRef("test.deadline", label)
    )
    raise RuntimeError("the effect fails")


def plain_function(label: str) -> str:
    """A module-level function that is not a task: the runner could not find it as one."""
    return label


@task()
def fails_quoting_an_address(address: str) -> str:
    """A task whose error quotes personal data, as a database or SMTP error does."""
    raise RuntimeError(f"Key (email)=({address}) already exists")
