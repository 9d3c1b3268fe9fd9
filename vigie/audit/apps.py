from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vigie.audit"
    label = "audit"
    verbose_name = "Journal d'audit"

    def ready(self) -> None:
        from vigie.audit import checks  # noqa: F401  (registers the deploy checks)
