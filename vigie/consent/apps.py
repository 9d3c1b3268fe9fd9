from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "vigie.consent"
    label = "consent"
    verbose_name = "Consentements et désabonnements"

    def ready(self) -> None:
        # ``field__any_of`` must exist wherever a query is built, not only after
        # the audience module happened to be imported.
        # Mail asks this gate before any marketing message; without it none goes out.
        from vigie.consent.gate import marketing_gate
        from vigie.lib import lookups  # noqa: F401
        from vigie.mail.addressing import register_marketing_gate

        register_marketing_gate(marketing_gate)
