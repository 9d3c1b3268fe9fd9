from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "vigie.policy"
    label = "policy"
    verbose_name = "Politique de confidentialité"

    def ready(self) -> None:
        # Mail renders the policy-change notice with what this app looks up.
        from vigie.mail.addressing import register_context_builder
        from vigie.policy.mail_context import policy_change_context

        register_context_builder("policy_change", policy_change_context)
        from vigie.policy.display import register_audit_display

        register_audit_display()
