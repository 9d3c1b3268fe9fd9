from typing import ClassVar

from django.db import models


class DailyRun(models.Model):
    """One row per daily job per day: the unique pair makes scheduling idempotent
    across any number of workers, restarts and retries."""

    name = models.CharField(max_length=200)
    day = models.DateField()
    task_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="jobs_daily_once")]


class ScheduledCall(models.Model):
    """A call due at a precise time (a D-7 reminder, a +72 h deadline), kept until done.

    The task queue holds the call too (``run_after``), but the queue alone cannot be
    trusted with a legal deadline: a worker down at the due time, a crash while the
    call runs, or a queue purged or swapped loses it. This row is the promise; the
    reconciliation sweep re-enqueues any due call not done, and the runner marks it
    done in the same transaction as its effects, so it never runs twice.
    """

    key = models.CharField(max_length=200, unique=True)
    task_path = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    due_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField()
    task_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    #: The call commits its own work as it goes (a long import): it runs outside the
    #: runner's transaction, must be safe to run again from where it stopped, and the
    #: call is marked done once it returns.
    own_transactions = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.key} at {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def pending(self) -> bool:
        return self.done_at is None and self.cancelled_at is None
