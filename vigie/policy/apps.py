from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "vigie.policy"
    label = "policy"
    verbose_name = "Politique de confidentialité"

    def ready(self) -> None:
        from vigie.policy.display import register_audit_display

        register_audit_display()
