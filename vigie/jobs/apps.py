from typing import Any

from django.apps import AppConfig
from django.db.models.signals import pre_save


def _redact_traceback(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A failed job's traceback is kept for a week (``VIGIE_TASK_RESULT_RETENTION_DAYS``)
    and may quote a value: it is stored redacted like every log line, so no address or
    link token sits in clear in the jobs table."""
    if instance.traceback:
        from vigie.lib.redaction import redact

        instance.traceback = redact(instance.traceback)


class JobsConfig(AppConfig):
    name = "vigie.jobs"
    label = "jobs"
    verbose_name = "Tâches planifiées"

    def ready(self) -> None:
        from django_tasks_db.models import DBTaskResult

        pre_save.connect(_redact_traceback, sender=DBTaskResult, dispatch_uid="jobs.redact")
