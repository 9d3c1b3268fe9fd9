from django.db import models


class DailyRun(models.Model):
    """One row per daily job per day: the unique pair makes scheduling idempotent
    across any number of workers, restarts and retries."""

    name = models.CharField(max_length=200)
    day = models.DateField()
    task_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="jobs_daily_once")]
