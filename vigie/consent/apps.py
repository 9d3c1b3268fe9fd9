from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "vigie.consent"
    label = "consent"
    verbose_name = "Consentements et désabonnements"

    def ready(self) -> None:
        # ``field__any_of`` must exist wherever a query is built, not only after
        # the audience module happened to be imported.
        # The audit log page shows consent events as sentences and links segments.
        from vigie.consent.display import register_audit_display
        from vigie.lib import lookups  # noqa: F401

        register_audit_display()
