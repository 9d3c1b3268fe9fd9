"""People in every marketing situation, a policy in force, and a staff actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.consent import services
from vigie.consent.models import Method
from vigie.people.models import Person, Source, SubjectType
from vigie.people.services import create_person
from vigie.policy.models import PolicyVersion

WORDING = "J'accepte de recevoir la lettre d'information de SEMI INFORMATIQUE."


def publish_policy(number: int, effective_at: dt.datetime) -> PolicyVersion:
    return PolicyVersion.objects.create(
        number=number,
        status="published",
        register_revision=1,
        body_fr="<p>Politique</p>",
        body_en="<p>Policy</p>",
        change_summary_fr="Version",
        change_summary_en="Version",
        author_type="cli",
        created_at=effective_at,
        published_at=effective_at,
        effective_at=effective_at,
    )


@pytest.fixture
def policy_v1(db: None) -> PolicyVersion:
    return publish_policy(1, timezone.now() - dt.timedelta(days=30))


@pytest.fixture
def make_person(cli_actor: Actor) -> Callable[..., Person]:
    counter = iter(range(1, 100_000))

    def make(
        email: str = "",
        *,
        types: tuple[str, ...] = (SubjectType.PROSPECT_B2C,),
        informed: bool = False,
        source: str = Source.SUBJECT,
        **kwargs: Any,
    ) -> Person:
        n = next(counter)
        if source == Source.PARTNER:
            kwargs.setdefault("source_name", "Partenaire SA")
            kwargs.setdefault("partner_permission_ref", "contrat-2026-01")
        return create_person(
            cli_actor,
            email=email or f"personne{n}@exemple.fr",
            first_name="Jeanne",
            last_name=f"Dupont{n}",
            subject_types=list(types),
            source=source,
            informed_of_opt_out=informed,
            **kwargs,
        )

    return make


@pytest.fixture
def staff_actor(make_staff: Callable[..., Any]) -> Actor:
    from vigie.accounts.permissions import Role

    return Actor.for_user(make_staff(Role.SALES), ip="192.0.2.10")


@pytest.fixture
def subscribe(staff_actor: Actor) -> Callable[..., None]:
    """Record a consent given by phone to a staff member."""

    def do(person: Person, purpose: str = "newsletter") -> None:
        services.record_consent(
            staff_actor, person, purpose, wording=WORDING, method=Method.PHONE, channel="phone"
        )

    return do


@pytest.fixture
def run_signup_jobs(db: None) -> Callable[[], int]:
    """Run, in this process and transaction, the sign-up jobs the pages queued (what
    the worker does); return how many ran. A sign-up is a scheduled call
    (``jobs.services.schedule_call``): its queued job is the calls' runner."""
    from django_tasks_db.models import DBTaskResult

    from vigie.jobs.models import ScheduledCall
    from vigie.jobs.tasks import run_scheduled_call

    def run() -> int:
        from vigie.consent.signups import complete_signup

        runner = f"{run_scheduled_call.func.__module__}.{run_scheduled_call.func.__qualname__}"
        signups = set(
            ScheduledCall.objects.filter(task_path=complete_signup.module_path).values_list(
                "pk", flat=True
            )
        )
        ran = 0
        for job in DBTaskResult.objects.filter(task_path=runner, status="READY").order_by(
            "enqueued_at"
        ):
            [call_id] = job.args_kwargs["args"]
            if call_id not in signups:
                continue
            run_scheduled_call.call(call_id)
            job.status = "SUCCESSFUL"
            job.save(update_fields=["status"])
            ran += 1
        return ran

    return run


@pytest.fixture
def run_import_jobs(db: None) -> Callable[[], int]:
    """Run, here, the import jobs the import page handed to the worker (scheduled
    calls of ``consent.import_jobs.run_import_task``); return how many ran."""
    from django_tasks_db.models import DBTaskResult

    from vigie.consent.import_jobs import run_import_task
    from vigie.jobs.models import ScheduledCall
    from vigie.jobs.tasks import run_scheduled_call

    def run() -> int:
        runner = f"{run_scheduled_call.func.__module__}.{run_scheduled_call.func.__qualname__}"
        imports = set(
            ScheduledCall.objects.filter(task_path=run_import_task.module_path).values_list(
                "pk", flat=True
            )
        )
        ran = 0
        for job in DBTaskResult.objects.filter(task_path=runner, status="READY").order_by(
            "enqueued_at"
        ):
            [call_id] = job.args_kwargs["args"]
            if call_id not in imports:
                continue
            run_scheduled_call.call(call_id)
            job.status = "SUCCESSFUL"
            job.save(update_fields=["status"])
            ran += 1
        return ran

    return run
