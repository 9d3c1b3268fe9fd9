from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "vigie.sources"
    label = "sources"
    verbose_name = "Sources de données personnelles"

    def ready(self) -> None:
        from vigie.sources.display import register_audit_display

        register_audit_display()
