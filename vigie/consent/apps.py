from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "vigie.consent"
    label = "consent"
    verbose_name = "Consentements et désabonnements"

    def ready(self) -> None:
        # ``field__any_of`` must exist wherever a query is built, not only after
        # the audience module happened to be imported.
        from vigie.lib import lookups  # noqa: F401

        self.register_person_panel()

    def register_person_panel(self) -> None:
        # The person page shows consents per purpose; people may not import consent.
        from vigie.consent.person_panel import consent_panel
        from vigie.people.panels import register_person_panel

        register_person_panel("consent", consent_panel)
